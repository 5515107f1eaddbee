"""Queued work on real workers: a private redis-server, `callcoach worker` processes, and the
database of the `db_url` fixture (a SQLite file, and a PostgreSQL schema).

The promise tested: a worker killed mid-task (SIGKILL of the whole worker, as when a machine
dies) loses nothing and duplicates nothing: every recording becomes exactly one call, every
call gets exactly one score, every job ends done; failures retry with backoff and end failed
with their reason.
"""

from __future__ import annotations

import json
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from callcoach.bootstrap import Container, bootstrap, celery_queue, job_registry
from callcoach.cli import app
from callcoach.domain.access import Scope
from callcoach.domain.jobs import Job, JobStatus
from callcoach.ingest.audio import file_sha256
from callcoach.services.imports.audio import AudioImportOptions, FileOutcome
from callcoach.services.imports.transcripts import import_calls
from callcoach.services.jobs.queue import enqueue_audio, enqueue_selected_scoring
from callcoach.services.jobs.views import list_jobs
from callcoach.services.rubrics.catalog import install_templates
from callcoach.settings import Settings
from tests.audio_helpers import require_tools, stereo_call
from tests.worker_helpers import Workers, redis_server, wait_for

EVERYONE = Scope.system("test: read the whole organisation")

pytestmark = pytest.mark.slow
MAX_ATTEMPTS = 3
FINISHED = (JobStatus.DONE, JobStatus.FAILED)


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[str]:
    with redis_server(tmp_path) as url:
        yield url


@pytest.fixture
def container(db_url: str, broker: str) -> Iterator[Container]:
    settings = Settings(
        db=db_url, broker_url=broker, job_visibility_timeout=5, job_max_attempts=MAX_ATTEMPTS
    )
    setup = bootstrap(settings, require_current=False)
    setup.store.migrate()
    install_templates(setup.store)
    yield setup
    setup.close()


@pytest.fixture
def workers(db_url: str, broker: str, tmp_path: Path) -> Iterator[Workers]:
    # A short visibility timeout, so the work of a killed worker comes back within the test.
    pool = Workers(
        db_url,
        broker,
        tmp_path,
        env_overrides={
            "CALLCOACH_JOB_VISIBILITY_TIMEOUT": "5",
            "CALLCOACH_JOB_MAX_ATTEMPTS": str(MAX_ATTEMPTS),
        },
    )
    yield pool
    pool.stop_all()


def _jobs(container: Container) -> list[Job]:
    return list_jobs(container.store).jobs


def _wait_finished(container: Container, workers: Workers, timeout: float) -> list[Job]:
    try:
        return wait_for(
            lambda: (jobs := _jobs(container)) and all(j.status in FINISHED for j in jobs) and jobs,
            timeout=timeout,
            what="every job to finish",
        )
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{_jobs(container)}\n{workers.logs()}") from exc


def _running(container: Container) -> Job | None:
    return next((j for j in _jobs(container) if j.status is JobStatus.RUNNING), None)


SCRIPTS = [
    [
        ("rep", f"Hi, this is Dana from Acme. I am calling about order {number}."),
        ("prospect", f"Sure, we ordered {number} licenses last week."),
        ("rep", "Great, can we book a review call on Friday?"),
    ]
    for number in (12, 48, 75)
]


