"""The 30-day coaching loop: record coaching, measure it, flag what is not working."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from callcoach.analytics.coaching import (
    ApproachFlag,
    CoachingEventInput,
    CoachingOutcome,
    ManagerEffectiveness,
    evaluate_event,
    manager_effectiveness,
    repeated_no_improvement,
    withhold_verdict,
)
from callcoach.analytics.levels import DATE, REP, ScoreTable
from callcoach.domain.access import SYSTEM, Role, Viewer
from callcoach.domain.trust import excluded_from_decisions
from callcoach.services.assessment.query import (
    AssessmentQuery,
    Question,
    load_score_table,
    resolve_reps,
    resolve_rubric,
    resolve_scope,
)
from callcoach.services.common import ServiceError
from callcoach.services.scoring.trust import decision_states
from callcoach.store.uow import Store, UnitOfWork


@dataclass(frozen=True)
class CoachingEvent:
    id: int
    rep: str
    rubric: str
    criterion_id: str
    coached_on: date
    note: str | None
    coach: str | None


@dataclass
class CoachingReport:
    rubric: str
    scorer: str
    as_of: date
    events: list[CoachingOutcome]
    approach_flags: list[ApproachFlag]
    managers: list[ManagerEffectiveness]
    notes: list[str] = field(default_factory=list)


def add_coaching_event(
    store: Store,
    rubric: str,
    rep: str,
    criterion_id: str,
    coached_on: date,
    note: str | None = None,
    coach: str | None = None,
    viewer: Viewer = SYSTEM,
) -> CoachingEvent:
    """Record that `rep` was coached on `criterion_id`. Reps cannot record their own coaching.

    Coaching is recorded once it has happened: a date after today is refused (a typo such as
    2030 would otherwise hide the session from every 30-day verdict until then).
    """
    if viewer.role is Role.REP:
        raise ServiceError("only managers and administrators record coaching")
    today = date.today()
    if coached_on > today:
        raise ServiceError(
            f"the coaching date {coached_on.isoformat()} is in the future (today is "
            f"{today.isoformat()}): record coaching once it has happened"
        )
    with store.unit_of_work() as uow:
        stored, rubric_pk, _ = resolve_rubric(uow, rubric)
        if criterion_id not in stored.rubric.criterion_ids:
            raise ServiceError(
                f"rubric {rubric!r} has no criterion {criterion_id!r}; criteria: "
                f"{', '.join(stored.rubric.criterion_ids)}"
            )
        access = uow.people.scope_for(viewer)
        selected = resolve_reps(uow, access, rep, None).selected
        rep_pk = selected[0]
        rep_row = uow.analytics.rep_rows([rep_pk], scope=access)[0]
        # Who coached: as given, else the manager recording it, else the rep's manager.
        coach_name = coach or (viewer.username if viewer.role is Role.MANAGER else rep_row[3])
        event_id = uow.coaching.add(rep_pk, rubric_pk, criterion_id, coached_on, note, coach_name)
        uow.audit.record(
            viewer.username, "coaching.add", rep, criterion=criterion_id, on=coached_on.isoformat()
        )
        name = str(rep_row[1])
    return CoachingEvent(
        event_id, name, stored.rubric.id, criterion_id, coached_on, note, coach_name
    )


def list_coaching_events(
    store: Store, rubric: str, rep: str | None = None, viewer: Viewer = SYSTEM
) -> list[CoachingEvent]:
    with store.unit_of_work() as uow:
        stored, rubric_pk, _ = resolve_rubric(uow, rubric)
        access = uow.people.scope_for(viewer)
        reps = resolve_reps(uow, access, rep, None).rep_filter
        rows = uow.coaching.rows(rubric_pk, reps, scope=access)
    return [
        CoachingEvent(event_id, name, stored.rubric.id, crit, coached_on, note, coach)
        for event_id, _pk, name, crit, coached_on, note, coach in rows
    ]


def build_coaching_report(
    store: Store, query: AssessmentQuery, as_of: date | None = None, viewer: Viewer = SYSTEM
) -> CoachingReport:
    """Every coaching event measured 30 days on, repeated failures, and each manager's record."""
    with store.unit_of_work() as uow:
        return coaching_report(uow, resolve_scope(uow, query, viewer), as_of)


def coaching_report(
    uow: UnitOfWork, scope: Question, as_of: date | None = None, levels: ScoreTable | None = None
) -> CoachingReport:
    """The coaching report of a resolved scope. `levels`, when given, must hold every scored
    call (all time) of the reps concerned; otherwise they are read."""
    today = as_of or date.today()
    rows = uow.coaching.rows(scope.rubric_pk, scope.rep_filter, scope=scope.access)
    rep_pks = sorted({pk for _, pk, *_ in rows})
    table = levels
    if table is None and rep_pks:
        table = load_score_table(uow, scope, None, None, rep_ids=rep_pks)
    managers = {str(n): m for n, m in zip(scope.reps["name"], scope.reps["manager"], strict=True)}
    outcomes = []
    notes = []
    known = set(scope.rubric.rubric.criterion_ids)
    held = excluded_from_decisions(decision_states(uow, scope.rubric.rubric.id))
    names = {c.id: c.name for c in scope.criteria}
    for event_id, rep_pk, name, crit, coached_on, note, coach in rows:
        if crit not in known:
            notes.append(f"event {event_id} ({name}, {crit}): criterion no longer in the rubric")
            continue
        assert table is not None
        mine = (table.calls[REP] == rep_pk).to_numpy()
        history = pd.DataFrame(
            {"date": table.calls.loc[mine, DATE], "level": table.levels.loc[mine, crit]}
        )
        event = CoachingEventInput(
            event_id, name, crit, coached_on, coach or managers.get(name), note
        )
        outcome = evaluate_event(event, history, today)
        if crit in held:
            outcome = withhold_verdict(outcome, names.get(crit, crit))
        outcomes.append(outcome)
    if not rows:
        notes.append("no coaching recorded yet: `callcoach coaching add REP CRITERION --date ...`")
    return CoachingReport(
        rubric=scope.rubric.rubric.id,
        scorer=scope.scorer,
        as_of=today,
        events=outcomes,
        approach_flags=repeated_no_improvement(outcomes),
        managers=manager_effectiveness(outcomes, {k: v for k, v in managers.items()}),
        notes=notes,
    )
