"""Manual review is a first-class path (issue 16 §4): with no call scored, managers' ratings
feed the scorecards and priorities, marked as a manual review. Every figure is recomputed here
from the ratings the test wrote."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from callcoach.domain.access import Role, Viewer
from callcoach.services.assessment.query import MANUAL, AssessmentQuery
from callcoach.services.assessment.scorecards import build_priorities, build_scorecards
from callcoach.services.common import ServiceError
from callcoach.store.uow import Store
from tests.assessment_data import CRITERIA, World

START = datetime(2026, 4, 6, 10)
# What two managers gave each rep's calls (Maria and Omar agree within one point).
MARIA = {
    "Ivy": {"urgency_creation": 3, "discovery": 1, "objection_handling": 3, "close_attempt": 2,
            "process_adherence": 3},
    "Jon": {"urgency_creation": 3, "discovery": 4, "objection_handling": 3, "close_attempt": 4,
            "process_adherence": 3},
}  # fmt: skip
OMAR_DISCOVERY = {"Ivy": 2, "Jon": 5}  # Omar rates discovery too, one point higher


def build(store: Store) -> None:
    world = World(store)
    world.rubric()
    for name in MARIA:
        world.rep(name)
    for r, (name, levels) in enumerate(MARIA.items()):
        for i in range(2):
            call_id = f"{name}-{i}"
            world.call(call_id, name, START + timedelta(days=7 * i, hours=r))
            for crit, level in levels.items():
                world.rating(call_id, "maria", crit, level)
            world.rating(call_id, "omar", "discovery", OMAR_DISCOVERY[name])


def test_with_no_call_scored_the_managers_ratings_make_the_scorecards(store: Store) -> None:
    build(store)
    query = AssessmentQuery(rubric="test-rubric", cycle="2026-Q2")
    report = build_scorecards(store, query)
    assert report.scorer == MANUAL
    assert any(n.startswith("Manual review") and "4 call(s)" in n for n in report.notes)
    cards = {c.rep: c for c in report.reps}
    ivy = {c.criterion_id: c for c in cards["Ivy"].criteria}
    assert ivy["discovery"].mean == pytest.approx((1 + 2) / 2)  # the two raters' mean
    assert ivy["close_attempt"].mean == pytest.approx(2.0)
    assert ivy["discovery"].team_mean == pytest.approx((1.5 + 4.5) / 2)


def test_priorities_follow_the_ratings_of_a_manual_review(store: Store) -> None:
    build(store)
    query = AssessmentQuery(rubric="test-rubric", cycle="2026-Q2", rep="Ivy")
    viewer = Viewer("ivy", Role.REP, rep="Ivy")
    (ivy,) = build_priorities(store, query, viewer=viewer).reps
    gaps = []
    for crit, weight in CRITERIA.items():
        mine = 1.5 if crit == "discovery" else MARIA["Ivy"][crit]
        jon = 4.5 if crit == "discovery" else MARIA["Jon"][crit]
        team = (mine + jon) / 2
        if team - mine > 0:
            gaps.append((crit, (team - mine) * weight / 100))
    gaps.sort(key=lambda g: -g[1])
    assert [(p.criterion_id, p.weighted_gap) for p in ivy.priorities] == [
        (c, pytest.approx(g)) for c, g in gaps[:2]
    ]


def test_asking_for_a_manual_review_without_ratings_says_what_to_do(store: Store) -> None:
    world = World(store)
    world.rubric()
    world.rep("Ivy")
    world.call("Ivy-0", "Ivy", START)
    with pytest.raises(ServiceError, match="import ratings"):
        build_scorecards(store, AssessmentQuery(rubric="test-rubric", scorer=MANUAL))
