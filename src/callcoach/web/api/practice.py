"""REST API: practice scenarios and sessions, with the rules of the pages and the CLI (a rep
sees and practises only their own; a manager their teams'; only managers edit a scenario)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from callcoach.services.accounts.users import Account
from callcoach.services.practice import sessions as ops
from callcoach.services.practice.from_assignment import create_from_assignment
from callcoach.services.practice.scenarios import (
    create_from_call,
    create_from_priority,
    edit_scenario,
    list_scenarios,
    show_scenario,
)
from callcoach.web.auth import api_account, check_csrf, container_of
from callcoach.web.practice_kit import practice_kit, spoken_practice_turn

router = APIRouter(prefix="/api/v1/practice", tags=["practice"], dependencies=[Depends(check_csrf)])


class ScenarioRequest(BaseModel):
    """From a call's moment (call, criterion, [segment]), a rep's priority (rep, priority), or
    a practice assignment (assignment: its objection type or criterion)."""

    call: str | None = None
    criterion: str | None = None
    segment: int | None = None
    rep: str | None = None
    priority: int = Field(1, ge=1)
    rubric: str | None = None
    cycle: str | None = None
    assignment: int | None = None
    difficulty: int = Field(2, ge=1, le=3)
    turn_limit: int = Field(6, ge=1, le=30)


class TurnRequest(BaseModel):
    text: str


class CoachRequest(BaseModel):
    answer: str


def _session_json(session: Any) -> dict[str, Any]:
    data = asdict(session)
    for attempt in data["attempts"]:
        for turn in attempt["turns"]:
            turn.pop("source", None)  # where a reply came from names another call: not shown
    return data


@router.get("/scenarios")
def scenarios(
    request: Request, rep: str | None = None, account: Account = Depends(api_account)
) -> list[dict[str, Any]]:
    found = list_scenarios(container_of(request).store, account.viewer, rep=rep)
    return [asdict(s) for s in found]


@router.post("/scenarios", status_code=201)
def create(
    request: Request, body: ScenarioRequest, account: Account = Depends(api_account)
) -> dict[str, Any]:
    container = container_of(request)
    common: dict[str, Any] = {
        "viewer": account.viewer,
        "settings": container.settings,
        "difficulty": body.difficulty,
        "turn_limit": body.turn_limit,
        "rubric": body.rubric,
    }
    if body.assignment is not None:
        common.pop("rubric")  # the assignment's own rubric
        encoder = practice_kit(container).prospect.text_encoder()
        scenario = create_from_assignment(
            container.store, body.assignment, encoder=encoder, **common
        )
    elif body.call:
        scenario = create_from_call(
            container.store, body.call, body.criterion or "", segment=body.segment, **common
        )
    elif body.rep:
        scenario = create_from_priority(
            container.store, body.rep, body.priority, cycle=body.cycle, **common
        )
    else:
        from callcoach.services.practice.scenarios import PracticeServiceError

        raise PracticeServiceError("give call and criterion, rep and priority, or assignment")
    return asdict(scenario)


@router.get("/scenarios/{scenario_id}")
def scenario(
    request: Request, scenario_id: int, account: Account = Depends(api_account)
) -> dict[str, Any]:
    return asdict(show_scenario(container_of(request).store, scenario_id, account.viewer))


@router.patch("/scenarios/{scenario_id}")
def edit(
    request: Request,
    scenario_id: int,
    changes: dict[str, Any],
    account: Account = Depends(api_account),
) -> dict[str, Any]:
    store = container_of(request).store
    return asdict(edit_scenario(store, scenario_id, changes, account.viewer))


@router.get("/sessions")
def sessions(
    request: Request,
    rep: str | None = None,
    scenario: int | None = None,
    account: Account = Depends(api_account),
) -> list[dict[str, Any]]:
    store = container_of(request).store
    found = ops.list_sessions(store, account.viewer, rep=rep, scenario_id=scenario)
    return [asdict(s) for s in found]


@router.post("/scenarios/{scenario_id}/sessions", status_code=201)
def start(
    request: Request, scenario_id: int, account: Account = Depends(api_account)
) -> dict[str, Any]:
    store = container_of(request).store
    return _session_json(ops.start_session(store, scenario_id, account.viewer))


@router.get("/sessions/{session_id}")
def session(
    request: Request, session_id: int, account: Account = Depends(api_account)
) -> dict[str, Any]:
    store = container_of(request).store
    return _session_json(ops.show_session(store, session_id, account.viewer))


@router.post("/sessions/{session_id}/turns")
async def turn(
    request: Request, session_id: int, body: TurnRequest, account: Account = Depends(api_account)
) -> dict[str, Any]:
    kit = practice_kit(container_of(request))
    outcome = await run_in_threadpool(ops.take_turn, kit, session_id, body.text, account.viewer)
    return {
        "reply": outcome.reply.text,
        "note": outcome.reply.note,
        "attempt_ended": outcome.attempt_ended,
        "session": _session_json(outcome.session),
    }


@router.post("/sessions/{session_id}/voice")
async def voice(
    request: Request, session_id: int, account: Account = Depends(api_account)
) -> StreamingResponse:
    """A spoken turn: the recording as the body; the reply stream of docs/practice.md."""
    audio = await request.body()
    return await spoken_practice_turn(container_of(request), session_id, audio, account.viewer)


@router.post("/sessions/{session_id}/end")
async def end(
    request: Request, session_id: int, account: Account = Depends(api_account)
) -> dict[str, Any]:
    kit = practice_kit(container_of(request))
    return _session_json(await run_in_threadpool(ops.end_attempt, kit, session_id, account.viewer))


@router.post("/sessions/{session_id}/coach")
async def coach(
    request: Request, session_id: int, body: CoachRequest, account: Account = Depends(api_account)
) -> dict[str, Any]:
    kit = practice_kit(container_of(request))
    answered = await run_in_threadpool(
        ops.answer_coach, kit, session_id, body.answer, account.viewer
    )
    return _session_json(answered)


@router.post("/sessions/{session_id}/retry")
def retry(
    request: Request, session_id: int, account: Account = Depends(api_account)
) -> dict[str, Any]:
    store = container_of(request).store
    return _session_json(ops.retry(store, session_id, account.viewer))


@router.post("/sessions/{session_id}/finish")
def finish(
    request: Request, session_id: int, account: Account = Depends(api_account)
) -> dict[str, Any]:
    store = container_of(request).store
    return _session_json(ops.finish_session(store, session_id, account.viewer))
