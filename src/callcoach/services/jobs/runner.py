"""Running one job: claim it, do its work with progress and a heartbeat, record the outcome.

Safe to call for every delivery of a job: a job already finished is not run again, a job
running in a live process is left to it, and a job whose runner died is taken over (or failed
once its attempts are used up). The claim is a compare-and-set on the job's attempt number,
so two deliveries of one message cannot both run it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from callcoach.domain.access import SYSTEM, Viewer
from callcoach.domain.jobs import Job, JobProgress, JobStatus, Runner
from callcoach.services.accounts.users import get_user
from callcoach.services.common import NotFoundError, Progress
from callcoach.services.jobs.liveness import judge_runner, now_utc
from callcoach.services.jobs.progress import Heartbeat, JobProgressWriter
from callcoach.services.jobs.registry import (
    JobCancelledError,
    JobContext,
    JobInterruptedError,
    JobLostError,
    JobRegistry,
    JobRequest,
    JobResources,
    PermanentJobError,
)
from callcoach.store.uow import Store

BACKOFF_BASE_S = 2.0
BACKOFF_MAX_S = 300.0


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff: 2, 4, 8... seconds after the first, second, third failure."""
    return float(min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2 ** max(0, attempt - 1)))


@dataclass(frozen=True)
class JobOutcome:
    """What one delivery of a job did: ran it, or found nothing to do."""

    status: JobStatus
    ran: bool
    retry_in: float | None = None  # seconds, when a failed attempt is to be retried
    result: dict[str, Any] | None = None
    error: str | None = None
    value: Any = None  # the work's in-memory outcome (for a foreground run)
    job_id: int | None = None


@dataclass(frozen=True)
class RunOptions:
    """How this process runs jobs."""

    runner: Runner
    worker: str  # a label for people: "cli", "serve", the Celery worker's name
    heartbeat_s: float = 5.0
    cpu_threads: int = 0
    retry: bool = True  # False: a failure is final (a command run in the foreground reports it)
    stopping: threading.Event | None = None  # set when this process shuts down
    follow_up: Callable[[JobRequest], Job] | None = None  # queues a job the work asks for
    parallel: bool = True  # may the work start processes of its own (not on Celery workers)


def owner_viewer(store: Store, owner: str | None) -> Viewer:
    """The person a job acts for: its owner's account as it is now (None: the command line)."""
    if owner is None:
        return SYSTEM
    try:
        account = get_user(store, owner)
    except NotFoundError as exc:
        raise PermanentJobError(f"the account {owner!r} that started it no longer exists") from exc
    if not account.active:
        raise PermanentJobError(f"the account {owner!r} that started it is disabled")
    return account.viewer


def lost_reason(job: Job, why: str) -> str:
    return (
        f"the process running it was lost {job.attempts} time(s) ({why}); not tried again "
        "(`callcoach jobs retry` starts it afresh)"
    )


def run_job(
    resources: JobResources,
    registry: JobRegistry,
    job_id: int,
    options: RunOptions,
    *,
    task_id: str | None = None,
    echo: Progress | None = None,
) -> JobOutcome:
    """Claim the job, do the work, record the outcome. Safe to call for every delivery."""
    store = resources.store
    with store.unit_of_work() as uow:
        job = uow.jobs.get(job_id, for_update=True)
        if job is None:
            return JobOutcome(JobStatus.FAILED, ran=False, error=f"no job {job_id}", job_id=job_id)
        if job.status.finished:
            return JobOutcome(job.status, False, result=job.result, error=job.error, job_id=job_id)
        if job.status is JobStatus.RUNNING:
            verdict = judge_runner(job, options.heartbeat_s)
            if verdict.alive:
                return JobOutcome(JobStatus.RUNNING, False, error=verdict.reason, job_id=job_id)
            if job.attempts >= job.max_attempts:
                error = lost_reason(job, verdict.reason)
                uow.jobs.end_dead(job.id, job.attempts, JobStatus.FAILED, error)
                return JobOutcome(JobStatus.FAILED, ran=False, error=error, job_id=job_id)
        claimed = uow.jobs.claim(job, options.runner, worker=options.worker, task_id=task_id)
    if claimed is None:
        return JobOutcome(job.status, False, error="taken by another delivery", job_id=job_id)
    return execute(resources, registry, claimed, options, echo=echo)


