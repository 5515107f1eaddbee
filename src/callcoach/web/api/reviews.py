"""REST API: performance reviews, with the rules of the pages and the CLI (a rep reads only
their own review, once shared and after their self-assessment; a manager their team's)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from callcoach.services.accounts.users import Account
from callcoach.services.reviews import lifecycle
from callcoach.services.reviews.common import pack_to_json
from callcoach.services.reviews.drafting import generate_draft, save_draft
from callcoach.services.reviews.export import export_review
from callcoach.services.reviews.prepare import prepare_review
from callcoach.services.reviews.views import list_reviews, quick_missing, show_review, team_cycle
from callcoach.services.reviews.views_json import finite, view_json
from callcoach.web.auth import api_account, check_csrf, container_of

router = APIRouter(prefix="/api/v1/reviews", tags=["reviews"], dependencies=[Depends(check_csrf)])
MEDIA = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}


class PrepareRequest(BaseModel):
    rep: str
    as_of: date | None = None
    window_days: int | None = Field(None, ge=7, le=730)
    rubric: str | None = None


class SelfAssessmentRequest(BaseModel):
    """Per dimension (output, activity, skill, growth): {"rating": 1-5, "words": "..."}."""

    ratings: dict[str, dict[str, Any]]


class DraftRequest(BaseModel):
    text: str | None = None  # the manager's edit; None: write it from the evidence
    model: bool | None = None  # let the configured model phrase it (default: settings)


class RatingsRequest(BaseModel):
    ratings: dict[str, int]
    reasons: dict[str, str] = Field(default_factory=dict)


class PlanRequest(BaseModel):
    assignments: list[str] | None = None
    notes: str | None = None


class HoldRequest(BaseModel):
    on: date | None = None


def _summary(summary: Any) -> dict[str, Any]:
    data: dict[str, Any] = finite({**asdict(summary), "missing": quick_missing(summary)})
    return data


@router.get("")
def reviews(
    request: Request,
    rep: str | None = None,
    team: str | None = None,
    state: str | None = Query(None, description="draft, shared, held or closed"),
    account: Account = Depends(api_account),
) -> list[dict[str, Any]]:
    """Reviews the caller may see, newest first, with what each still lacks."""
    found = list_reviews(
        container_of(request).store, account.viewer, rep=rep, team=team, state=state
    )
    return [_summary(s) for s in found]


@router.post("", status_code=201)
def prepare(
    request: Request, body: PrepareRequest, account: Account = Depends(api_account)
) -> dict[str, Any]:
    """Build a rep's review pack and store it as a draft review."""
    container = container_of(request)
    settings = container.settings
    done = prepare_review(
        container.store,
        body.rep,
        rubric=body.rubric or settings.default_rubric,
        as_of=body.as_of,
        window_days=body.window_days,
        viewer=account.viewer,
        settings=settings,
        preferred_scorer=settings.scorer,
    )
    data: dict[str, Any] = finite({"review": done.review_id, "pack": pack_to_json(done.pack)})
    return data


@router.get("/teams/{team}/cycle")
def cycle(request: Request, team: str, account: Account = Depends(api_account)) -> dict[str, Any]:
    """Per rep of the team: the latest review, self-assessed or not, missing outputs."""
    found = team_cycle(container_of(request).store, team, account.viewer)
    data: dict[str, Any] = finite(
        {"team": found.team, "reps": [asdict(line) for line in found.lines]}
    )
    return data


@router.get("/{review_id}")
def review(
    request: Request, review_id: int, account: Account = Depends(api_account)
) -> dict[str, Any]:
    """The review as the caller may read it (a rep: not before it is shared, and only after
    their self-assessment is on record)."""
    return view_json(show_review(container_of(request).store, review_id, account.viewer))


@router.post("/{review_id}/self-assessment")
def self_assessment(
    request: Request,
    review_id: int,
    body: SelfAssessmentRequest,
    account: Account = Depends(api_account),
) -> dict[str, Any]:
    summary = lifecycle.self_assess(
        container_of(request).store, review_id, body.ratings, account.viewer
    )
    return _summary(summary)


@router.post("/{review_id}/draft")
def draft(
    request: Request, review_id: int, body: DraftRequest, account: Account = Depends(api_account)
) -> dict[str, Any]:
    """Write the text from the evidence, or save the manager's edit; every sentence checked."""
    container = container_of(request)
    if body.text is not None:
        result = save_draft(container.store, review_id, body.text, account.viewer)
    else:
        result = generate_draft(
            container.store, review_id, account.viewer, container.settings, use_model=body.model
        )
    data: dict[str, Any] = finite(
        {
            "review": result.review_id,
            "version": result.version,
            "source": result.source,
            "text": result.text,
            "check": asdict(result.check),
            "summary": result.check.summary(),
            "model": result.model,
        }
    )
    return data


@router.put("/{review_id}/ratings")
def ratings(
    request: Request, review_id: int, body: RatingsRequest, account: Account = Depends(api_account)
) -> dict[str, Any]:
    summary = lifecycle.rate(
        container_of(request).store, review_id, body.ratings, body.reasons, account.viewer
    )
    return _summary(summary)


@router.put("/{review_id}/plan")
def plan(
    request: Request, review_id: int, body: PlanRequest, account: Account = Depends(api_account)
) -> dict[str, Any]:
    summary = lifecycle.set_plan(
        container_of(request).store, review_id, body.assignments, body.notes, account.viewer
    )
    return _summary(summary)


@router.post("/{review_id}/share")
def share(
    request: Request, review_id: int, account: Account = Depends(api_account)
) -> dict[str, Any]:
    return _summary(lifecycle.share(container_of(request).store, review_id, account.viewer))


@router.post("/{review_id}/hold")
def hold(
    request: Request, review_id: int, body: HoldRequest, account: Account = Depends(api_account)
) -> dict[str, Any]:
    """The meeting took place: schedules the 30-day checkpoint as a coaching event."""
    return _summary(lifecycle.hold(container_of(request).store, review_id, body.on, account.viewer))


@router.post("/{review_id}/close")
def close(
    request: Request, review_id: int, account: Account = Depends(api_account)
) -> dict[str, Any]:
    """Refused (400, naming what is missing) until the four outputs exist."""
    return _summary(lifecycle.close(container_of(request).store, review_id, account.viewer))


@router.get("/{review_id}/export")
def export(
    request: Request,
    review_id: int,
    format: str = Query("pdf", description="md, html or pdf"),
    account: Account = Depends(api_account),
) -> Response:
    data = export_review(container_of(request).store, review_id, format, account.viewer)
    return Response(
        data,
        media_type=MEDIA.get(format, "application/octet-stream"),
        headers={"Content-Disposition": f'attachment; filename="review-{review_id}.{format}"'},
    )
