"""Practice assignments and carry-over on the review fixture org (real SQLite / PostgreSQL):
a manager assigns, a review's plan assigns, progress is read from real practice sessions with
the level of every attempt, a rep sees only their own, and the 30-day coaching report shows the
practice beside the change on real calls."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from callcoach.domain.access import Role, Viewer
from callcoach.domain.assignments import AssignmentSource, AssignmentStatus, TargetKind
from callcoach.domain.practice import (
    AttemptScore,
    AttemptStatus,
    Goal,
    Persona,
    Scenario,
    ScenarioKind,
)
from callcoach.services.accounts.users import PermissionDeniedError
from callcoach.services.assessment.coaching import build_coaching_report
from callcoach.services.assessment.query import AssessmentQuery
from callcoach.services.assignments.assign import assign, assign_from_plan, assignments_of
from callcoach.services.common import NotFoundError, ServiceError
from callcoach.store.uow import Store
from tests.integration.review_org import BEN, EAST, WEST, build_org, prepare

ANA = Viewer("ana", Role.REP, rep="Ana Ruiz")
TODAY = date.today()


def practise(store: Store, rep: str, criterion: str, levels: list[int | None]) -> int:
    """One real practice session of `rep` on `criterion`, one attempt per level, scored."""
    with store.unit_of_work() as uow:
        rep_pk = uow.reviews.rep_row(rep, scope=uow.people.scope_for(EAST))[0]  # type: ignore[index]
        rubric = uow.rubrics.rubric_row("review-test")
        assert rubric is not None
        scenario = uow.practice.create_scenario(
            Scenario(
                id=None,
                kind=ScenarioKind.MOMENT,
                rep=rep,
                title=f"{criterion} moment",
                persona=Persona("Pat", None, "Echo Freight"),
                context=(),
                opening_line="The price is more than we budgeted for this year.",
                goal=Goal(criterion, criterion, "level 4"),
                rubric_id="review-test",
                rubric_version=1,
                created_by="mia",
            ),
            rep_pk=rep_pk,
            rubric_pk=rubric.id,
            source_call_pk=None,
        )
        session = uow.practice.create_session(scenario, rep_pk, "ben")
        for level in levels:
            attempt, _ = uow.practice.add_attempt(session)
            uow.practice.end_attempt(attempt)
            score = AttemptScore(criterion, level, 0.8, "r", (), "embedded", "1") if level else None
            status = AttemptStatus.SCORED if level else AttemptStatus.NOT_SCORABLE
            uow.practice.save_score(attempt, status, score)
        return session


@pytest.fixture
def org(store: Store) -> Store:
    return build_org(store)


def test_a_manager_assigns_and_progress_counts_scored_sessions_with_each_level(
    org: Store,
) -> None:
    given = assign(
        org,
        "ben ode",
        TargetKind.CRITERION,
        "objection_handling",
        rubric="review-test",
        sessions=2,
        note="the budget objection",
        viewer=EAST,
    )
    assert given.rep == "Ben Ode" and given.due == TODAY + timedelta(days=14)
    assert given.source is AssignmentSource.MANAGER and given.assigned_by == "mia"
    (open_,) = assignments_of(org, BEN)
    assert open_.status is AssignmentStatus.OPEN and open_.sessions_done == 0
    practise(org, "Ben Ode", "objection_handling", [2, 3])
    practise(org, "Ben Ode", "discovery", [4])  # another criterion does not count
    practise(org, "Ben Ode", "objection_handling", [None])  # not scorable: not a done session
    (half,) = assignments_of(org, EAST, rep="Ben Ode")
    assert (
        half.sessions_done == 1 and half.levels == [2, 3] and half.status is AssignmentStatus.OPEN
    )
    practise(org, "Ben Ode", "objection_handling", [4])
    (done,) = assignments_of(org, BEN)
    assert done.status is AssignmentStatus.DONE and done.levels == [2, 3, 4]
    assert done.best_level == 4 and done.last_level == 4
    # Overdue when the due day passed without the sessions.
    late = assign(
        org,
        "Ana Ruiz",
        TargetKind.OBJECTION,
        "Procurement has to review",
        rubric="review-test",
        sessions=1,
        due=TODAY,
        viewer=EAST,
    )
    (ana,) = assignments_of(org, ANA, today=TODAY + timedelta(days=1))
    assert ana.assignment.id == late.id and ana.status is AssignmentStatus.OVERDUE
    # A rep sees only their own; another team's manager sees none of East's.
    assert [p.assignment.rep for p in assignments_of(org, BEN)] == ["Ben Ode"]
    assert assignments_of(org, WEST) == []
    with pytest.raises(NotFoundError):
        assignments_of(org, BEN, rep="Ana Ruiz")


def test_bad_assignments_are_refused_with_a_clear_message(org: Store) -> None:
    with pytest.raises(PermissionDeniedError, match="only managers and administrators"):
        assign(org, "Ben Ode", TargetKind.CRITERION, "discovery", rubric="review-test", viewer=BEN)
    with pytest.raises(NotFoundError, match="no rep 'Ben Ode'"):
        assign(org, "Ben Ode", TargetKind.CRITERION, "discovery", rubric="review-test", viewer=WEST)
    with pytest.raises(ServiceError, match="has no criterion 'tone'"):
        assign(org, "Ben Ode", TargetKind.CRITERION, "tone", rubric="review-test", viewer=EAST)
    with pytest.raises(ServiceError, match="sessions must be between 1 and 20"):
        assign(
            org,
            "Ben Ode",
            TargetKind.CRITERION,
            "discovery",
            rubric="review-test",
            sessions=0,
            viewer=EAST,
        )
    with pytest.raises(ServiceError, match="is before the day it is assigned"):
        assign(
            org,
            "Ben Ode",
            TargetKind.CRITERION,
            "discovery",
            rubric="review-test",
            due=TODAY - timedelta(days=1),
            viewer=EAST,
        )
    assert assignments_of(org, EAST) == []


def test_a_reviews_plan_assigns_its_practice_once(org: Store) -> None:
    review = prepare(org, viewer=EAST)
    made = assign_from_plan(org, review, EAST)
    assert made and all(a.source is AssignmentSource.PLAN and a.review_id == review for a in made)
    assert all(a.sessions >= 1 and a.due >= TODAY for a in made)
    assert assign_from_plan(org, review, EAST) == []  # already assigned
    with pytest.raises(NotFoundError):
        assign_from_plan(org, review, WEST)


def test_the_coaching_report_shows_practice_beside_real_calls(org: Store) -> None:
    practise(org, "Ben Ode", "objection_handling", [2, 4])
    practise(org, "Ben Ode", "objection_handling", [3])
    report = build_coaching_report(
        org, AssessmentQuery(rubric="review-test", scorer="vendor"), viewer=EAST
    )
    (row,) = [c for c in report.practice if c.rep == "Ben Ode"]
    assert row.criterion_id == "objection_handling" and row.sessions == 2 and row.attempts == 3
    assert (row.first_level, row.best_level, row.last_level) == (2, 4, 3)
    assert row.first_practice == TODAY
    assert row.real.before_calls > 0 and row.real.after_calls == 0  # no real call since: too early
    assert "too early" in row.real.message
    assert (
        build_coaching_report(
            org, AssessmentQuery(rubric="review-test", scorer="vendor"), viewer=WEST
        ).practice
        == []
    )
