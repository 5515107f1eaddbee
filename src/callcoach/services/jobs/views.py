"""The jobs people see, cancel and retry: the same records for the CLI, the web and the API.

An administrator (and the command line) sees every job; anyone else only the jobs they
started. A job outside the viewer's view is reported exactly like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from callcoach.domain.access import SYSTEM, Role, Viewer
from callcoach.domain.jobs import Job, JobBackend, JobStatus
from callcoach.services.common import NotFoundError, ServiceError
from callcoach.services.jobs.queue import TaskQueue
from callcoach.store.uow import Store


def _owner_filter(viewer: Viewer) -> str | None:
    return None if viewer.role is Role.ADMIN else viewer.username


def _visible(job: Job, viewer: Viewer) -> bool:
    return viewer.role is Role.ADMIN or (job.owner is not None and job.owner == viewer.username)


@dataclass
class JobListing:
    jobs: list[Job]
    counts: dict[JobStatus, int]


def list_jobs(
    store: Store,
    statuses: Sequence[JobStatus] = (),
    kind: str | None = None,
    limit: int | None = None,
    *,
    viewer: Viewer = SYSTEM,
    newest_first: bool = False,
) -> JobListing:
    owner = _owner_filter(viewer)
    with store.unit_of_work() as uow:
        return JobListing(
            jobs=uow.jobs.list(statuses, kind, limit, owner=owner, newest_first=newest_first),
            counts=uow.jobs.counts(owner),
        )


def get_job(store: Store, job_id: int, viewer: Viewer = SYSTEM) -> Job:
    with store.unit_of_work() as uow:
        job = uow.jobs.get(job_id)
    if job is None or not _visible(job, viewer):
        raise NotFoundError(f"no job {job_id} (see `callcoach jobs` or the Jobs page)")
    return job


def cancel_job(store: Store, job_id: int, viewer: Viewer = SYSTEM) -> Job:
    """Cancel a queued job now; a running one stops at its next progress report (what it
    finished stays: scores already saved are kept)."""
    job = get_job(store, job_id, viewer)
    if job.status.finished:
        raise ServiceError(f"job {job_id} is {job.status.value}; nothing to cancel")
    with store.unit_of_work() as uow:
        cancelled = uow.jobs.cancel(job_id)
    assert cancelled is not None
    return cancelled


def retry_job(
    store: Store,
    queue_for: Callable[[JobBackend], TaskQueue],
    job_id: int,
    viewer: Viewer = SYSTEM,
) -> Job:
    """Send a job again with fresh attempts: a failed or cancelled one, or one whose message
    was lost. It goes to the queue that ran it (in-process, or Celery)."""
    job = get_job(store, job_id, viewer)
    if job.status is JobStatus.DONE:
        raise ServiceError(f"job {job_id} is done; nothing to retry")
    if job.status is JobStatus.RUNNING:
        raise ServiceError(
            f"job {job_id} is running in {job.runner.describe() if job.runner else 'a worker'}; "
            "if that process is gone it is resumed by recovery (see docs/deployment.md)"
        )
    queue = queue_for(job.backend)
    queue.check()
    with store.unit_of_work() as uow:
        job = uow.jobs.requeue(job_id)
    task_id = queue.submit(job)
    with store.unit_of_work() as uow:
        if task_id is not None:
            uow.jobs.set_task(job.id, task_id)
        refreshed = uow.jobs.get(job.id)
    assert refreshed is not None
    return refreshed
