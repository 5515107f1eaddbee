"""Pages: the calls list with search, the call page, overrides, evidence feedback, audio."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response, StreamingResponse

from callcoach.domain.trust import CriterionTrust
from callcoach.services.accounts.people import roster
from callcoach.services.accounts.users import Account
from callcoach.services.calls.listing import (
    CallListRequest,
    call_list_csv,
    criterion_options,
)
from callcoach.services.calls.review import (
    audio_file,
    call_type_options,
    evidence_verdicts,
    give_evidence_feedback,
    iter_listed_calls,
    list_calls,
    override_level,
    review_call,
)
from callcoach.services.scoring.trust import decision_states
from callcoach.store.repositories.browse import CallSort
from callcoach.web.auth import check_csrf, container_of, page_account
from callcoach.web.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])
PAGE_SIZE = 50


def _listing_request(request: Request) -> CallListRequest:
    """The list's filters and order from the query string ('' means not given)."""
    return CallListRequest.from_params(dict(request.query_params))


@router.get("/calls")
def calls_page(request: Request, account: Account = Depends(page_account)) -> Response:
    store = container_of(request).store
    wanted = _listing_request(request)
    result = list_calls(
        store,
        account.viewer,
        filters=wanted.filters(),
        text=wanted.q,
        offset=(wanted.page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
        listing=wanted.listing(),
    )
    pages = max(1, (result.total + PAGE_SIZE - 1) // PAGE_SIZE)
    if wanted.page > pages:
        # A page past the end (an old link, a typed number): the last page there is.
        return RedirectResponse(f"/calls?{wanted.query_string(page=pages)}", status_code=303)
    teams, reps = roster(store, account.viewer)
    return render(
        request,
        "calls.html",
        account,
        result=result,
        wanted=wanted,
        page=wanted.page,
        pages=pages,
        reps=[r.name for r in reps],
        teams=[t.name for t in teams],
        call_types=call_type_options(store, account.viewer),
        criteria=criterion_options(store),
        sort_links={
            column: wanted.query_string(sort=column, order=wanted.next_order(column), page=1)
            for column in CallSort
        },
        query_string=wanted.query_string(page=None),
    )


@router.get("/calls.csv")
def calls_csv(request: Request, account: Account = Depends(page_account)) -> Response:
    """The list as shown (same filters and order), every page of it, as CSV."""
    wanted = _listing_request(request)
    rows = iter_listed_calls(
        container_of(request).store,
        account.viewer,
        filters=wanted.filters(),
        text=wanted.q,
        listing=wanted.listing(),
    )
    return StreamingResponse(
        call_list_csv(rows, wanted.criterion),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="calls.csv"'},
    )


# Registered before the call page, whose path would otherwise swallow ".../audio".
@router.get("/calls/{call_id:path}/audio")
def call_audio(
    request: Request, call_id: str, account: Account = Depends(page_account)
) -> Response:
    # Only through this route, after the same visibility check as the call page.
    path = audio_file(container_of(request).store, call_id, account.viewer)
    return FileResponse(path, headers={"Cache-Control": "private, no-store"})


@router.get("/calls/{call_id:path}")
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
    trust: dict[str, CriterionTrust] = {}
    if run is not None:
        with store.unit_of_work() as uow:
            trust = decision_states(uow, run.score.rubric_id)
    return render(
        request,
        "call.html",
        account,
        trust=trust,
        review=review,
        run=run,
        rubrics=rubrics,
        feedback=feedback,
        feedback_enabled=review.can_override,
        saved=request.query_params.get("saved"),
    )


@router.post("/calls/{call_id:path}/override")
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
    return RedirectResponse(
        f"/calls/{quote(call_id, safe='')}?{query}#crit-{criterion_id}", status_code=303
    )


@router.post("/calls/{call_id:path}/evidence")
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
    return RedirectResponse(
        f"/calls/{quote(call_id, safe='')}?{query}#crit-{criterion_id}", status_code=303
    )
