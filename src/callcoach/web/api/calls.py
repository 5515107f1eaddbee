"""REST API: calls, a call with its scores, overrides, scores and their export."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from enum import StrEnum
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from callcoach.domain.scores import CallScore
from callcoach.services.accounts.users import Account
from callcoach.services.calls.listing import CallListRequest
from callcoach.services.calls.review import list_calls, override_level, review_call, visible_scores
from callcoach.services.scoring.trust import decision_states
from callcoach.store.repositories.browse import CallSort
from callcoach.store.repositories.calls import CallFilter
from callcoach.web.auth import api_account, check_csrf, container_of
from callcoach.web.schemas import (
    CallDetailOut,
    CallListOut,
    CallScoreOut,
    CallSummaryOut,
    HumanRatingOut,
    OverrideIn,
)

router = APIRouter(prefix="/api/v1", tags=["calls"], dependencies=[Depends(check_csrf)])


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


def _filters(
    rep: str | None, team: str | None, since: datetime | None, until: datetime | None
) -> CallFilter:
    return CallFilter(rep=rep, team=team, since=since, until=until)


@router.get("/calls", response_model=CallListOut)
def calls(
    request: Request,
    q: str | None = Query(None, description="Text searched in transcripts, accounts and ids."),
    rep: str | None = None,
    team: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    call_type: str | None = Query(None, alias="type", description="Only calls of this type."),
    outcome: str | None = Query(None, description="Deal outcome: won, lost, open, or none."),
    criterion: str | None = Query(None, description="A criterion id, for the level filter."),
    level_min: int | None = Query(None, ge=1, le=5, description="Lowest level on `criterion`."),
    level_max: int | None = Query(None, ge=1, le=5, description="Highest level on `criterion`."),
    sort: CallSort = Query(CallSort.DATE, description="Column to sort by."),
    order: str | None = Query(None, pattern="^(asc|desc)$", description="asc or desc."),
    offset: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=200),
    account: Account = Depends(api_account),
) -> CallListOut:
    """Calls you may see (a rep: their own; a manager: their teams'), newest first unless
    sorted otherwise; the same filters and order as the calls page and its CSV export."""
    listing = CallListRequest.from_params(
        {
            "type": call_type or "",
            "outcome": outcome or "",
            "criterion": criterion or "",
            "level_min": str(level_min or ""),
            "level_max": str(level_max or ""),
            "sort": sort.value,
            "order": order or "",
        }
    ).listing()
    page = list_calls(
        container_of(request).store,
        account.viewer,
        filters=_filters(rep, team, since, until),
        text=q,
        offset=offset,
        limit=limit,
        listing=listing,
    )
    return CallListOut(
        items=[CallSummaryOut.of(i) for i in page.items],
        total=page.total,
        offset=page.offset,
        limit=page.limit,
    )


# Longer paths first: a call id may contain '/', and the detail route would swallow them.
@router.get("/calls/{call_id:path}/scores", response_model=list[CallScoreOut])
def call_scores(
    request: Request, call_id: str, account: Account = Depends(api_account)
) -> list[CallScoreOut]:
    review = review_call(container_of(request).store, call_id, account.viewer)
    return [CallScoreOut.of(r.score) for r in review.runs]


@router.get("/calls/{call_id:path}", response_model=CallDetailOut)
def call_detail(
    request: Request, call_id: str, account: Account = Depends(api_account)
) -> CallDetailOut:
    """A call with its transcript, every machine score and every human rating."""
    store = container_of(request).store
    review = review_call(store, call_id, account.viewer)
    with store.unit_of_work() as uow:
        trust = {r: decision_states(uow, r) for r in {run.score.rubric_id for run in review.runs}}
    return CallDetailOut.of(review, trust)


@router.post("/calls/{call_id:path}/overrides", response_model=HumanRatingOut, status_code=201)
def call_override(
    request: Request, call_id: str, body: OverrideIn, account: Account = Depends(api_account)
) -> HumanRatingOut:
    """A manager's level for one criterion, kept as a human rating (the machine score stays)."""
    rating = override_level(
        container_of(request).store,
        call_id,
        body.rubric_id,
        body.criterion_id,
        body.level,
        body.note,
        account.viewer,
    )
    return HumanRatingOut.of(rating)


@router.get("/scores", response_model=list[CallScoreOut])
def scores(
    request: Request,
    rubric: str | None = None,
    rep: str | None = None,
    team: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    offset: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=1000),
    account: Account = Depends(api_account),
) -> list[CallScoreOut]:
    """Machine scores on the calls you may see, oldest call first."""
    found = visible_scores(
        container_of(request).store,
        account.viewer,
        rubric_id=rubric,
        filters=_filters(rep, team, since, until),
    )
    result = []
    for position, score in enumerate(found):
        if position >= offset + limit:
            break
        if position >= offset:
            result.append(CallScoreOut.of(score))
    return result


def export_record(score: CallScore) -> dict[str, Any]:
    """One line of the `callcoach export scores` JSONL format."""
    out = CallScoreOut.of(score)
    return {
        "call_id": out.call_id,
        "rubric_id": out.rubric_id,
        "rubric_version": out.rubric_version,
        "scorer": out.scorer,
        "overall": out.overall,
        "criteria": [c.model_dump() for c in out.criteria],
    }


CSV_COLUMNS = [
    "call_id",
    "rubric_id",
    "rubric_version",
    "scorer",
    "overall",
    "criterion_id",
    "level",
    "confidence",
    "rationale",
    "evidence",
]


def _csv_lines(found: Iterator[CallScore]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for score in found:
        for crit in score.criteria:
            writer.writerow(
                [
                    score.call_id,
                    score.rubric_id,
                    score.rubric_version,
                    score.scorer,
                    "" if score.overall is None else f"{score.overall:.3f}",
                    crit.criterion_id,
                    "" if crit.level is None else crit.level,
                    f"{crit.confidence:.3f}",
                    crit.rationale,
                    " | ".join(f"[{e.segment}] {e.quote}" for e in crit.evidence),
                ]
            )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


@router.get("/scores/export", response_class=StreamingResponse)
def export_scores(
    request: Request,
    format: ExportFormat = ExportFormat.jsonl,
    rubric: str | None = None,
    rep: str | None = None,
    team: str | None = None,
    account: Account = Depends(api_account),
) -> StreamingResponse:
    """Every score you may see, as JSONL (the `callcoach export scores` format) or CSV."""
    found = visible_scores(
        container_of(request).store,
        account.viewer,
        rubric_id=rubric,
        filters=_filters(rep, team, None, None),
    )
    if format is ExportFormat.csv:
        return StreamingResponse(
            _csv_lines(found),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="scores.csv"'},
        )
    lines = (json.dumps(export_record(s), default=str) + "\n" for s in found)
    return StreamingResponse(
        lines,
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="scores.jsonl"'},
    )
