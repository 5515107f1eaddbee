"""Every background job survives a kill of its process: SQLite, the in-process queue.

Real processes: `callcoach score` and `callcoach serve` are started as subprocesses and killed
with SIGKILL mid-job (nothing of theirs runs after: no cleanup, no `finally`). Started again,
the job is resumed where it stopped and ends done, or, once its attempts are used up, failed
with the reason; never left running.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from callcoach.domain.access import Scope
from callcoach.domain.jobs import Job, JobStatus
from callcoach.store.db import Database
from callcoach.store.uow import Store
from tests.e2e.job_helpers import (
    CALLCOACH,
    conversations,
    env_for,
    jobs_in,
    kill,
    serving,
    sign_in,
    start,
)
from tests.e2e.web_org import REPS, build_small_org
from tests.worker_helpers import wait_for

EVERYONE = Scope.system("test: read the whole organisation")

pytestmark = pytest.mark.slow
CALLS = 600  # about 6 s of fake scoring in one process: room to kill it mid-way


def _prepared(tmp_path: Path, calls: int = CALLS) -> Path:
    db = tmp_path / "jobs.db"
    env = env_for(db)
    subprocess.run([str(CALLCOACH), "init"], env=env, check=True, capture_output=True)
    source = conversations(tmp_path / "calls.jsonl", calls)
    subprocess.run(
        [str(CALLCOACH), "import", "calls", str(source), "--no-score"],
        env=env,
        check=True,
        capture_output=True,
    )
    return db


def _scores_per_call(db: Path) -> Counter[str]:
    store = Store(Database(str(db)))
    try:
        with store.unit_of_work() as uow:
            return Counter(run.call_id for run in uow.scores.all("one-call-close", scope=EVERYONE))
    finally:
        store.close()


def _running_past(db: Path, done: int) -> Job | None:
    return next(
        (
            j
            for j in jobs_in(db)
            if j.status is JobStatus.RUNNING and j.progress.total and j.progress.done >= done
        ),
        None,
    )


def _kill_mid_job(db: Path, process: subprocess.Popen[bytes], log: Path) -> Job:
    try:
        victim = wait_for(
            lambda: _running_past(db, 30), timeout=120, every=0.05, what="scoring under way"
        )
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{log.read_text()}") from exc
    kill(process)
    (stuck,) = [j for j in jobs_in(db) if j.id == victim.id]
    # As the table says, the job is still running: only recovery can tell it is not.
    assert stuck.status is JobStatus.RUNNING and stuck.attempts == 1
    assert stuck.progress.done < CALLS, "the job ended before it was killed"
    return stuck


def test_a_killed_score_command_is_resumed_where_it_stopped_by_running_it_again(
    tmp_path: Path,
) -> None:
    db = _prepared(tmp_path)
    env = env_for(db)
    log = tmp_path / "score-1.log"
    killed = _kill_mid_job(db, start(["score"], env, log), log)
    scored_before = sum(_scores_per_call(db).values())
    assert 0 < scored_before < CALLS

    again = subprocess.run(
        [str(CALLCOACH), "score", "--format", "json"], env=env, capture_output=True, text=True
    )
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    # Resumed where it stopped: what the killed attempt saved is not scored again.
    assert summary["already_done"] == scored_before
    assert summary["scored"] == CALLS - scored_before
    (job,) = jobs_in(db)
    assert job.id == killed.id and job.status is JobStatus.DONE
    assert job.attempts == 2 and job.error is None
    assert job.progress.done == job.progress.total == CALLS - scored_before
    per_call = _scores_per_call(db)
    assert len(per_call) == CALLS and set(per_call.values()) == {1}


def test_a_killed_command_job_with_no_attempts_left_fails_with_its_reason(
    tmp_path: Path,
) -> None:
    db = _prepared(tmp_path)
    env = env_for(db, job_max_attempts="1")
    log = tmp_path / "score.log"
    killed = _kill_mid_job(db, start(["score"], env, log), log)

    listed = subprocess.run(
        [str(CALLCOACH), "jobs", "--format", "json"], env=env, capture_output=True, text=True
    )
    assert listed.returncode == 0, listed.stderr
    (job,) = json.loads(listed.stdout)["jobs"]
    assert job["id"] == killed.id and job["status"] == "failed"
    assert "the process running it was lost 1 time(s)" in job["error"]
    assert f"process {killed.runner.pid if killed.runner else '?'}" in job["error"]
    assert "has stopped" in job["error"]
    assert "failed" in listed.stderr  # the recovery is reported to the user

    # `jobs retry` starts it afresh; `jobs run` runs it here to the end.
    retried = subprocess.run(
        [str(CALLCOACH), "jobs", "retry", str(killed.id)], env=env, capture_output=True, text=True
    )
    assert retried.returncode == 0, retried.stderr
    ran = subprocess.run([str(CALLCOACH), "jobs", "run"], env=env, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    assert f"job {killed.id}: done" in ran.stdout
    assert set(_scores_per_call(db).values()) == {1} and len(_scores_per_call(db)) == CALLS


@pytest.fixture
def org_db(tmp_path: Path) -> Path:
    """A served org: 4 reps x 150 calls, scored; managers mia (East) and wes (West)."""
    db = tmp_path / "web.db"
    database = Database(str(db))
    database.migrate()
    store = Store(database)
    build_small_org(store, calls_per_rep=150)
    store.close()
    return db


def _score_times(db: Path) -> dict[str, datetime]:
    store = Store(Database(str(db)))
    try:
        with store.unit_of_work() as uow:
            return {
                run.call_id: run.created_at
                for run in uow.scores.all("one-call-close", scope=EVERYONE)
            }  # type: ignore[misc]
    finally:
        store.close()


def test_a_web_rescore_killed_with_its_server_is_resumed_when_the_server_starts(
    tmp_path: Path, org_db: Path
) -> None:
    env = env_for(org_db)
    east = sorted(c for c in _score_times(org_db) if REPS[_rep_of(c)] == "East")
    with serving(env, tmp_path / "serve-1.log") as (url, server):
        mia = sign_in(url, "mia")
        started = mia.post("/api/v1/rubrics/one-call-close/rescore", params={"everything": True})
        assert started.status_code == 202, started.text
        job_id = started.json()["id"]

        def under_way() -> dict[str, object] | None:
            body = mia.get(f"/api/v1/jobs/{job_id}").json()
            return body if body["status"] == "running" and body["done"] >= 30 else None

        seen = wait_for(under_way, timeout=60, every=0.05, what="the re-score under way")
        # Progress is visible while the job runs, to the manager who started it.
        assert seen["total"] == len(east) and 0 < seen["done"] < len(east)  # type: ignore[operator]
        assert seen["owner"] == "mia" and seen["kind"] == "score-calls"
        kill(server)
    (stuck,) = jobs_in(org_db)
    assert stuck.status is JobStatus.RUNNING

    with serving(env, tmp_path / "serve-2.log") as (url, _):
        mia = sign_in(url, "mia")
        done = wait_for(
            lambda: (
                (body := mia.get(f"/api/v1/jobs/{job_id}").json())["status"] in ("done", "failed")
                and body
            ),
            timeout=120,
            what="the resumed re-score to end",
        )
    assert done["status"] == "done", done
    assert done["attempts"] == 2
    result = done["result"]
    assert result["already_done"] > 0  # what the killed attempt re-scored was kept
    assert result["already_done"] + result["scored"] == len(east)
    (job,) = jobs_in(org_db)
    requested = datetime.fromisoformat(job.payload["requested_at"])
    times = _score_times(org_db)
    # Every East call re-scored once after the request; West (not mia's) untouched.
    assert all(times[c] >= requested for c in east)
    assert all(t < requested for c, t in times.items() if REPS[_rep_of(c)] == "West")


def _rep_of(call_id: str) -> str:
    first = call_id.split("-")[0]
    return next(rep for rep in REPS if rep.split()[0].lower() == first)
