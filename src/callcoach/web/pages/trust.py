"""Pages: "Can you trust the scores?" (per-criterion trust, opt-ins) and "Teach the scorer"."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from callcoach.services.accounts.users import Account, PermissionDeniedError
from callcoach.services.calls.review import can_override, give_evidence_feedback
from callcoach.services.scoring.trust import measure_trust, set_opt_in, trust_report
from callcoach.services.scoring.trust_teach import teach_queue
from callcoach.web.auth import check_csrf, container_of, page_account
from callcoach.web.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])
MAX_SKIPPED = 50  # skipped moments remembered in the page's address
REMEASURE_EVERY = 10  # answers between two trust measurements in a teaching session


def _manager(account: Account) -> None:
    if not can_override(account.viewer):
        raise PermissionDeniedError("only a manager or an administrator can teach the scorer")


def _rubric(request: Request, rubric: str | None) -> str:
    return rubric or container_of(request).settings.default_rubric


@router.get("/trust")
def trust_page(
    request: Request, rubric: str | None = None, account: Account = Depends(page_account)
) -> Response:
    store = container_of(request).store
    rubric_id = _rubric(request, rubric)
    with store.unit_of_work() as uow:
        report = trust_report(uow, rubric_id)
        rubrics = [s.rubric.id for s, _ in uow.rubrics.list()]
    return render(
        request,
        "trust.html",
        account,
        report=report,
        rubrics=rubrics,
        can_manage=can_override(account.viewer),
    )


@router.post("/trust/measure")
def trust_measure(
    request: Request, rubric_id: str = Form(...), account: Account = Depends(page_account)
) -> Response:
    _manager(account)
    measure_trust(container_of(request).store, rubric_id)
    return RedirectResponse(f"/trust?{urlencode({'rubric': rubric_id})}", status_code=303)


@router.post("/trust/opt-in")
def trust_opt_in(
    request: Request,
    rubric_id: str = Form(...),
    criterion_id: str = Form(...),
    opted_in: str = Form(...),
    note: str = Form(""),
    account: Account = Depends(page_account),
) -> Response:
    _manager(account)
    set_opt_in(
        container_of(request).store,
        rubric_id,
        criterion_id,
        opted_in == "yes",
        account.username,
        note.strip() or None,
    )
    return RedirectResponse(
        f"/trust?{urlencode({'rubric': rubric_id})}#crit-{criterion_id}", status_code=303
    )


def _skipped(text: str) -> frozenset[tuple[str, int]]:
    result = set()
    for item in text.split(","):
        call_id, sep, turn = item.rpartition(":")
        if sep and call_id and turn.isdigit():
            result.add((call_id, int(turn)))
    return frozenset(result)


@router.get("/teach")
def teach_page(
    request: Request,
    rubric: str | None = None,
    criterion: str | None = None,
    skipped: str = "",
    answered: int = 0,
    account: Account = Depends(page_account),
) -> Response:
    _manager(account)
    store = container_of(request).store
    rubric_id = _rubric(request, rubric)
    with store.unit_of_work() as uow:
        report = trust_report(uow, rubric_id)
    criterion_id = criterion or next(
        (c.criterion_id for c in report.criteria if c.trust.state.value != "trusted"),
        report.criteria[0].criterion_id,
    )
    queue = teach_queue(
        store,
        rubric_id,
        criterion_id,
        count=1,
        viewer=account.viewer,
        skip=_skipped(skipped),
    )
    return render(
        request,
        "teach.html",
        account,
        report=report,
        queue=queue,
        moment=queue.moments[0] if queue.moments else None,
        skipped=skipped,
        answered=answered,
    )


@router.post("/teach")
def teach_answer(
    request: Request,
    rubric_id: str = Form(...),
    criterion_id: str = Form(...),
    call_id: str = Form(...),
    turn: int = Form(...),
    answer: str = Form(...),
    skipped: str = Form(""),
    answered: int = Form(0),
    account: Account = Depends(page_account),
) -> Response:
    _manager(account)
    if answer == "skip":
        items = [s for s in skipped.split(",") if s][-MAX_SKIPPED + 1 :]
        skipped = ",".join([*items, f"{call_id}:{turn}"])
    else:
        # A normal evidence verdict: audited and learned from like any other.
        give_evidence_feedback(
            container_of(request).store,
            call_id,
            rubric_id,
            criterion_id,
            turn,
            answer,
            account.viewer,
        )
        answered += 1
        if answered % REMEASURE_EVERY == 0:
            # The queue stops once the criterion is trusted: measure with the new answers.
            measure_trust(container_of(request).store, rubric_id)
    query = urlencode(
        {"rubric": rubric_id, "criterion": criterion_id, "skipped": skipped, "answered": answered}
    )
    return RedirectResponse(f"/teach?{query}", status_code=303)