def test_a_worker_killed_mid_transcription_loses_and_duplicates_nothing(
    container: Container, workers: Workers, tmp_path: Path
) -> None:
    require_tools()
    files = [
        stereo_call(tmp_path / "audio", f"order-{i}", script).path
        for i, script in enumerate(SCRIPTS)
    ]
    queue = celery_queue(container)
    registry = job_registry(container)
    report = enqueue_audio(
        container.store, queue, registry, files, AudioImportOptions(rep="Dana Ortiz")
    )
    assert [f.outcome for f in report.files] == [FileOutcome.QUEUED] * len(files)

    doomed = workers.start()
    victim = wait_for(lambda: _running(container), timeout=120, what="a transcription to start")
    time.sleep(0.3)  # well inside the task: loading audio and the model alone takes longer
    workers.kill(doomed)
    with container.store.unit_of_work() as uow:
        assert uow.jobs.get(victim.id).status is JobStatus.RUNNING  # type: ignore[union-attr]
    workers.start()
    jobs = _wait_finished(container, workers, timeout=180)

    assert {j.status for j in jobs} == {JobStatus.DONE}, jobs
    killed = next(j for j in jobs if j.id == victim.id)
    assert killed.attempts == 2  # delivered again after the kill, and completed once
    with container.store.unit_of_work() as uow:
        calls = uow.calls.get_many(uow.calls.external_ids(scope=EVERYONE), scope=EVERYONE)
    assert sorted(c.audio_hash or "" for c in calls) == sorted(file_sha256(f) for f in files)
    for call in calls:
        assert [s.index for s in call.segments] == list(range(len(call.segments)))
        assert [s.role.value for s in call.segments] == ["rep", "prospect", "rep"], call
        assert call.rep == "Dana Ortiz"
    # Queued again: recognised as imported, nothing sent.
    again = enqueue_audio(container.store, queue, registry, files, AudioImportOptions())
    assert [f.outcome for f in again.files] == [FileOutcome.SKIPPED] * len(files)
    assert len(_jobs(container)) == len(files)


def _conversations(path: Path, count: int) -> Path:
    rep_lines = [
        "Thanks for joining, what prompted you to look at new forecasting tools this quarter?",
        "Understood, and what happens today when the numbers from the regions do not match?",
        "If we solved that in the first month, would you be ready to sign by the end of June?",
    ]
    with path.open("w", encoding="utf-8") as handle:
        for number in range(count):
            turns = []
            for line in rep_lines:
                turns.append({"speaker": "Dana", "text": f"{line} (call {number})"})
                turns.append({"speaker": "Buyer", "text": "That is a fair question, let me think."})
            record = {"call_id": f"call-{number:03d}", "rep_speaker": "Dana", "turns": turns}
            handle.write(json.dumps(record) + "\n")
    return path


def test_a_worker_killed_while_scoring_loses_and_duplicates_nothing(
    container: Container, workers: Workers, tmp_path: Path
) -> None:
    count = 40
    imported = import_calls(container.store, [_conversations(tmp_path / "calls.jsonl", count)])
    assert imported.ok and imported.created == count
    report = enqueue_selected_scoring(
        container.store,
        celery_queue(container),
        job_registry(container),
        rubric="one-call-close",
        scorer="fake",
    )
    assert len(report.queued) == count

    doomed = workers.start()
    workers.start()
    # The doomed worker names itself callcoach-<its pid>@host on the jobs it takes.
    wait_for(
        lambda: any(
            j.status is JobStatus.RUNNING
            and (j.worker or "").startswith(f"callcoach-{doomed.pid}@")
            for j in _jobs(container)
        ),
        timeout=120,
        every=0.02,
        what="the doomed worker to take a scoring job",
    )
    workers.kill(doomed)
    jobs = _wait_finished(container, workers, timeout=180)

    assert {j.status for j in jobs} == {JobStatus.DONE}, jobs
    with container.store.unit_of_work() as uow:
        runs = list(uow.scores.all("one-call-close", scope=EVERYONE))
        criteria = len(uow.rubrics.latest("one-call-close").rubric.criteria)  # type: ignore[union-attr]
    per_call = Counter(run.call_id for run in runs)
    assert sorted(per_call) == [f"call-{n:03d}" for n in range(count)]
    assert set(per_call.values()) == {1}
    assert all(len(run.criteria) == criteria for run in runs)
    # Asked again: every call is scored on this version, nothing is queued.
    again = enqueue_selected_scoring(
        container.store,
        celery_queue(container),
        job_registry(container),
        rubric="one-call-close",
        scorer="fake",
    )
    assert again.queued == [] and again.already_scored == count


