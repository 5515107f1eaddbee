"""Queued work: enqueue one job per recording or call, run a job once, list and retry jobs.

The queue itself (Celery on Redis) is behind the `TaskQueue` port, built by bootstrap; this
module holds the rules. A job row (unique per kind and key) is written before its message is
sent, and every delivery of a message first claims the row: a job already done is not run
again, so a message delivered twice (a worker killed before it acknowledged) does nothing
twice. The work itself is idempotent as well (recordings are recognised by their bytes, scores
are unique per call, rubric version and scorer), which covers a worker killed mid-task.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from callcoach.domain.access import SYSTEM, Viewer
from callcoach.domain.jobs import Job, JobKind, JobStatus
from callcoach.domain.scores import ScoreStatus
from callcoach.scoring.registry import ScorerConfig, build_scorer
from callcoach.services.common import NotFoundError, ServiceError
from callcoach.services.imports.audio import (
    AudioImportOptions,
    AudioImportReport,
    FileOutcome,
    import_recording,
    make_transcriber,
    plan_files,
)
from callcoach.services.scoring.runs import CallSelection, call_filter, score_calls
from callcoach.services.scoring.workers import ScorerBuilder
from callcoach.store.uow import Store

BACKOFF_BASE_S = 2.0
BACKOFF_MAX_S = 300.0


class TaskQueue(Protocol):
    """Where jobs go to be picked up by a worker (Celery on Redis in production)."""

    def check(self) -> None:
        """Raise ServiceError naming the broker if it cannot be reached."""
        ...

    def submit(self, kind: JobKind, job_id: int) -> str:
        """Send the job's message; returns the task id."""
        ...


class PermanentJobError(ServiceError):
    """A failure that retrying cannot fix (an undecodable file, an unknown call)."""