def execute(
    resources: JobResources,
    registry: JobRegistry,
    job: Job,
    options: RunOptions,
    *,
    echo: Progress | None = None,
) -> JobOutcome:
    """Run a job this process has claimed (`job.attempts` is its claim) to an outcome."""
    store = resources.store
    attempt = job.attempts
    outcome: JobOutcome
    with Heartbeat(store, job.id, attempt, options.heartbeat_s) as heartbeat:
        progress = JobProgressWriter(
            store, job.id, attempt, echo=echo, heartbeat=heartbeat, stopping=options.stopping
        )
        context: JobContext | None = None
        try:
            kind = registry.get(job.kind)
        except KeyError as exc:
            return _finish(store, job, JobStatus.FAILED, error=f"{exc.args[0]} in this version")
        try:
            context = JobContext(
                job,
                resources,
                progress,
                owner_viewer(store, job.owner),
                options.cpu_threads,
                parallel=options.parallel,
                follow_up=options.follow_up,
            )
            result = kind.run(context)
        except JobCancelledError as exc:
            reason = str(exc) if str(exc) != "cancelled" else "cancelled by a user"
            outcome = _finish(store, job, JobStatus.CANCELLED, error=reason)
        except KeyboardInterrupt:
            _finish(store, job, JobStatus.CANCELLED, error="interrupted (Ctrl-C)")
            raise
        except JobInterruptedError:
            with store.unit_of_work() as uow:
                uow.jobs.release(
                    job.id,
                    attempt,
                    error="its process stopped (shutdown); resumes when a queue starts",
                    refund_attempt=True,
                )
            outcome = JobOutcome(JobStatus.QUEUED, ran=True, job_id=job.id)
        except JobLostError as exc:
            outcome = JobOutcome(JobStatus.RUNNING, ran=True, error=str(exc), job_id=job.id)
        except PermanentJobError as exc:
            outcome = _finish(store, job, JobStatus.FAILED, error=str(exc))
        except Exception as exc:
            outcome = _failed_attempt(store, job, exc, options.retry)
        else:
            outcome = _finish(
                store,
                job,
                JobStatus.DONE,
                result=result,
                message=str(result.get("summary") or ""),
                progress=progress.snapshot,
            )
    if context is not None and context.value is not None:
        outcome = replace(outcome, value=context.value)
    return outcome


def _finish(
    store: Store,
    job: Job,
    status: JobStatus,
    *,
    result: dict[str, Any] | None = None,
    error: str | None = None,
    message: str | None = None,
    progress: JobProgress | None = None,
) -> JobOutcome:
    with store.unit_of_work() as uow:
        uow.jobs.finish(
            job.id,
            job.attempts,
            status,
            result=result,
            error=error,
            message=message or (error if status is not JobStatus.DONE else None),
            progress=progress,
        )
    return JobOutcome(status, ran=True, result=result, error=error, job_id=job.id)


def _failed_attempt(store: Store, job: Job, exc: Exception, retry: bool) -> JobOutcome:
    reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:500]
    if not retry:
        return _finish(store, job, JobStatus.FAILED, error=reason)
    if job.attempts >= job.max_attempts:
        return _finish(
            store, job, JobStatus.FAILED, error=f"{reason} (gave up after {job.attempts} attempts)"
        )
    delay = backoff_seconds(job.attempts)
    with store.unit_of_work() as uow:
        uow.jobs.release(
            job.id,
            job.attempts,
            error=f"attempt {job.attempts} of {job.max_attempts} failed: {reason}; "
            f"retrying in {delay:.0f} s",
            not_before=now_utc() + timedelta(seconds=delay),
        )
    return JobOutcome(JobStatus.QUEUED, ran=True, retry_in=delay, error=reason, job_id=job.id)
