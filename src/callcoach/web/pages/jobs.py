"""The Jobs page: your background jobs (an administrator: every job) with live progress."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from callcoach.domain.jobs import JobStatus
from callcoach.services.accounts.users import Account
from callcoach.services.jobs.views import list_jobs
from callcoach.web.api.jobs import job_out
from callcoach.web.auth import check_csrf, container_of, page_account
from callcoach.web.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])
SHOWN = 100


@router.get("/jobs")
def jobs_page(request: Request, account: Account = Depends(page_account)) -> Response:
    listing = list_jobs(
        container_of(request).store, (), None, SHOWN, viewer=account.viewer, newest_first=True
    )
    return render(
        request,
        "jobs.html",
        account,
        jobs=[job_out(request, job) for job in listing.jobs],
        counts={s.value: listing.counts[s] for s in JobStatus},
        everyone=account.viewer.sees_everything,
        shown=SHOWN,
    )