def test_failures_retry_with_backoff_then_stay_failed_with_the_reason(
    container: Container, workers: Workers, tmp_path: Path, db_url: str, broker: str
) -> None:
    require_tools()
    audio = stereo_call(tmp_path / "audio", "failing", SCRIPTS[0]).path
    vanishing = tmp_path / "audio" / "vanishing.wav"
    shutil.copy(stereo_call(tmp_path / "audio", "other", SCRIPTS[1]).path, vanishing)
    queue = celery_queue(container)
    # A model this worker does not have: maybe another worker has it, so it is retried.
    no_model = tmp_path / "no-model"
    no_model.mkdir()
    bad_model = enqueue_audio(
        container.store,
        queue,
        job_registry(container),
        [audio],
        AudioImportOptions(),
        model=str(no_model),
        default_attempts=MAX_ATTEMPTS,  # fixed when queued, from the queueing machine's settings
    ).files[0]
    # A recording gone before a worker gets to it: retrying cannot help. Queued as a user does.
    runner = CliRunner()
    env = {"CALLCOACH_BROKER_URL": broker}
    queued = runner.invoke(
        app,
        ["--db", db_url, "import", "audio", str(vanishing), "--queue", "--report", "json"],
        env=env,
    )
    assert queued.exit_code == 0, queued.output
    (gone,) = json.loads(queued.stdout)["files"]
    assert gone["result"] == "queued"
    vanishing.rename(tmp_path / "kept-aside.wav")

    workers.start()
    jobs = {j.id: j for j in _wait_finished(container, workers, timeout=120)}

    retried = jobs[bad_model.job_id or 0]
    assert retried.status is JobStatus.FAILED
    assert retried.attempts == MAX_ATTEMPTS
    assert "not a CTranslate2 Whisper model" in (retried.error or "")
    assert f"gave up after {MAX_ATTEMPTS} attempts" in (retried.error or "")
    assert retried.finished_at and retried.created_at
    # Backoff of 2 s then 4 s between the three attempts.
    assert (retried.finished_at - retried.created_at).total_seconds() >= 6
    missing = jobs[gone["job_id"]]
    assert missing.status is JobStatus.FAILED and missing.attempts == 1
    assert "no such file on this worker" in (missing.error or "")

    listed = runner.invoke(
        app, ["--db", db_url, "jobs", "--status", "failed", "--format", "json"], env=env
    )
    assert listed.exit_code == 0, listed.output
    failed = {j["id"]: j for j in json.loads(listed.stdout)["jobs"]}
    assert set(failed) == {retried.id, missing.id}
    assert failed[missing.id]["error"] == missing.error

    # The file is back: a retry completes the job.
    (tmp_path / "kept-aside.wav").rename(vanishing)
    result = runner.invoke(app, ["--db", db_url, "jobs", "retry", str(missing.id)], env=env)
    assert result.exit_code == 0, result.output
    done = wait_for(
        lambda: (
            (j := {x.id: x for x in _jobs(container)}[missing.id]).status is JobStatus.DONE and j
        ),
        timeout=120,
        what="the retried job",
    )
    assert done.attempts == 1 and done.error is None
    assert done.result and done.result["outcome"] == "imported"


def test_queueing_without_a_reachable_broker_says_so_and_queues_nothing(
    tmp_path: Path,
) -> None:
    from tests.worker_helpers import free_port

    db = str(tmp_path / "callcoach.db")
    runner = CliRunner()
    env = {"CALLCOACH_BROKER_URL": f"redis://127.0.0.1:{free_port()}/0"}
    assert runner.invoke(app, ["--db", db, "init"]).exit_code == 0
    conversations = _conversations(tmp_path / "calls.jsonl", 2)
    assert runner.invoke(app, ["--db", db, "import", "calls", str(conversations)]).exit_code == 0
    result = runner.invoke(app, ["--db", db, "score", "--queue", "--scorer", "fake"], env=env)
    assert result.exit_code != 0
    assert "cannot reach the job broker" in str(result.exception or result.output)
    listed = runner.invoke(app, ["--db", db, "jobs", "--format", "json"], env=env)
    assert json.loads(listed.stdout)["jobs"] == []


