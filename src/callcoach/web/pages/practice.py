"""Pages: practice scenarios ("Practise this moment" from a call's evidence or a priority,
"Practise this" on an assignment), a
scenario (managers edit it), and a session (type or hold to talk; the coach after each attempt)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from callcoach.domain.access import Role
from callcoach.domain.practice import DIFFICULTY_NAMES, AttemptStatus, TurnSpeaker
from callcoach.services.accounts.users import Account
from callcoach.services.practice import sessions as ops
from callcoach.services.practice.coach import line_ids
from callcoach.services.practice.from_assignment import create_from_assignment
from callcoach.services.practice.prospect import SILENCE_NOTES
from callcoach.services.practice.scenarios import (
    create_from_call,
    create_from_priority,
    edit_scenario,
    list_scenarios,
    show_scenario,
)
from callcoach.web.auth import check_csrf, container_of, page_account
from callcoach.web.practice_kit import practice_kit, spoken_practice_turn
from callcoach.web.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])


def _to_session(session_id: int, anchor: str = "#bottom") -> RedirectResponse:
    return RedirectResponse(f"/practice/sessions/{session_id}{anchor}", status_code=303)


@router.get("/practice")
def practice_page(request: Request, account: Account = Depends(page_account)) -> Response:
    store = container_of(request).store
    return render(
        request,
        "practice.html",
        account,
        scenarios=list_scenarios(store, account.viewer),
        sessions=ops.list_sessions(store, account.viewer),
        difficulty_names=DIFFICULTY_NAMES,
    )


@router.post("/practice/scenarios")
def create_page(
    request: Request,
    call: str | None = Form(None),
    criterion: str | None = Form(None),
    segment: int | None = Form(None),
    rubric: str | None = Form(None),
    rep: str | None = Form(None),
    priority: int = Form(1),
    cycle: str | None = Form(None),
    assignment: int | None = Form(None),
    account: Account = Depends(page_account),
) -> Response:
    container = container_of(request)
    if assignment is not None:
        scenario = create_from_assignment(
            container.store,
            assignment,
            viewer=account.viewer,
            settings=container.settings,
            encoder=practice_kit(container).prospect.text_encoder(),
        )
    elif call:
        scenario = create_from_call(
            container.store,
            call,
            criterion or "",
            segment=segment,
            rubric=rubric,
            viewer=account.viewer,
            settings=container.settings,
        )
    else:
        scenario = create_from_priority(
            container.store,
            rep or "",
            priority,
            rubric=rubric,
            cycle=cycle,
            viewer=account.viewer,
            settings=container.settings,
        )
    return RedirectResponse(f"/practice/scenarios/{scenario.id}", status_code=303)


@router.get("/practice/scenarios/{scenario_id}")
def scenario_page(
    request: Request, scenario_id: int, account: Account = Depends(page_account)
) -> Response:
    store = container_of(request).store
    scenario = show_scenario(store, scenario_id, account.viewer)
    return render(
        request,
        "practice_scenario.html",
        account,
        scenario=scenario,
        sessions=ops.list_sessions(store, account.viewer, scenario_id=scenario_id),
        can_edit=account.role is not Role.REP,
        difficulty_names=DIFFICULTY_NAMES,
    )


@router.post("/practice/scenarios/{scenario_id}/edit")
async def edit_page(
    request: Request, scenario_id: int, account: Account = Depends(page_account)
) -> Response:
    form = await request.form()
    changes: dict[str, object] = {}
    for key in ("title", "difficulty", "turn_limit", "opening_line", "goal_anchor"):
        value = str(form.get(key) or "").strip()
        if value:
            changes[key] = value
    for key in ("persona_name", "persona_role", "persona_company"):
        if key in form:
            changes[key] = str(form.get(key) or "")
    for key in ("cares_about", "concerns"):
        if key in form:
            changes[key] = [line for line in str(form.get(key) or "").splitlines() if line.strip()]
    edit_scenario(container_of(request).store, scenario_id, changes, account.viewer)
    return RedirectResponse(f"/practice/scenarios/{scenario_id}", status_code=303)


@router.post("/practice/scenarios/{scenario_id}/sessions")
def start_page(
    request: Request, scenario_id: int, account: Account = Depends(page_account)
) -> Response:
    session = ops.start_session(container_of(request).store, scenario_id, account.viewer)
    assert session.id is not None
    return _to_session(session.id, "")


@router.get("/practice/sessions/{session_id}")
def session_page(
    request: Request, session_id: int, account: Account = Depends(page_account)
) -> Response:
    store = container_of(request).store
    session = ops.show_session(store, session_id, account.viewer)
    scenario = show_scenario(store, session.scenario_id, account.viewer)
    current = session.current
    waiting = (
        current is not None
        and current.status is AttemptStatus.IN_PROGRESS
        and bool(current.turns)
        and current.turns[-1].speaker is TurnSpeaker.PRACTITIONER
    )
    # Only while the prospect has not answered the last line: a stale link shows nothing.
    silence = SILENCE_NOTES.get(request.query_params.get("silent", "")) if waiting else None
    return render(
        request,
        "practice_session.html",
        account,
        session=session,
        scenario=scenario,
        line_ids={a.number: line_ids(a) for a in session.attempts},
        practitioner=TurnSpeaker.PRACTITIONER,
        mine=session.started_by == account.username,
        difficulty_names=DIFFICULTY_NAMES,
        silence=silence,
    )


@router.post("/practice/sessions/{session_id}/turn")
async def turn_page(
    request: Request,
    session_id: int,
    text: str = Form(""),
    account: Account = Depends(page_account),
) -> Response:
    kit = practice_kit(container_of(request))
    outcome = await run_in_threadpool(ops.take_turn, kit, session_id, text, account.viewer)
    silent = outcome.reply.source.get("by") if outcome.reply.text is None else None
    if silent in SILENCE_NOTES and not outcome.attempt_ended:
        # The prospect said nothing: the page says why (the note is not a turn, so not stored).
        return RedirectResponse(
            f"/practice/sessions/{session_id}?silent={silent}#bottom", status_code=303
        )
    return _to_session(session_id)


@router.post("/practice/sessions/{session_id}/voice")
async def voice_page(
    request: Request, session_id: int, account: Account = Depends(page_account)
) -> Response:
    audio = await request.body()
    return await spoken_practice_turn(container_of(request), session_id, audio, account.viewer)


@router.post("/practice/sessions/{session_id}/end")
async def end_page(
    request: Request, session_id: int, account: Account = Depends(page_account)
) -> Response:
    kit = practice_kit(container_of(request))
    await run_in_threadpool(ops.end_attempt, kit, session_id, account.viewer)
    return _to_session(session_id, "#coach")


@router.post("/practice/sessions/{session_id}/coach")
async def coach_page(
    request: Request,
    session_id: int,
    answer: str = Form(""),
    account: Account = Depends(page_account),
) -> Response:
    kit = practice_kit(container_of(request))
    await run_in_threadpool(ops.answer_coach, kit, session_id, answer, account.viewer)
    return _to_session(session_id, "#coach")


@router.post("/practice/sessions/{session_id}/retry")
def retry_page(
    request: Request, session_id: int, account: Account = Depends(page_account)
) -> Response:
    ops.retry(container_of(request).store, session_id, account.viewer)
    return _to_session(session_id)


@router.post("/practice/sessions/{session_id}/finish")
def finish_page(
    request: Request, session_id: int, account: Account = Depends(page_account)
) -> Response:
    ops.finish_session(container_of(request).store, session_id, account.viewer)
    return _to_session(session_id, "")
