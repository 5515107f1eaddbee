"""The monthly check-in follows up the last quarterly assessment's primary priority on the
rep's 5 most recent calls; it does not compute a new priority from five calls (issue 16,
section 4). Every figure is recomputed here from the levels the test wrote."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from callcoach.services.assessment.query import AssessmentQuery
from callcoach.services.assessment.sampling import monthly_checkin
from callcoach.store.uow import Store
from tests.assessment_data import World

BASE = {
    "urgency_creation": 3,
    "discovery": 3,
    "objection_handling": 3,
    "close_attempt": 3,
    "process_adherence": 3,
}


def levels(**changes: int) -> dict[str, int | None]:
    return {**BASE, **changes}


def build(store: Store) -> None:
    world = World(store)
    world.rubric()
    world.rep("Ann")
    world.rep("Bob")
    q1 = datetime(2026, 2, 2, 10)
    # Q1 (the assessment): Ann is far below Bob on urgency creation, level with him elsewhere.
    for i in range(4):
        world.call(f"ann-q1-{i}", "Ann", q1 + timedelta(days=7 * i))
        world.score(f"ann-q1-{i}", levels(urgency_creation=2))
        world.call(f"bob-q1-{i}", "Bob", q1 + timedelta(days=7 * i, hours=1))
        world.score(f"bob-q1-{i}", levels(urgency_creation=4))
    # Her five most recent calls (May): urgency up to 3 on average; discovery now lowest. A
    # priority computed afresh from these calls would be discovery, not urgency.
    may = datetime(2026, 5, 4, 10)
    recent = [3, 3, 4, 2, 3]
    for i, urgency in enumerate(recent):
        world.call(f"ann-may-{i}", "Ann", may + timedelta(days=i))
        world.score(f"ann-may-{i}", levels(urgency_creation=urgency, discovery=1))
        world.call(f"bob-may-{i}", "Bob", may + timedelta(days=i, hours=1))
        world.score(f"bob-may-{i}", levels(urgency_creation=4))


def test_the_check_in_follows_the_quarters_primary_priority(store: Store) -> None:
    build(store)
    report = monthly_checkin(store, AssessmentQuery(rubric="test-rubric", scorer="fake"))
    assert report.assessment is not None and report.assessment.label == "2026-Q1"
    ann = next(line for line in report.reps if line.rep == "Ann")
    assert ann.primary is not None
    assert ann.primary.criterion_id == "urgency_creation"  # the quarter's, not discovery
    assert ann.primary.rep_mean == pytest.approx(2.0)  # the quarter's means are kept
    assert ann.primary.team_mean == pytest.approx(3.0)  # (4 x 2 + 4 x 4) / 8
    assert [c.call_id for c in ann.calls] == [f"ann-may-{i}" for i in range(5)]
    assert ann.recent_mean == pytest.approx(3.0)  # (3 + 3 + 4 + 2 + 3) / 5
    assert ann.change == pytest.approx(1.0)
    assert ann.progress is not None and ann.progress.startswith("improving: +1.00")
    assert ann.progress.endswith("and at the team's level")
    # The month's moments come from the recent calls.
    assert ann.primary.moments and all(m.call_id.startswith("ann-may") for m in ann.primary.moments)
    bob = next(line for line in report.reps if line.rep == "Bob")
    assert bob.primary is None and bob.note is not None and "no coaching priority" in bob.note


def test_a_named_cycle_is_the_assessment_followed(store: Store) -> None:
    build(store)
    report = monthly_checkin(
        store, AssessmentQuery(rubric="test-rubric", scorer="fake", cycle="2026-Q2")
    )
    assert report.assessment is not None and report.assessment.label == "2026-Q2"
    ann = next(line for line in report.reps if line.rep == "Ann")
    assert ann.primary is not None and ann.primary.criterion_id == "discovery"