@dataclass(frozen=True)
class JobOutcome:
    """What one delivery of a job did: ran it, or found nothing to do."""

    status: JobStatus
    ran: bool
    retry_in: float | None = None  # seconds, when a failed attempt is to be retried
    result: dict[str, Any] | None = None
    error: str | None = None


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff: 2, 4, 8... seconds after the first, second, third failure."""
    return float(min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2 ** max(0, attempt - 1)))


# --- enqueueing ----------------------------------------------------------------------------


def _enqueue(
    store: Store, queue: TaskQueue, kind: JobKind, key: str, payload: dict[str, Any]
) -> tuple[Job, bool]:
    """The job for (kind, key), sent to the queue unless it is already waiting or running.

    Returns (job, sent). A failed or finished job asked for again starts afresh.
    """
    with store.unit_of_work() as uow:
        job = uow.jobs.find(kind, key)
        if job is not None and job.status in (JobStatus.QUEUED, JobStatus.RUNNING):
            return job, False
        job = uow.jobs.add(kind, key, payload) if job is None else uow.jobs.requeue(job.id, payload)
    # The row is committed before the message exists, so a worker always finds it.
    task_id = queue.submit(kind, job.id)
    with store.unit_of_work() as uow:
        uow.jobs.set_task(job.id, task_id)
    return job, True


def enqueue_audio(
    store: Store,
    queue: TaskQueue,
    paths: Sequence[Path],
    options: AudioImportOptions,
    *,
    model: str | None = None,
) -> AudioImportReport:
    """One transcription job per recording not imported yet. Files are checked here first
    (missing, already imported, given twice) so the report is complete before any worker runs.
    """
    reports, todo = plan_files(store, paths, options)
    if todo:
        queue.check()
    for planned in todo:
        report = planned.report
        payload = {
            "path": str(planned.path.resolve()),
            "options": options.to_payload(),
            "model": model,
        }
        job, sent = _enqueue(store, queue, JobKind.TRANSCRIBE, report.audio_hash or "", payload)
        report.outcome = FileOutcome.QUEUED
        report.job_id = job.id
        if not sent:
            report.detail = f"already {job.status.value} as job {job.id}"
    return AudioImportReport(files=reports, model=None)


@dataclass
class EnqueueReport:
    queued: list[Job]
    already: list[Job]  # waiting or running from an earlier request: not sent again
    selected: int = 0  # calls matching the selection
    already_scored: int = 0  # scored on the rubric's latest version before (no --rescore)
    rubric: str | None = None
    rubric_version: int | None = None


def enqueue_scoring(
    store: Store,
    queue: TaskQueue,
    call_ids: Sequence[str],
    *,
    rubric: str,
    scorer: str,
    scorer_options: dict[str, Any] | None = None,
    rescore: bool = False,
) -> EnqueueReport:
    """One scoring job per call for (rubric, scorer). `scorer_options` are the command's
    switches (never endpoints or keys: workers take those from their own settings)."""
    report = EnqueueReport(queued=[], already=[])
    if not call_ids:
        return report
    queue.check()
    for call_id in call_ids:
        payload = {
            "call_id": call_id,
            "rubric": rubric,
            "scorer": scorer,
            "scorer_options": dict(scorer_options or {}),
            "rescore": rescore,
        }
        key = f"{call_id}|{rubric}|{scorer}"
        job, sent = _enqueue(store, queue, JobKind.SCORE, key, payload)
        (report.queued if sent else report.already).append(job)
    return report


def enqueue_selected_scoring(
    store: Store,
    queue: TaskQueue,
    *,
    rubric: str,
    scorer: str,
    selection: CallSelection | None = None,
    scorer_options: dict[str, Any] | None = None,
    rescore: bool = False,
    viewer: Viewer = SYSTEM,
) -> EnqueueReport:
    """`score --queue`: the calls `score` would do here (same selection, same skipping of
    calls already scored on the latest rubric version), one job each for the workers."""
    with store.unit_of_work() as uow:
        stored = uow.rubrics.latest(rubric)
        if stored is None:
            known = [s.rubric.id for s, _ in uow.rubrics.list()]
            raise NotFoundError(f"no rubric {rubric!r}; rubrics: {', '.join(known) or 'none'}")
        filters = call_filter(uow, selection or CallSelection(), viewer)
        selected = uow.scoring_queue.queue(
            uow.calls.external_ids(filters), stored.version_pk, scorer
        )
    todo = [
        q.external_id
        for q in selected
        if rescore or q.stored_status is None or q.stored_status == ScoreStatus.FAILED.value
    ]
    report = enqueue_scoring(
        store,
        queue,
        todo,
        rubric=stored.rubric.id,
        scorer=scorer,
        scorer_options=scorer_options,
        rescore=rescore,
    )
    report.selected = len(selected)
    report.already_scored = len(selected) - len(todo)
    report.rubric, report.rubric_version = stored.rubric.id, stored.version
    return report


# --- running -------------------------------------------------------------------------------


def run_job(
    store: Store,
    job_id: int,
    work: Callable[[Job], dict[str, Any]],
    *,
    task_id: str | None = None,
    worker: str | None = None,
    max_attempts: int = 5,
) -> JobOutcome:
    """Claim the job, do the work, record the outcome. Safe to call for every delivery."""
    with store.unit_of_work() as uow:
        job = uow.jobs.get(job_id, for_update=True)
        if job is None:
            return JobOutcome(JobStatus.FAILED, ran=False, error=f"no job {job_id}")
        if job.status in (JobStatus.DONE, JobStatus.FAILED):
            return JobOutcome(job.status, ran=False, result=job.result, error=job.error)
        if job.status is JobStatus.RUNNING and job.attempts >= max_attempts:
            # Every delivery so far died with its worker: this job kills workers.
            error = (
                f"the worker running it was lost {job.attempts} times (killed, out of memory, "
                "or the machine stopped); not tried again"
            )
            uow.jobs.mark_failed(job_id, error)
            return JobOutcome(JobStatus.FAILED, ran=False, error=error)
        job = uow.jobs.mark_running(job_id, task_id, worker)
    try:
        result = work(job)
    except PermanentJobError as exc:
        return _fail(store, job_id, str(exc))
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:500]
        if job.attempts >= max_attempts:
            return _fail(store, job_id, f"{reason} (gave up after {job.attempts} attempts)")
        delay = backoff_seconds(job.attempts)
        with store.unit_of_work() as uow:
            uow.jobs.mark_retrying(
                job_id,
                f"attempt {job.attempts} of {max_attempts} failed: {reason}; "
                f"retrying in {delay:.0f} s",
            )
        return JobOutcome(JobStatus.QUEUED, ran=True, retry_in=delay, error=reason)
    with store.unit_of_work() as uow:
        uow.jobs.mark_done(job_id, result)
    return JobOutcome(JobStatus.DONE, ran=True, result=result)


def _fail(store: Store, job_id: int, error: str) -> JobOutcome:
    with store.unit_of_work() as uow:
        uow.jobs.mark_failed(job_id, error)
    return JobOutcome(JobStatus.FAILED, ran=True, error=error)


def transcribe_work(
    store: Store, default_model: str | None, cpu_threads: int = 0
) -> Callable[[Job], dict[str, Any]]:
    """The work of a transcription job: the local import of one recording."""

    def work(job: Job) -> dict[str, Any]:
        path = Path(job.payload["path"])
        options = AudioImportOptions.from_payload(job.payload.get("options") or {})
        transcriber = make_transcriber(job.payload.get("model") or default_model, cpu_threads)
        reports, todo = plan_files(store, [path], options)
        report = reports[0]
        if todo:
            report = import_recording(store, todo[0], options, transcriber)
        if report.outcome is FileOutcome.REJECTED:
            detail = report.detail
            if detail == "no such file":
                detail = (
                    f"{path}: no such file on this worker (every worker needs the recordings "
                    "at the path they were queued with)"
                )
            raise PermanentJobError(detail)
        return {
            "outcome": report.outcome.value,
            "call_id": report.call_id,
            "duration_s": report.duration_s,
            "mode": report.mode,
            "turns": report.turns,
            "seconds": round(report.seconds, 2),
            "detail": report.detail or None,
        }

    return work


def score_one_call(
    store: Store,
    call_id: str,
    *,
    rubric: str,
    scorer: ScorerConfig,
    rescore: bool = False,
    build: ScorerBuilder = build_scorer,
) -> dict[str, Any]:
    """Score one call with the batch runner, in this process; returns what happened.

    The batch runner skips a call already scored on this rubric version by this scorer (unless
    `rescore`) and replaces on re-scoring, so doing this twice stores one score.
    """
    summary = score_calls(
        store,
        scorer,
        rubric_id=rubric,
        selection=CallSelection(call_ids=(call_id,)),
        rescore=rescore,
        workers=1,
        build=build,
    )
    if summary.failures:
        note = summary.failures[0]
        # A failure the scorer stored is its verdict on this call (retrying repeats it); any
        # other (a crash, a timeout) may pass on a second attempt.
        if note.stored:
            raise PermanentJobError(f"scoring {call_id} failed: {note.reason}")
        raise RuntimeError(f"scoring {call_id} failed: {note.reason}")
    outcome = (
        "scored"
        if summary.scored
        else "not scorable"
        if summary.not_scorable
        else "already scored"
        if summary.already_done
        else "nothing to do"
    )
    return {
        "outcome": outcome,
        "call_id": call_id,
        "rubric": summary.rubric_id,
        "rubric_version": summary.rubric_version,
        "scorer": summary.scorer,
        "reason": summary.not_scorable[0].reason if summary.not_scorable else None,
        "seconds": round(summary.seconds, 3),
    }


def score_work(
    store: Store, scorer_config: Callable[..., ScorerConfig]
) -> Callable[[Job], dict[str, Any]]:
    """The work of a scoring job. The scorer is configured from the worker's own settings
    (`scorer_config(name)`), so endpoints and keys never travel through the queue. An unknown
    call or rubric is not worth retrying."""

    def work(job: Job) -> dict[str, Any]:
        payload = job.payload
        try:
            return score_one_call(
                store,
                payload["call_id"],
                rubric=payload["rubric"],
                scorer=scorer_config(payload["scorer"], **(payload.get("scorer_options") or {})),
                rescore=bool(payload.get("rescore", False)),
            )
        except NotFoundError as exc:
            raise PermanentJobError(str(exc)) from exc

    return work


# --- listing and retrying ------------------------------------------------------------------


@dataclass
class JobListing:
    jobs: list[Job]
    counts: dict[JobStatus, int]


def list_jobs(
    store: Store,
    statuses: Sequence[JobStatus] = (),
    kind: JobKind | None = None,
    limit: int | None = None,
) -> JobListing:
    with store.unit_of_work() as uow:
        return JobListing(jobs=uow.jobs.list(statuses, kind, limit), counts=uow.jobs.counts())


def retry_job(store: Store, queue: TaskQueue, job_id: int) -> Job:
    """Send a job again with fresh attempts: a failed one, or one whose message was lost."""
    with store.unit_of_work() as uow:
        job = uow.jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"no job {job_id} (see `callcoach jobs`)")
        if job.status is JobStatus.DONE:
            raise ServiceError(f"job {job_id} is done; nothing to retry")
        if job.status is JobStatus.RUNNING:
            raise ServiceError(
                f"job {job_id} is running on {job.worker or 'a worker'}; if that worker is gone "
                "it is handed to another after CALLCOACH_JOB_VISIBILITY_TIMEOUT seconds"
            )
    queue.check()
    with store.unit_of_work() as uow:
        job = uow.jobs.requeue(job_id)
    task_id = queue.submit(job.kind, job.id)
    with store.unit_of_work() as uow:
        uow.jobs.set_task(job.id, task_id)
        refreshed = uow.jobs.get(job.id)
    assert refreshed is not None
    return refreshed
