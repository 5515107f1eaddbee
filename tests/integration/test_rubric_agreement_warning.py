"""A rubric below 80% manager agreement within one level carries a warning on every scorecard
and priority report built on it, naming the criteria with vague anchors (issue 16, section 4)."""

from __future__ import annotations

from datetime import datetime, timedelta

from callcoach.services.assessment.query import AssessmentQuery
from callcoach.services.assessment.scorecards import build_priorities, build_scorecards
from callcoach.store.uow import Store
from tests.assessment_data import CRITERIA, World

QUERY = AssessmentQuery(rubric="test-rubric", cycle="2026-Q2", scorer="fake")


def build(store: Store, discovery_spread: int) -> None:
    """Two managers rate the same 5 calls on every criterion: within one level everywhere but
    discovery, where they are `discovery_spread` levels apart."""
    world = World(store)
    world.rubric()
    world.rep("Ann")
    start = datetime(2026, 4, 6, 10)
    for i in range(5):
        call_id = f"c{i}"
        world.call(call_id, "Ann", start + timedelta(days=i))
        world.score(call_id, dict.fromkeys(CRITERIA, 3))
        for criterion in CRITERIA:
            world.rating(call_id, "Maria", criterion, 3)
            apart = discovery_spread if criterion == "discovery" else 1
            world.rating(call_id, "Omar", criterion, 3 - apart if apart <= 2 else 5)


def test_at_the_target_no_warning(store: Store) -> None:
    build(store, discovery_spread=2)
    # 25 pairs, the 5 discovery pairs two levels apart: 20 / 25 = 80%, the target itself.
    assert not any("agree within one level" in n for n in build_scorecards(store, QUERY).notes)


def test_below_the_target_every_report_says_so(store: Store) -> None:
    build(store, discovery_spread=2)
    world = World(store)
    # Two more calls where they are far apart on objection handling too: 20 / 35 within one.
    for i in (5, 6):
        call_id = f"c{i}"
        world.call(call_id, "Ann", datetime(2026, 4, 20, 10) + timedelta(days=i))
        world.score(call_id, dict.fromkeys(CRITERIA, 3))
        for criterion in CRITERIA:
            world.rating(call_id, "Maria", criterion, 1)
            world.rating(call_id, "Omar", criterion, 4)
    for report in (build_scorecards(store, QUERY), build_priorities(store, QUERY)):
        (warning,) = [n for n in report.notes if "agree within one level" in n]
        assert "only 57% of the 35 rated pairs" in warning  # 20 / 35
        assert "target 80%" in warning
        assert "Discovery" in warning and "Objection handling" in warning
