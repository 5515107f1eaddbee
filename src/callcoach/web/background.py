"""The web process's side of the job system: its queue, and the jobs requests start.

With the in-process queue (CALLCOACH_JOB_QUEUE=inprocess, the default) each server process
runs a pool of job threads, started with the app (recovering what a stopped server left) and
stopped with it (a running job goes back to the queue, its attempt not counted). With Celery
the server only sends jobs; `callcoach worker` runs them.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from callcoach.bootstrap import Container, job_queue, job_registry
from callcoach.domain.access import Viewer
from callcoach.domain.jobs import Job
from callcoach.services.jobs.queue import submit_job
from callcoach.services.jobs.registry import JobRequest
from callcoach.services.jobs.scoring import imported_calls_requests
from callcoach.web.auth import container_of

WORKER_LABEL = "serve"


def start_jobs(container: Container) -> None:
    """Start this server's job threads (in-process queue only)."""
    if container.settings.job_queue == "inprocess":
        job_queue(container, WORKER_LABEL).start()


def stop_jobs(container: Container) -> None:
    queue = container._cache.get("inprocess_queue")
    if queue is not None:
        queue.stop()


def submit(request: Request, job_request: JobRequest) -> Job:
    """Queue a job for the request's user (the same job if it already waits or runs)."""
    container = container_of(request)
    queue = job_queue(container, WORKER_LABEL)
    queue.check()
    job, _ = submit_job(
        container.store,
        queue,
        job_registry(container),
        job_request,
        default_attempts=container.settings.job_max_attempts,
    )
    return job


def score_uploaded(request: Request, kind: str, report: Any, viewer: Viewer) -> Job | None:
    """Score calls just uploaded, as a job (CALLCOACH_SCORE_AFTER_IMPORT, on by default)."""
    settings = container_of(request).settings
    if kind != "calls" or not settings.score_after_import:
        return None
    call_ids = [c for f in getattr(report, "files", []) for c in getattr(f, "call_ids", [])]
    job_requests = imported_calls_requests(
        container_of(request).store,
        call_ids,
        default_rubric=settings.default_rubric,
        scorer=settings.scorer,
        owner=viewer.username,
    )
    # One job per rubric the calls' teams use; the page follows the first.
    jobs = [submit(request, job_request) for job_request in job_requests]
    return jobs[0] if jobs else None
