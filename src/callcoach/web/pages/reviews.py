"""Pages: reviews and the team's review cycle; a review for its manager (pack, text editor
checked on every save, final ratings, plan, share, hold, close) or for its rep (self-assessment
first, the review once shared)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from callcoach.domain.access import Role
from callcoach.domain.reviews import DIMENSION_LABELS, DIMENSIONS
from callcoach.services.accounts.people import roster
from callcoach.services.accounts.users import Account
from callcoach.services.reviews import lifecycle
from callcoach.services.reviews.common import require_manager
from callcoach.services.reviews.drafting import generate_draft, save_draft
from callcoach.services.reviews.export import export_review
from callcoach.services.reviews.jobs import review_packs_request
from callcoach.services.reviews.prepare import prepare_review
from callcoach.services.reviews.views import list_reviews, quick_missing, show_review, team_cycle
from callcoach.web.auth import check_csrf, container_of, page_account
from callcoach.web.background import submit
from callcoach.web.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])
MEDIA = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}


def _back(review_id: int, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/reviews/{review_id}{anchor}", status_code=303)


@router.get("/reviews")
def reviews_page(request: Request, account: Account = Depends(page_account)) -> Response:
    store = container_of(request).store
    viewer = account.viewer
    reviews = list_reviews(store, viewer)
    teams, reps = roster(store, viewer)
    cycles = []
    if account.role is not Role.REP:
        cycles = [
            team_cycle(store, t.name, viewer) for t in teams if any(r.team == t.name for r in reps)
        ]
    return render(
        request,
        "reviews.html",
        account,
        reviews=reviews,
        missing={r.id: quick_missing(r) for r in reviews},
        cycles=cycles,
        reps=reps if account.role is not Role.REP else [],
        today=date.today().isoformat(),
    )


@router.post("/reviews")
def prepare_page(
    request: Request,
    rep: str = Form(...),
    as_of: date = Form(...),
    account: Account = Depends(page_account),
) -> Response:
    container = container_of(request)
    settings = container.settings
    done = prepare_review(
        container.store,
        rep,
        rubric=settings.default_rubric,
        as_of=as_of,
        viewer=account.viewer,
        settings=settings,
        preferred_scorer=settings.scorer,
    )
    return _back(done.review_id)


@router.post("/reviews/cycles")
def prepare_cycle_page(
    request: Request,
    team: str = Form(...),
    as_of: date = Form(...),
    account: Account = Depends(page_account),
) -> Response:
    """A team's review cycle: every rep's pack, prepared by a background job."""
    container = container_of(request)
    settings = container.settings
    require_manager(account.viewer, "prepare reviews")
    team_cycle(container.store, team, account.viewer)  # an unknown or unseen team: 404 here
    submit(
        request,
        review_packs_request(
            team,
            rubric=settings.default_rubric,
            as_of=as_of,
            window_days=None,
            owner=account.username,
        ),
    )
    return RedirectResponse("/jobs", status_code=303)


@router.get("/reviews/{review_id}")
def review_page(
    request: Request, review_id: int, account: Account = Depends(page_account)
) -> Response:
    view = show_review(container_of(request).store, review_id, account.viewer)
    flagged = {}
    if view.draft is not None:
        flagged = {s.index: s for s in view.draft.check.sentences if s.status != "ok"}
    return render(
        request,
        "review.html",
        account,
        view=view,
        pack=view.pack,
        dimensions=[(d.value, DIMENSION_LABELS[d]) for d in DIMENSIONS],
        flagged=flagged,
        today=date.today().isoformat(),
    )


@router.post("/reviews/{review_id}/self-assessment")
async def self_assessment_page(
    request: Request, review_id: int, account: Account = Depends(page_account)
) -> Response:
    form = await request.form()
    data = {
        d.value: {
            "rating": str(form.get(f"{d.value}_rating") or ""),
            "words": str(form.get(f"{d.value}_words") or ""),
        }
        for d in DIMENSIONS
    }
    lifecycle.self_assess(container_of(request).store, review_id, data, account.viewer)
    return _back(review_id)


@router.post("/reviews/{review_id}/draft")
def save_draft_page(
    request: Request,
    review_id: int,
    text: str = Form(...),
    account: Account = Depends(page_account),
) -> Response:
    save_draft(container_of(request).store, review_id, text, account.viewer)
    return _back(review_id, "#text")


@router.post("/reviews/{review_id}/draft/generate")
def generate_draft_page(
    request: Request, review_id: int, account: Account = Depends(page_account)
) -> Response:
    container = container_of(request)
    generate_draft(container.store, review_id, account.viewer, container.settings)
    return _back(review_id, "#text")


@router.post("/reviews/{review_id}/ratings")
async def ratings_page(
    request: Request, review_id: int, account: Account = Depends(page_account)
) -> Response:
    form = await request.form()
    ratings = {
        d.value: str(form.get(f"{d.value}_rating"))
        for d in DIMENSIONS
        if form.get(f"{d.value}_rating")
    }
    reasons = {d.value: str(form.get(f"{d.value}_reason") or "") for d in DIMENSIONS}
    lifecycle.rate(container_of(request).store, review_id, ratings, reasons, account.viewer)
    return _back(review_id, "#ratings")


@router.post("/reviews/{review_id}/plan")
def plan_page(
    request: Request,
    review_id: int,
    assignments: str = Form(""),
    notes: str = Form(""),
    account: Account = Depends(page_account),
) -> Response:
    lifecycle.set_plan(
        container_of(request).store, review_id, assignments.splitlines(), notes, account.viewer
    )
    return _back(review_id, "#plan")


@router.post("/reviews/{review_id}/{action}")
def transition_page(
    request: Request,
    review_id: int,
    action: str,
    on: date | None = Form(None),
    account: Account = Depends(page_account),
) -> Response:
    store = container_of(request).store
    if action == "share":
        lifecycle.share(store, review_id, account.viewer)
    elif action == "hold":
        lifecycle.hold(store, review_id, on, account.viewer)
    elif action == "close":
        lifecycle.close(store, review_id, account.viewer)
    else:
        return render(
            request, "error.html", account, status_code=404, status=404, message="no such page"
        )
    return _back(review_id)


@router.get("/reviews/{review_id}/export.{fmt}")
def export_page(
    request: Request, review_id: int, fmt: str, account: Account = Depends(page_account)
) -> Response:
    data = export_review(container_of(request).store, review_id, fmt, account.viewer)
    disposition = "inline" if fmt == "html" else "attachment"
    return Response(
        data,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'{disposition}; filename="review-{review_id}.{fmt}"'},
    )
