"""`outcomes --won N`: the method's calibration step on the last N won deals and the deals lost
since the first of them, each with all of its scored calls whatever their quarter (issue 16,
section 4). The correlation is recomputed here by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pytest

from callcoach.services.assessment.outcomes import build_outcomes
from callcoach.services.assessment.query import AssessmentQuery
from callcoach.services.common import ServiceError
from callcoach.store.uow import Store
from tests.assessment_data import CRITERIA, World

# deal id: (outcome, close date, urgency level of its calls)
DEALS = {
    "W-old": ("won", date(2026, 1, 15), 5),  # won, but before the last three wins: left out
    "L-old": ("lost", date(2026, 2, 1), 1),  # lost before the first of the last wins: left out
    "W-1": ("won", date(2026, 3, 10), 4),
    "L-1": ("lost", date(2026, 3, 20), 2),
    "W-2": ("won", date(2026, 4, 5), 3),
    "L-2": ("lost", date(2026, 4, 25), 3),
    "W-3": ("won", date(2026, 5, 30), 5),
    "L-3": ("lost", date(2026, 6, 2), 1),
}


def build(store: Store) -> None:
    world = World(store)
    world.rubric()
    world.rep("Ann")
    for n, (deal, (outcome, closed, urgency)) in enumerate(DEALS.items()):
        world.deal(deal, outcome, rep="Ann", close=closed)
        # Two calls per deal, the first a month before it closed (often another quarter).
        for k, days in enumerate((30, 5)):
            call_id = f"{deal}-call-{k}"
            when = datetime.combine(closed, datetime.min.time()) - timedelta(days=days)
            world.call(call_id, "Ann", when + timedelta(hours=10 + n), deal=deal)
            world.score(call_id, {**dict.fromkeys(CRITERIA, 3), "urgency_creation": urgency})


def test_the_last_three_won_deals_and_the_deals_lost_since(store: Store) -> None:
    build(store)
    report = build_outcomes(
        store, AssessmentQuery(rubric="test-rubric", scorer="fake"), won_deals=3
    )
    assert (report.deals, report.won, report.lost) == (6, 3, 3)
    assert report.cycle.label == "last 3 won deals"
    assert (report.cycle.start, report.cycle.end) == (date(2026, 3, 10), date(2026, 5, 30))
    kept = [d for d in DEALS if not d.endswith("old")]
    x = np.array([DEALS[d][2] for d in kept], dtype=float)
    y = np.array([DEALS[d][0] == "won" for d in kept], dtype=float)
    urgency = next(line for line in report.criteria if line.criterion_id == "urgency_creation")
    assert urgency.relation.correlation.value == pytest.approx(np.corrcoef(x, y)[0, 1])
    assert report.related_previous is None


def test_no_won_deal_is_explained(store: Store) -> None:
    world = World(store)
    world.rubric()
    world.rep("Ann")
    world.call("c1", "Ann", datetime(2026, 5, 1, 10))
    world.score("c1", dict.fromkeys(CRITERIA, 3))
    with pytest.raises(ServiceError, match="no won deals to analyse"):
        build_outcomes(store, AssessmentQuery(rubric="test-rubric", scorer="fake"), won_deals=50)
