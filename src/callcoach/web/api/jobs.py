"""REST API: background jobs, the same records as `callcoach jobs` and the Jobs page.

A viewer sees the jobs they started; an administrator sees every job.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from callcoach.bootstrap import job_registry, queue_for_backend
from callcoach.domain.jobs import Job, JobStatus
from callcoach.services.accounts.users import Account
from callcoach.services.jobs.views import cancel_job, get_job, list_jobs, retry_job
from callcoach.web.auth import api_account, check_csrf, container_of
from callcoach.web.background import WORKER_LABEL
from callcoach.web.schemas import JobListOut, JobOut

router = APIRouter(prefix="/api/v1", dependencies=[Depends(check_csrf)], tags=["jobs"])


def job_out(request: Request, job: Job) -> JobOut:
    registry = job_registry(container_of(request))
    message = job.progress.message
    if job.status is JobStatus.DONE and job.result and job.result.get("summary"):
        message = str(job.result["summary"])
    elif job.status.finished and job.error:
        message = job.error
    return JobOut(
        id=job.id,
        kind=job.kind,
        status=job.status.value,
        owner=job.owner,
        subject=registry.subject(job),
        attempts=job.attempts,
        max_attempts=job.max_attempts,
        done=job.progress.done,
        total=job.progress.total,
        percent=100 if job.status is JobStatus.DONE else job.progress.percent,
        message=message,
        error=job.error,
        result=job.result,
        runner=job.runner.describe() if job.runner else None,
        heartbeat_at=job.heartbeat_at,
        cancel_requested=job.cancel_requested,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )


@router.get("/jobs", response_model=JobListOut)
def jobs(
    request: Request,
    status: list[JobStatus] = Query(default_factory=list, description="Only these states."),
    kind: str | None = Query(None, description="Only this kind (score-calls, transcribe...)."),
    limit: int = Query(50, ge=1, le=500, description="At most this many, newest first."),
    account: Account = Depends(api_account),
) -> JobListOut:
    """Your jobs (an administrator: every job), newest first, with progress."""
    listing = list_jobs(
        container_of(request).store,
        status,
        kind,
        limit,
        viewer=account.viewer,
        newest_first=True,
    )
    return JobListOut(
        counts={s.value: n for s, n in listing.counts.items()},
        jobs=[job_out(request, job) for job in listing.jobs],
    )


@router.get("/jobs/{job_id}", response_model=JobOut)
def job(request: Request, job_id: int, account: Account = Depends(api_account)) -> JobOut:
    return job_out(request, get_job(container_of(request).store, job_id, account.viewer))


@router.post("/jobs/{job_id}/cancel", response_model=JobOut)
def cancel(request: Request, job_id: int, account: Account = Depends(api_account)) -> JobOut:
    """Cancel a queued job at once; a running one stops at its next progress report."""
    return job_out(request, cancel_job(container_of(request).store, job_id, account.viewer))


@router.post("/jobs/{job_id}/retry", response_model=JobOut, status_code=202)
def retry(request: Request, job_id: int, account: Account = Depends(api_account)) -> JobOut:
    """Queue a failed or cancelled job again, with fresh attempts."""
    container = container_of(request)
    return job_out(
        request,
        retry_job(
            container.store,
            queue_for_backend(container, WORKER_LABEL),
            job_id,
            account.viewer,
        ),
    )
