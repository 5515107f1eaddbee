"""Practice scenarios: cut from a call's moment or from a coaching priority, listed, shown, edited.

Who may do what (the same rules as calls): anyone who may see a call may cut a scenario from it
for that call's rep (a rep from their own calls, a manager from their teams'); a scenario is
seen by the viewers who may see its rep; only managers and administrators edit one.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from callcoach.domain.access import SYSTEM, Role, Viewer
from callcoach.domain.practice import (
    DEFAULT_DIFFICULTY,
    DEFAULT_TURN_LIMIT,
    GOAL_LEVEL,
    ContextLine,
    Goal,
    OriginalMoment,
    Persona,
    PracticeError,
    Scenario,
    ScenarioKind,
    check_difficulty,
    check_turn_limit,
)
from callcoach.domain.rubric import Rubric
from callcoach.domain.scores import CallScore
from callcoach.services.accounts.users import PermissionDeniedError
from callcoach.services.assessment.query import AssessmentQuery
from callcoach.services.assessment.scorecards import build_priorities
from callcoach.services.calls.detail import show_call
from callcoach.services.common import NotFoundError, ServiceError
from callcoach.services.practice.cutting import cut_moment
from callcoach.settings import Settings
from callcoach.store.uow import Store


class PracticeServiceError(ServiceError):
    """A practice action the rules refuse; nothing was changed."""


def _criterion(rubric: Rubric, criterion_id: str) -> Any:
    try:
        return rubric.criterion(criterion_id)
    except KeyError:
        raise PracticeServiceError(
            f"the rubric {rubric.id!r} has no criterion {criterion_id!r}; its criteria: "
            f"{', '.join(rubric.criterion_ids)}"
        ) from None


def run_on(runs: list[CallScore], criterion_id: str, prefer: str) -> tuple[CallScore | None, Any]:
    """The run (the configured scorer's first) and its score on the criterion."""
    ordered = sorted(runs, key=lambda r: r.scorer != prefer)
    for run in ordered:
        for crit in run.criteria:
            if crit.criterion_id == criterion_id and crit.level is not None:
                return run, crit
    return None, None


def create_from_call(
    store: Store,
    call_id: str,
    criterion_id: str,
    *,
    segment: int | None = None,
    rubric: str | None = None,
    viewer: Viewer = SYSTEM,
    settings: Settings | None = None,
    difficulty: int = DEFAULT_DIFFICULTY,
    turn_limit: int = DEFAULT_TURN_LIMIT,
    title: str | None = None,
    origin: dict[str, Any] | None = None,
) -> Scenario:
    """A scenario cut from the moment of `call_id` at `segment` (else its weakest evidence)."""
    settings = settings or Settings()
    try:
        check_difficulty(difficulty)
        check_turn_limit(turn_limit)
    except PracticeError as exc:
        raise PracticeServiceError(str(exc)) from None
    detail = show_call(
        store, call_id, rubric_id=rubric, default_rubric=settings.default_rubric, viewer=viewer
    )
    if detail.rubric is None or detail.rubric_version is None:
        raise PracticeServiceError(
            f"call {call_id} is not scored on any rubric: score it first (`callcoach score`)"
        )
    call = detail.call
    if not call.rep:
        raise PracticeServiceError(f"call {call_id} has no rep: there is nobody to practise it")
    crit = _criterion(detail.rubric, criterion_id)
    run, scored = run_on(detail.runs, criterion_id, settings.scorer)
    if segment is None:
        if scored is None or not scored.evidence:
            raise PracticeServiceError(
                f"call {call_id} has no evidence on {criterion_id!r} to cut a moment from: "
                "give the moment's segment (--segment N)"
            )
        segment = scored.evidence[0].segment  # the scorer lists the closest moment first
    try:
        moment = cut_moment(call, segment)
    except PracticeError as exc:
        raise PracticeServiceError(str(exc)) from None
    quote = next(
        (
            e.quote
            for e in (scored.evidence if scored else [])
            if e.segment == moment.rep_segment and e.quote.strip()
        ),
        moment.rep_line,
    )
    scenario = Scenario(
        id=None,
        kind=ScenarioKind.MOMENT,
        rep=call.rep,
        title=title or f"{crit.name}: {moment.opening_line[:80]}",
        persona=moment.persona,
        context=moment.context,
        opening_line=moment.opening_line,
        goal=Goal(crit.id, crit.name, crit.anchor(GOAL_LEVEL)),
        rubric_id=detail.rubric.id,
        rubric_version=detail.rubric_version,
        difficulty=difficulty,
        turn_limit=turn_limit,
        original=OriginalMoment(
            call.external_id, moment.rep_segment, scored.level if scored else None, quote
        ),
        origin={
            "from": "call",
            "call": call.external_id,
            "segment": moment.rep_segment,
            "start": moment.start,
            "scorer": run.scorer if run else None,
            **(origin or {}),
        },
        created_by=viewer.username,
    )
    with store.unit_of_work() as uow:
        rep_row = uow.people.rep_row(call.rep)
        rubric_row = uow.rubrics.rubric_row(detail.rubric.id)
        call_row = uow.calls.row(call.external_id, scope=uow.people.scope_for(viewer))
        if rep_row is None or rubric_row is None or call_row is None:  # pragma: no cover
            raise NotFoundError(f"no call {call_id!r}")
        scenario_id = uow.practice.create_scenario(
            scenario, rep_pk=rep_row.id, rubric_pk=rubric_row.id, source_call_pk=call_row.id
        )
    return replace(scenario, id=scenario_id)


def create_from_priority(
    store: Store,
    rep: str,
    priority: int = 1,
    *,
    rubric: str | None = None,
    cycle: str | None = None,
    viewer: Viewer = SYSTEM,
    settings: Settings | None = None,
    difficulty: int = DEFAULT_DIFFICULTY,
    turn_limit: int = DEFAULT_TURN_LIMIT,
) -> Scenario:
    """A scenario cut from the weakest moment of the rep's coaching priority `priority`."""
    settings = settings or Settings()
    report = build_priorities(
        store,
        AssessmentQuery(
            rubric=rubric or settings.default_rubric,
            rep=rep,
            cycle=cycle,
            preferred_scorer=settings.scorer,
        ),
        viewer,
    )
    line = next((r for r in report.reps if r.rep.lower() == rep.strip().lower()), None)
    if line is None or not line.priorities:
        raise PracticeServiceError(
            f"{rep} has no coaching priority in {report.cycle.label} on {report.rubric}: "
            "no criterion is below the team (or too few scored calls)"
        )
    if not 1 <= priority <= len(line.priorities):
        raise PracticeServiceError(
            f"{rep} has {len(line.priorities)} coaching priorit"
            f"{'y' if len(line.priorities) == 1 else 'ies'}; --priority must be 1"
            + (f" to {len(line.priorities)}" if len(line.priorities) > 1 else "")
        )
    chosen = line.priorities[priority - 1]
    if not chosen.moments:
        raise PracticeServiceError(
            f"{rep}'s priority {priority} ({chosen.name}) has no quoted moment to cut"
        )
    weakest = chosen.moments[0]  # lowest level, most confident first (analytics/priorities)
    return create_from_call(
        store,
        weakest.call_id,
        chosen.criterion_id,
        segment=weakest.segment,
        rubric=report.rubric,
        viewer=viewer,
        settings=settings,
        difficulty=difficulty,
        turn_limit=turn_limit,
        origin={"from": "priority", "priority": priority, "cycle": report.cycle.label},
    )


def show_scenario(store: Store, scenario_id: int, viewer: Viewer = SYSTEM) -> Scenario:
    with store.unit_of_work() as uow:
        scenario = uow.practice.scenario(scenario_id, scope=uow.people.scope_for(viewer))
    if scenario is None:
        raise NotFoundError(f"no practice scenario {scenario_id}")
    return scenario


def list_scenarios(
    store: Store, viewer: Viewer = SYSTEM, *, rep: str | None = None
) -> list[Scenario]:
    with store.unit_of_work() as uow:
        scope = uow.people.scope_for(viewer)
        rep_pks = None
        if rep is not None:
            row = uow.people.rep_row(rep)
            if row is None or not scope.allows_rep(row.id):
                raise NotFoundError(f"no rep {rep!r}")
            rep_pks = [row.id]
        return uow.practice.scenarios(scope=scope, rep_pks=rep_pks, kind=ScenarioKind.MOMENT)


def _lines(values: Any, field: str) -> tuple[str, ...]:
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise PracticeServiceError(f"{field} must be a list of lines")
    return tuple(" ".join(v.split()) for v in values if v.strip())


def edit_scenario(
    store: Store, scenario_id: int, changes: dict[str, Any], viewer: Viewer = SYSTEM
) -> Scenario:
    """Apply a manager's edits. Fields: title, difficulty, turn_limit, opening_line, goal_anchor,
    persona_name, persona_role, persona_company, cares_about, concerns, context (lines)."""
    current = show_scenario(store, scenario_id, viewer)  # out of scope: exactly like unknown
    if viewer.role is Role.REP:
        raise PermissionDeniedError("only a manager or an administrator edits a scenario")
    known = {
        "title",
        "difficulty",
        "turn_limit",
        "opening_line",
        "goal_anchor",
        "persona_name",
        "persona_role",
        "persona_company",
        "cares_about",
        "concerns",
        "context",
    }
    unknown = sorted(set(changes) - known)
    if unknown:
        raise PracticeServiceError(
            f"cannot edit {', '.join(unknown)}; editable: {', '.join(sorted(known))}"
        )
    stored: dict[str, Any] = {}
    try:
        if "title" in changes:
            stored["title"] = str(changes["title"]).strip()
            if not stored["title"]:
                raise PracticeError("the title cannot be empty")
        if "difficulty" in changes:
            stored["difficulty"] = check_difficulty(int(changes["difficulty"]))
        if "turn_limit" in changes:
            stored["turn_limit"] = check_turn_limit(int(changes["turn_limit"]))
        if "opening_line" in changes:
            stored["opening_line"] = " ".join(str(changes["opening_line"]).split())
            if not stored["opening_line"]:
                raise PracticeError("the prospect's line at the moment cannot be empty")
    except (TypeError, ValueError) as exc:
        raise PracticeServiceError(str(exc)) from None
    if "goal_anchor" in changes:
        anchor = " ".join(str(changes["goal_anchor"]).split())
        if not anchor:
            raise PracticeServiceError("the goal cannot be empty")
        stored["goal"] = replace(current.goal, anchor=anchor).to_json()
    persona = current.persona
    edited = False
    if "persona_name" in changes:
        persona = replace(persona, name=_optional(changes["persona_name"]))
        edited = True
    if "persona_role" in changes:
        persona = replace(persona, role=_optional(changes["persona_role"]))
        edited = True
    if "persona_company" in changes:
        persona = replace(persona, company=_optional(changes["persona_company"]))
        edited = True
    if "cares_about" in changes:
        persona = replace(persona, cares_about=_lines(changes["cares_about"], "cares_about"))
        edited = True
    if "concerns" in changes:
        persona = replace(persona, concerns=_lines(changes["concerns"], "concerns"))
        edited = True
    if edited:
        stored["persona"] = persona.to_json()
    if "context" in changes:
        stored["context"] = [_context_line(item) for item in changes["context"] or []]
    if not stored:
        return current
    with store.unit_of_work() as uow:
        uow.practice.update_scenario(scenario_id, stored, viewer.username)
    return show_scenario(store, scenario_id, viewer)


def _optional(value: Any) -> str | None:
    return " ".join(str(value or "").split()) or None


def _context_line(item: Any) -> dict[str, Any]:
    try:
        return ContextLine.from_json(dict(item)).to_json()
    except (KeyError, TypeError, ValueError):
        raise PracticeServiceError(
            'each context line is {"speaker": "practitioner" or "persona", "label": ..., '
            '"text": ...}'
        ) from None


def persona_label(persona: Persona) -> str:
    return persona.name or "the prospect"
