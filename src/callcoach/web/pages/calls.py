"""Pages: the calls list with search, the call page, overrides, evidence feedback, audio."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from callcoach.services.accounts.users import Account
from callcoach.services.calls.review import (
    audio_file,
    evidence_verdicts,
    give_evidence_feedback,
    list_calls,
    override_level,
    review_call,
)
from callcoach.store.repositories.calls import CallFilter
from callcoach.web.auth import check_csrf, container_of, page_account
from callcoach.web.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])
PAGE_SIZE = 50


@router.get("/calls")
def calls_page(
    request: Request,
    q: str | None = None,
    rep: str | None = None,
    team: str | None = None,
    page: int = 1,
    account: Account = Depends(page_account),
) -> Response:
    page = max(1, page)
    result = list_calls(
        container_of(request).store,
        account.viewer,
        filters=CallFilter(rep=rep or None, team=team or None),
        text=q,
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    params = {k: v for k, v in {"q": q, "rep": rep, "team": team}.items() if v}
    pages = max(1, (result.total + PAGE_SIZE - 1) // PAGE_SIZE)
    return render(
        request,
        "calls.html",
        account,
        result=result,
        q=q or "",
        rep=rep or "",
        team=team or "",
        page=page,
        pages=pages,
        query_string=urlencode(params),
    )


@router.get("/calls/{call_id}")
def call_page(
    request: Request,
    call_id: str,
    rubric: str | None = None,
    account: Account = Depends(page_account),
) -> Response:
    store = container_of(request).store
    review = review_call(store, call_id, account.viewer)
    run = review.run(rubric)
    feedback = evidence_verdicts(store, call_id, account.viewer) if review.can_override else {}
    rubrics = sorted({r.score.rubric_id for r in review.runs})
    return render(
        request,
        "call.html",
        account,
        review=review,
        run=run,
        rubrics=rubrics,
        feedback=feedback,
        feedback_enabled=review.can_override,
        saved=request.query_params.get("saved"),
    )


@router.post("/calls/{call_id}/override")
def override(
    request: Request,
    call_id: str,
    rubric_id: str = Form(...),
    criterion_id: str = Form(...),
    level: int = Form(...),
    note: str = Form(""),
    account: Account = Depends(page_account),
) -> Response:
    override_level(
        container_of(request).store,
        call_id,
        rubric_id,
        criterion_id,
        level,
        note,
        account.viewer,
    )
    query = urlencode({"rubric": rubric_id, "saved": criterion_id})
    return RedirectResponse(f"/calls/{call_id}?{query}#crit-{criterion_id}", status_code=303)


@router.post("/calls/{call_id}/evidence")
def evidence_feedback(
    request: Request,
    call_id: str,
    rubric_id: str = Form(...),
    criterion_id: str = Form(...),
    segment: int = Form(...),
    verdict: str = Form(...),
    account: Account = Depends(page_account),
) -> Response:
    give_evidence_feedback(
        container_of(request).store,
        call_id,
        rubric_id,
        criterion_id,
        segment,
        verdict,
        account.viewer,
    )
    query = urlencode({"rubric": rubric_id})
    return RedirectResponse(f"/calls/{call_id}?{query}#crit-{criterion_id}", status_code=303)


@router.get("/calls/{call_id}/audio")
def call_audio(
    request: Request, call_id: str, account: Account = Depends(page_account)
) -> Response:
    # Only through this route, after the same visibility check as the call page.
    path = audio_file(container_of(request).store, call_id, account.viewer)
    return FileResponse(path, headers={"Cache-Control": "private, no-store"})
