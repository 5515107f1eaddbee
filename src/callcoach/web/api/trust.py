"""REST API: per-criterion trust (the numbers of the Trust page and `callcoach scorer trust`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from callcoach.services.accounts.users import Account
from callcoach.services.scoring.trust import report_json, trust_report
from callcoach.web.auth import api_account, check_csrf, container_of

router = APIRouter(prefix="/api/v1", tags=["scoring"], dependencies=[Depends(check_csrf)])


@router.get("/trust")
def trust(
    request: Request,
    rubric: str | None = Query(None, description="Rubric id; default CALLCOACH_DEFAULT_RUBRIC."),
    account: Account = Depends(api_account),
) -> dict[str, Any]:
    """Per criterion: state (trusted, learning, not_trusted), whether it drives automatic
    decisions, the reasons, and the figures with their 95% intervals and n (as last measured;
    `fresh` says whether judgements changed since)."""
    store = container_of(request).store
    with store.unit_of_work() as uow:
        return report_json(
            trust_report(uow, rubric or container_of(request).settings.default_rubric)
        )
