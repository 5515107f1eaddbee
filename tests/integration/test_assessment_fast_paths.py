"""The fast paths give the numbers of the straightforward computation, on both backends.

A rep's page is built from two reads (`build_rep_assessment`); the straightforward way is a
whole scorecard report per trend cycle, the priorities report and the coaching report, each
read on its own. A team page is built from one read (`build_assessment`). The store below has
what makes the level rule non-trivial: re-scored calls, two rubric versions with different
weights, overrides, a rating that is not an override, calls outside every cycle, a rep without
a team, closed and open deals, and coaching events.
"""

from __future__ import annotations

import dataclasses
import math
import random
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from callcoach.analytics.cycles import parse_cycle
from callcoach.domain.access import SYSTEM, Role, Viewer
from callcoach.services.assessment.coaching import add_coaching_event, build_coaching_report
from callcoach.services.assessment.query import AssessmentQuery
from callcoach.services.assessment.rep import build_rep_assessment, trend_cycles
from callcoach.services.assessment.scorecards import (
    build_assessment,
    build_priorities,
    build_scorecards,
)
from callcoach.store.uow import Store
from tests.assessment_data import CRITERIA, World

REPS = {
    "Ann": "East",
    "Bob": "East",
    "Cat": "East",
    "Dan": "West",
    "Eve": "West",
    "Fay": None,
}
START = datetime(2025, 7, 1, 9, 0)
AS_OF = date(2026, 8, 20)
CHANGED_WEIGHTS = {
    "urgency_creation": 10,
    "discovery": 30,
    "objection_handling": 20,
    "close_attempt": 20,
    "process_adherence": 20,
}


def build_world(store: Store) -> None:
    rng = random.Random(11)
    world = World(store)
    world.rubric()
    for rep, team in REPS.items():
        world.rep(rep, team, manager="Maria" if team == "East" else "Omar")
    deal_outcomes = {}
    for rep in REPS:
        skill = {c: rng.uniform(1.5, 4.5) for c in CRITERIA}
        for i in range(34):
            call_id = f"{rep}-{i}"
            when = START + timedelta(days=rng.randrange(420), minutes=rng.randrange(600))
            deal = f"{rep}-deal-{i % 6}"
            deal_outcomes[deal] = (rep, rng.choice(["won", "lost", "open"]))
            world.call(call_id, rep, when, deal=deal)
            levels: dict[str, int | None] = {
                c: max(1, min(5, round(rng.gauss(skill[c], 0.9)))) for c in CRITERIA
            }
            if i % 9 == 0:
                levels["process_adherence"] = None  # no evidence: no level
            world.score(call_id, levels, confidence=round(rng.uniform(0.3, 0.9), 2))
            if i % 7 == 0:  # re-scored: the newer run counts
                world.score(call_id, {c: max(1, (v or 3) - 1) for c, v in levels.items()})
    for deal, (rep, outcome) in deal_outcomes.items():
        world.deal(deal, outcome, rep=rep)
    # A second version with other weights; some calls re-scored on it (its weights apply).
    world.rubric(CHANGED_WEIGHTS)
    for rep in REPS:
        for i in (1, 5, 12):
            world.score(f"{rep}-{i}", dict.fromkeys(CRITERIA, 4), version=2)
    for call_id, crit, level in (("Ann-3", "discovery", 5), ("Bob-8", "urgency_creation", 1)):
        world.rating(call_id, "Maria", crit, level, source="override")
    world.rating("Ann-4", "Maria", "close_attempt", 1)  # imported rating: not an override
    for rep, crit, day in (
        ("Ann", "discovery", date(2026, 3, 2)),
        ("Dan", "close_attempt", date(2026, 1, 10)),
    ):
        add_coaching_event(store, "test-rubric", rep, crit, day, note="practice", coach="Maria")


def same(a: Any, b: Any, path: str = "") -> None:
    """Equal, floats to 1e-12 (sums in another order may differ in the last bit)."""
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        assert type(a) is type(b), path
        for f in dataclasses.fields(a):
            same(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")
    elif isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12), (path, a, b)
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            same(a[key], b[key], f"{path}[{key!r}]")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), (path, a, b)
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{path}[{i}]")
    else:
        assert a == b, (path, a, b)


VIEWERS = [
    SYSTEM,
    Viewer("maria", Role.MANAGER, teams=frozenset({"East"})),
    Viewer("ann", Role.REP, rep="Ann"),
]


@pytest.mark.parametrize("cycle", [None, "2026-Q2", "2026-Q1"])
def test_a_reps_page_matches_the_reports_it_replaces(store: Store, cycle: str | None) -> None:
    build_world(store)
    for viewer in VIEWERS:
        for rep in ("Ann", "Fay") if viewer.role is Role.ADMIN else ("Ann",):
            query = AssessmentQuery(rubric="test-rubric", cycle=cycle, rep=rep)
            fast = build_rep_assessment(store, query, viewer, as_of=AS_OF)
            same(fast.scorecards, build_scorecards(store, query, viewer))
            same(fast.priorities, build_priorities(store, query, viewer))
            coaching = build_coaching_report(store, query, AS_OF, viewer)
            same(fast.coaching, coaching)
            cycles = trend_cycles(parse_cycle(fast.scorecards.cycle.label))
            assert [p.cycle for p in fast.trend] == [c.label for c in cycles]
            for point, each in zip(fast.trend, cycles, strict=True):
                report = build_scorecards(
                    store, AssessmentQuery(rubric="test-rubric", cycle=each.label, rep=rep), viewer
                )
                card = next(c for c in report.reps if c.rep == rep)
                assert point.calls == card.calls
                same(point.overall, card.overall)
                same(point.criteria, {c.criterion_id: c.mean for c in card.criteria})
    # The data set exercises what it is meant to.
    report = build_scorecards(store, AssessmentQuery(rubric="test-rubric", cycle="2026-Q1"))
    assert report.overridden_levels >= 1
    ann = build_rep_assessment(
        store, AssessmentQuery(rubric="test-rubric", cycle="2026-Q2", rep="Ann"), as_of=AS_OF
    )
    assert sum(p.calls for p in ann.trend) > 10 and ann.coaching.events


@pytest.mark.parametrize("cycle", [None, "2026-Q1"])
def test_a_team_page_from_one_read_matches_the_two_reports(store: Store, cycle: str | None) -> None:
    build_world(store)
    for viewer in VIEWERS:
        for team in (None, "East") if viewer.role is not Role.REP else (None,):
            query = AssessmentQuery(rubric="test-rubric", cycle=cycle, team=team)
            both = build_assessment(store, query, viewer)
            same(both.scorecards, build_scorecards(store, query, viewer))
            same(both.priorities, build_priorities(store, query, viewer))
