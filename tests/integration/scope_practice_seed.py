"""Practice data for the scope walk (tests/integration/test_scope_reads.py).

Every rep gets, through the practice and assignment repositories' own writes: a practice
scenario from their call with a session holding one scored attempt, a review rehearsal of their
review (the manager's preparation, which a rep never reads, not even their own) with a session
and an attempt, and an assignment from that review's plan. Scenarios and sessions always belong
to a rep (`rep_id` is not nullable), so there is no unassigned practice to seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from callcoach.domain.assignments import Assignment, AssignmentSource, TargetKind
from callcoach.domain.practice import (
    AttemptScore,
    AttemptStatus,
    Goal,
    OriginalMoment,
    Persona,
    PracticeEvidence,
    Scenario,
    ScenarioKind,
    TurnSpeaker,
)
from callcoach.store.uow import UnitOfWork


@dataclass
class PracticeSeeded:
    """Whose each practice row is."""

    scenario: dict[int, str] = field(default_factory=dict)  # scenario id -> rep
    rehearsal: dict[int, str] = field(default_factory=dict)  # rehearsal scenario id -> rep
    session: dict[int, str] = field(default_factory=dict)  # session id (either kind) -> rep
    rehearsal_session: dict[int, str] = field(default_factory=dict)


def _scenario(rep: str, kind: ScenarioKind, call_id: str) -> Scenario:
    return Scenario(
        id=None,
        kind=kind,
        rep=rep,
        title=f"{kind.value} for {rep}",
        persona=Persona("Pat", None, f"{rep} Account", ("month end",), ("price",)),
        context=(),
        opening_line="The price seems high compared to what we pay now.",
        goal=Goal("discovery", "Discovery", "asks about the cost of the problem"),
        rubric_id="test-rubric",
        rubric_version=1,
        original=OriginalMoment(call_id, 1, 2, "tell me more"),
        origin={"from": "test"},
        created_by="Maria",
    )


def _session_with_attempt(uow: UnitOfWork, scenario_id: int, rep_pk: int, by: str) -> int:
    session_id = uow.practice.create_session(scenario_id, rep_pk, by)
    attempt, _ = uow.practice.add_attempt(session_id)
    uow.practice.add_turn(attempt, TurnSpeaker.PRACTITIONER, "What does month end cost you?")
    uow.practice.end_attempt(attempt)
    score = AttemptScore(
        "discovery", 3, 0.7, "asked", (PracticeEvidence(0, "month end"),), "fake", "1"
    )
    uow.practice.save_score(attempt, AttemptStatus.SCORED, score)
    return session_id


def seed_practice(
    uow: UnitOfWork,
    rep_pk: dict[str, int],
    call_pk: dict[str, int],
    review_of: dict[str, int],
    rubric_pk: int,
) -> PracticeSeeded:
    seeded = PracticeSeeded()
    for rep, pk in rep_pk.items():
        call = f"{rep}-1"
        moment = uow.practice.create_scenario(
            _scenario(rep, ScenarioKind.MOMENT, call),
            rep_pk=pk,
            rubric_pk=rubric_pk,
            source_call_pk=call_pk[call],
        )
        rehearsal = uow.practice.create_scenario(
            _scenario(rep, ScenarioKind.REHEARSAL, call),
            rep_pk=pk,
            rubric_pk=rubric_pk,
            source_call_pk=None,
            review_id=review_of[rep],
        )
        seeded.scenario[moment] = seeded.scenario[rehearsal] = rep
        seeded.rehearsal[rehearsal] = rep
        seeded.session[_session_with_attempt(uow, moment, pk, rep)] = rep
        rehearsed = _session_with_attempt(uow, rehearsal, pk, "maria")
        seeded.session[rehearsed] = seeded.rehearsal_session[rehearsed] = rep
        assignment = Assignment(
            id=None,
            rep=rep,
            rubric="test-rubric",
            target_kind=TargetKind.CRITERION,
            target="discovery",
            sessions=2,
            due=date(2026, 4, 15),
            source=AssignmentSource.PLAN,
            assigned_by="Maria",
            assigned_on=date(2026, 3, 31),
            review_id=review_of[rep],
        )
        uow.assignments.add(assignment, rep_pk=pk, rubric_pk=rubric_pk)
    return seeded
