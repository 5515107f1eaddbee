"""The job store's rules on each backend (a SQLite file and a PostgreSQL schema): claims are
compare-and-sets, and recovery resumes, fails or cancels exactly the jobs whose process is dead.

Dead and live runners are real processes: a `sleep` started and killed (dead), one left running
(alive), and a runner on another machine judged by its heartbeat alone.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import update

from callcoach.domain.jobs import STALE_AFTER_BEATS, Job, JobBackend, JobStatus, Runner
from callcoach.services.jobs.kinds import default_registry
from callcoach.services.jobs.liveness import now_utc, process_started_at, this_process
from callcoach.services.jobs.recovery import recover_jobs
from callcoach.services.jobs.registry import JobKind, JobRegistry
from callcoach.store.models import JobRow
from callcoach.store.uow import Store

HEARTBEAT_S = 5.0


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(["sleep", "300"])
    yield process
    if process.poll() is None:
        process.kill()
        process.wait()


def _runner_of(process: subprocess.Popen[bytes]) -> Runner:
    started = process_started_at(process.pid)
    assert started is not None
    return Runner(this_process().host, process.pid, started)


def _running(store: Store, runner: Runner, key: str, *, attempts_left: bool = True) -> Job:
    with store.unit_of_work() as uow:
        job = uow.jobs.add("score-calls", key, {}, max_attempts=2 if attempts_left else 1)
        claimed = uow.jobs.claim(job, runner, worker="test")
    assert claimed is not None and claimed.attempts == 1
    return claimed


def _get(store: Store, job_id: int) -> Job:
    with store.unit_of_work() as uow:
        job = uow.jobs.get(job_id)
    assert job is not None
    return job


def test_recovery_resumes_fails_or_cancels_the_jobs_of_dead_processes_only(
    store: Store, sleeper: subprocess.Popen[bytes]
) -> None:
    dead_process = subprocess.Popen(["sleep", "300"])
    dead = _runner_of(dead_process)
    dead_process.kill()
    dead_process.wait()
    alive = _runner_of(sleeper)
    resumed = _running(store, dead, "a")
    exhausted = _running(store, dead, "b", attempts_left=False)
    cancelled = _running(store, dead, "c")
    with store.unit_of_work() as uow:
        uow.jobs.cancel(cancelled.id)
    live = _running(store, alive, "d")
    far_away = Runner("another-machine", 4242, now_utc())
    remote_fresh = _running(store, far_away, "e")
    remote_stale = _running(store, far_away, "f")
    old = now_utc() - timedelta(seconds=HEARTBEAT_S * STALE_AFTER_BEATS + 1)
    with store.database.session() as session:
        session.execute(update(JobRow).where(JobRow.id == remote_stale.id).values(heartbeat_at=old))

    report = recover_jobs(store, JobBackend.INPROCESS, heartbeat_s=HEARTBEAT_S)

    assert {j.id for j in report.resumed} == {resumed.id, remote_stale.id}
    assert [j.id for j in report.failed] == [exhausted.id]
    assert [j.id for j in report.cancelled] == [cancelled.id]
    again = _get(store, resumed.id)
    assert again.status is JobStatus.QUEUED and again.runner is None and again.attempts == 1
    assert f"process {dead.pid} on {dead.host} has stopped" in (again.error or "")
    failed = _get(store, exhausted.id)
    assert failed.status is JobStatus.FAILED and failed.finished_at is not None
    assert "was lost 1 time(s)" in (failed.error or "")
    assert "sent no heartbeat for over 30 s" in (_get(store, remote_stale.id).error or "")
    assert _get(store, cancelled.id).status is JobStatus.CANCELLED
    for untouched in (live, remote_fresh):
        assert _get(store, untouched.id).status is JobStatus.RUNNING
    # Nothing left to recover: a second pass changes nothing.
    assert recover_jobs(store, JobBackend.INPROCESS, heartbeat_s=HEARTBEAT_S).count == 0


def test_a_claim_is_a_compare_and_set_and_a_superseded_runner_is_refused(store: Store) -> None:
    me = this_process()
    with store.unit_of_work() as uow:
        job = uow.jobs.add("score-calls", "k", {})
    first = _claim(store, job, me)
    second = _claim(store, job, me)  # a second delivery that read the job before the first
    assert first is not None and second is None
    # Recovery took the first attempt for dead and a second attempt claimed the job...
    with store.unit_of_work() as uow:
        assert uow.jobs.release(first.id, first.attempts, error="taken for dead")
        queued = uow.jobs.get(first.id)
        assert queued is not None
        newer = uow.jobs.claim(queued, me, worker="test")
    assert newer is not None and newer.attempts == 2
    # ...so the first runner's heartbeat and outcome are refused, and the newer one's stand.
    with store.unit_of_work() as uow:
        assert uow.jobs.beat(first.id, first.attempts) == (False, False)
        assert not uow.jobs.finish(first.id, first.attempts, JobStatus.DONE, result={"x": 1})
        assert uow.jobs.finish(newer.id, newer.attempts, JobStatus.DONE, result={"x": 2})
    assert _get(store, job.id).result == {"x": 2}


def _claim(store: Store, job: Job, runner: Runner) -> Job | None:
    with store.unit_of_work() as uow:
        return uow.jobs.claim(job, runner, worker="test")


def test_a_kind_is_registered_once_and_maps_to_a_queue() -> None:
    registry = default_registry()
    assert registry.names == ["transcribe", "score", "score-calls", "review-packs"]
    assert registry.queues == ["transcribe", "score", "reviews"]
    with pytest.raises(ValueError, match="already registered"):
        registry.register(registry.get("score"))
    extended = JobRegistry(registry)
    extended.register(JobKind("warm-up", "practice", "Build the reply index", lambda ctx: {}))
    assert extended.queues == ["transcribe", "score", "reviews", "practice"]
    with pytest.raises(KeyError, match="unknown job kind 'nope'"):
        registry.get("nope")
