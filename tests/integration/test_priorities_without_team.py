"""Reps without a team are benchmarked against the organisation (issue 13: they used to get no
priorities at all, compared with themselves). Every figure is recomputed here from the levels
the test wrote, independently of the analytics code."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from callcoach.domain.access import Role, Viewer
from callcoach.services.assessment.query import AssessmentQuery
from callcoach.services.assessment.scorecards import build_priorities, build_scorecards
from callcoach.store.uow import Store
from tests.assessment_data import CRITERIA, World

START = datetime(2026, 4, 6, 10)
# Three reps, none with a team. Ivy is far below the others on discovery and close attempt.
LEVELS = {
    "Ivy": {"urgency_creation": 3, "discovery": 1, "objection_handling": 3, "close_attempt": 2,
            "process_adherence": 3},
    "Jon": {"urgency_creation": 3, "discovery": 4, "objection_handling": 3, "close_attempt": 4,
            "process_adherence": 3},
    "Kay": {"urgency_creation": 4, "discovery": 4, "objection_handling": 3, "close_attempt": 5,
            "process_adherence": 2},
}  # fmt: skip
CALLS_EACH = 3


def build(store: Store) -> None:
    world = World(store)
    world.rubric()
    for name in LEVELS:
        world.rep(name, team=None, manager=None)
    for r, (name, levels) in enumerate(LEVELS.items()):
        for i in range(CALLS_EACH):
            call_id = f"{name}-{i}"
            world.call(call_id, name, START + timedelta(days=7 * i, hours=r))
            world.score(call_id, levels)


def expected_priorities(rep: str) -> list[tuple[str, float]]:
    """(criterion, weighted gap) by hand: the organisation mean over every call, minus the
    rep's mean, times the weight, kept where positive, largest first (ties: heavier first)."""
    gaps = []
    for crit, weight in CRITERIA.items():
        org = sum(levels[crit] for levels in LEVELS.values()) / len(LEVELS)  # equal call counts
        mine = LEVELS[rep][crit]
        if org - mine > 0:
            gaps.append((crit, (org - mine) * weight / 100, weight))
    gaps.sort(key=lambda g: (-g[1], -g[2]))
    return [(crit, gap) for crit, gap, _ in gaps[:2]]


@pytest.mark.parametrize("asker", ["admin", "rep"])
def test_a_rep_without_a_team_gets_priorities_against_the_organisation(
    store: Store, asker: str
) -> None:
    build(store)
    viewer = Viewer("ivy", Role.REP, rep="Ivy") if asker == "rep" else Viewer("root", Role.ADMIN)
    query = AssessmentQuery(rubric="test-rubric", cycle="2026-Q2", rep="Ivy", scorer="fake")
    (ivy,) = build_priorities(store, query, viewer=viewer).reps
    got = [(p.criterion_id, p.weighted_gap) for p in ivy.priorities]
    want = expected_priorities("Ivy")
    assert [c for c, _ in got] == [c for c, _ in want] == ["discovery", "close_attempt"]
    assert [g for _, g in got] == pytest.approx([g for _, g in want])
    assert ivy.note is None

    (card,) = build_scorecards(store, query, viewer=viewer).reps
    discovery = next(c for c in card.criteria if c.criterion_id == "discovery")
    assert discovery.team_mean == pytest.approx(3.0)  # (1 + 4 + 4) / 3: the organisation


def test_a_teamless_rep_at_the_top_is_told_so_against_the_organisation(store: Store) -> None:
    build(store)
    query = AssessmentQuery(rubric="test-rubric", cycle="2026-Q2", rep="Kay", scorer="fake")
    (kay,) = build_priorities(store, query).reps
    want = expected_priorities("Kay")
    assert [p.criterion_id for p in kay.priorities] == [c for c, _ in want]
    assert [p.weighted_gap for p in kay.priorities] == pytest.approx([g for _, g in want])


def test_a_rep_viewer_without_a_team_sees_only_their_own_rows(store: Store) -> None:
    build(store)
    viewer = Viewer("ivy", Role.REP, rep="Ivy")
    query = AssessmentQuery(rubric="test-rubric", cycle="2026-Q2", scorer="fake")
    assert [r.rep for r in build_priorities(store, query, viewer=viewer).reps] == ["Ivy"]
    assert [c.rep for c in build_scorecards(store, query, viewer=viewer).reps] == ["Ivy"]