def test_a_recording_is_transcribed_and_scored_by_the_embedded_scorer_on_a_worker(
    container: Container, workers: Workers, tmp_path: Path, db_url: str, broker: str
) -> None:
    """The whole path through the queue: `import audio --queue`, then `score --queue` with the
    default (embedded) scorer, both done by a worker process."""
    require_tools()
    recording = stereo_call(tmp_path / "audio", "queued-call").path
    runner = CliRunner()
    env = {"CALLCOACH_BROKER_URL": broker}
    base = ["--db", db_url]
    queued = runner.invoke(
        app, [*base, "import", "audio", str(recording), "--rep", "Dana Ortiz", "--queue"], env=env
    )
    assert queued.exit_code == 0, queued.output
    workers.start()
    _wait_finished(container, workers, timeout=180)
    scored = runner.invoke(app, [*base, "score", "--queue", "--format", "json"], env=env)
    assert scored.exit_code == 0, scored.output
    assert len(json.loads(scored.stdout)["queued"]) == 1
    jobs = _wait_finished(container, workers, timeout=300)
    assert [(j.kind, j.status) for j in jobs] == [
        ("transcribe", JobStatus.DONE),
        ("score", JobStatus.DONE),
    ], jobs
    assert jobs[1].result and jobs[1].result["outcome"] == "scored"
    with container.store.unit_of_work() as uow:
        call_id = uow.calls.external_ids(scope=EVERYONE)[0]
        call = uow.calls.get(call_id, scope=EVERYONE)
        (score,) = uow.scores.for_call(call_id, scope=EVERYONE)
    assert call is not None and score.scorer == "embedded"
    assert [s.role.value for s in call.segments] == ["rep", "prospect"] * 3
    quotes = [e for c in score.criteria for e in c.evidence]
    assert quotes and all(e.quote in call.segments[e.segment].text for e in quotes)


def test_a_scoring_batch_on_a_killed_worker_is_resumed_by_another_worker_at_once(
    container: Container, workers: Workers, tmp_path: Path
) -> None:
    """A score-calls job (the scoring after an import) killed mid-way with its worker: a
    worker started afterwards reaps it (its runner's process is gone) and resumes it where it
    stopped, long before the broker's visibility timeout would hand the message out again."""
    from callcoach.services.jobs.queue import submit_job
    from callcoach.services.jobs.scoring import imported_calls_request

    count = 600
    imported = import_calls(container.store, [_conversations(tmp_path / "calls.jsonl", count)])
    ids = [c for f in imported.files for c in f.call_ids]
    request = imported_calls_request(ids, rubric="one-call-close", scorer="fake", owner=None)
    assert request is not None
    _job, sent = submit_job(
        container.store, celery_queue(container), job_registry(container), request
    )
    assert sent

    workers.env_overrides["CALLCOACH_JOB_VISIBILITY_TIMEOUT"] = "3600"
    doomed = workers.start()
    wait_for(
        lambda: (j := _jobs(container)[0]).status is JobStatus.RUNNING and j.progress.done >= 30,
        timeout=120,
        every=0.05,
        what="the batch under way on the doomed worker",
    )
    workers.kill(doomed)
    killed_at = time.monotonic()
    workers.start()
    (done,) = _wait_finished(container, workers, timeout=120)
    assert time.monotonic() - killed_at < 120  # far below the 3600 s visibility timeout
    assert done.status is JobStatus.DONE and done.attempts == 2, done
    assert done.result and done.result["already_done"] > 0  # resumed, not started over
    with container.store.unit_of_work() as uow:
        per_call = Counter(run.call_id for run in uow.scores.all("one-call-close", scope=EVERYONE))
    assert len(per_call) == count and set(per_call.values()) == {1}


def test_a_recording_queued_with_scoring_after_import_is_transcribed_then_scored(
    container: Container, workers: Workers, tmp_path: Path, db_url: str, broker: str
) -> None:
    """With CALLCOACH_SCORE_AFTER_IMPORT on (the default), the worker that transcribed a
    recording queues the scoring of its call: nobody runs `score`."""
    require_tools()
    recording = stereo_call(tmp_path / "audio", "queued-call").path
    env = {"CALLCOACH_BROKER_URL": broker, "CALLCOACH_SCORE_AFTER_IMPORT": "true"}
    workers.env_overrides["CALLCOACH_SCORE_AFTER_IMPORT"] = "true"
    queued = CliRunner().invoke(
        app, ["--db", db_url, "import", "audio", str(recording), "--queue"], env=env
    )
    assert queued.exit_code == 0, queued.output
    workers.start()
    wait_for(lambda: len(_jobs(container)) == 2, timeout=300, what="the scoring job")
    jobs = _wait_finished(container, workers, timeout=300)
    assert [(j.kind, j.status) for j in jobs] == [
        ("transcribe", JobStatus.DONE),
        ("score-calls", JobStatus.DONE),
    ], jobs
    assert jobs[1].result and jobs[1].result["scored"] == 1
    assert jobs[1].backend.value == "celery"
