"""Submitting jobs: the queue port, enqueueing (idempotent per kind and key), running here.

The queue (in-process threads, or Celery on Redis) is behind the `TaskQueue` port, built by
bootstrap from settings; this module holds the rules. A job row (unique per kind and key) is
written before its message is sent, and every delivery first claims the row
(`runner.run_job`): a job already done is not run again, so a message delivered twice does
nothing twice, and the work itself is idempotent, which covers a process killed mid-job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from callcoach.domain.access import SYSTEM, Viewer
from callcoach.domain.jobs import Job, JobBackend, JobStatus, Runner
from callcoach.domain.scores import ScoreStatus
from callcoach.services.common import NotFoundError
from callcoach.services.imports.audio import (
    AudioImportOptions,
    AudioImportReport,
    FileOutcome,
    plan_files,
)
from callcoach.services.jobs.kinds import SCORE_CALL, TRANSCRIBE
from callcoach.services.jobs.liveness import judge_runner
from callcoach.services.jobs.registry import JobRegistry, JobRequest
from callcoach.services.scoring.runs import CallSelection, call_filter
from callcoach.store.uow import Store


class TaskQueue(Protocol):
    """Where jobs go to be picked up: threads of this process, or Celery workers."""

    @property
    def backend(self) -> JobBackend: ...

    def check(self) -> None:
        """Raise ServiceError naming the broker if it cannot be reached."""
        ...

    def submit(self, job: Job) -> str | None:
        """Hand the job (already written as queued) to the workers; returns a task id."""
        ...


def _write(
    store: Store,
    registry: JobRegistry,
    request: JobRequest,
    backend: JobBackend,
    default_attempts: int,
) -> tuple[Job, bool]:
    """The job for (kind, key): the live one if it is waiting or running, else queued anew."""
    kind = registry.get(request.kind)
    attempts = kind.max_attempts or default_attempts
    with store.unit_of_work() as uow:
        job = uow.jobs.find(request.kind, request.key)
        if job is not None and job.active:
            return job, False
        if job is None:
            job = uow.jobs.add(
                request.kind,
                request.key,
                request.payload,
                owner=request.owner,
                backend=backend,
                queue=kind.queue,
                max_attempts=attempts,
            )
        else:  # finished before: asked again, it starts afresh
            job = uow.jobs.requeue(
                job.id,
                request.payload,
                owner=request.owner,
                backend=backend,
                queue=kind.queue,
                max_attempts=attempts,
            )
    return job, True


def submit_job(
    store: Store,
    queue: TaskQueue,
    registry: JobRegistry,
    request: JobRequest,
    *,
    default_attempts: int = 5,
) -> tuple[Job, bool]:
    """Queue a job, unless the same one is already waiting or running. Returns (job, sent)."""
    job, new = _write(store, registry, request, queue.backend, default_attempts)
    if not new:
        return job, False
    # The row is committed before the message exists, so a worker always finds it.
    task_id = queue.submit(job)
    if task_id is not None:
        with store.unit_of_work() as uow:
            uow.jobs.set_task(job.id, task_id)
    return job, True


def claim_here(
    store: Store,
    registry: JobRegistry,
    request: JobRequest,
    runner: Runner,
    *,
    worker: str,
    heartbeat_s: float,
    default_attempts: int = 5,
) -> tuple[Job, bool]:
    """The job for a command that runs it in the foreground, claimed by this process.

    Returns (job, claimed). A job with the same key left queued (by a process that died, or a
    failed attempt) is claimed and continued; one running in a live process is left to it
    (claimed False).
    """
    job, _ = _write(store, registry, request, JobBackend.INPROCESS, default_attempts)
    with store.unit_of_work() as uow:
        current = uow.jobs.get(job.id, for_update=True)
        assert current is not None
        if current.status is JobStatus.RUNNING and judge_runner(current, heartbeat_s).alive:
            return current, False
        if current.status.finished:
            return current, False
        claimed = uow.jobs.claim(current, runner, worker=worker)
    return (claimed, True) if claimed is not None else (current, False)


# --- Celery at scale: one job per recording or per call -------------------------------------


def enqueue_audio(
    store: Store,
    queue: TaskQueue,
    registry: JobRegistry,
    paths: Sequence[Path],
    options: AudioImportOptions,
    *,
    model: str | None = None,
    owner: str | None = None,
    score_after: dict[str, str] | None = None,
    default_attempts: int = 5,
) -> AudioImportReport:
    """One transcription job per recording not imported yet. Files are checked here first
    (missing, already imported, given twice) so the report is complete before any worker runs.
    With `score_after`, each imported call is then queued for scoring by the worker.
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
            # {rubric, scorer}: the worker queues the scoring of the call it imported.
            "score_after": score_after,
        }
        request = JobRequest(TRANSCRIBE, report.audio_hash or "", payload, owner)
        job, sent = submit_job(store, queue, registry, request, default_attempts=default_attempts)
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
    registry: JobRegistry,
    call_ids: Sequence[str],
    *,
    rubric: str,
    scorer: str,
    scorer_options: dict[str, Any] | None = None,
    rescore: bool = False,
    owner: str | None = None,
    default_attempts: int = 5,
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
        request = JobRequest(SCORE_CALL, f"{call_id}|{rubric}|{scorer}", payload, owner)
        job, sent = submit_job(store, queue, registry, request, default_attempts=default_attempts)
        (report.queued if sent else report.already).append(job)
    return report


def enqueue_selected_scoring(
    store: Store,
    queue: TaskQueue,
    registry: JobRegistry,
    *,
    rubric: str,
    scorer: str,
    selection: CallSelection | None = None,
    scorer_options: dict[str, Any] | None = None,
    rescore: bool = False,
    viewer: Viewer = SYSTEM,
    default_attempts: int = 5,
) -> EnqueueReport:
    """`score --queue`: the calls `score` would do here (same selection, same skipping of
    calls already scored on the latest rubric version), one job each for the workers."""
    with store.unit_of_work() as uow:
        stored = uow.rubrics.latest(rubric)
        if stored is None:
            known = [s.rubric.id for s, _ in uow.rubrics.list()]
            raise NotFoundError(f"no rubric {rubric!r}; rubrics: {', '.join(known) or 'none'}")
        access = uow.people.scope_for(viewer)
        filters = call_filter(uow, selection or CallSelection(), access)
        selected = uow.scoring_queue.queue(
            uow.calls.external_ids(filters, scope=access), stored.version_pk, scorer
        )
    todo = [
        q.external_id
        for q in selected
        if rescore or q.stored_status is None or q.stored_status == ScoreStatus.FAILED.value
    ]
    report = enqueue_scoring(
        store,
        queue,
        registry,
        todo,
        rubric=stored.rubric.id,
        scorer=scorer,
        scorer_options=scorer_options,
        rescore=rescore,
        owner=None if viewer is SYSTEM else viewer.username,
        default_attempts=default_attempts,
    )
    report.selected = len(selected)
    report.already_scored = len(selected) - len(todo)
    report.rubric, report.rubric_version = stored.rubric.id, stored.version
    return report
