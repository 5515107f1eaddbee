"""Vectorised analytics against their straightforward pandas formulations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from callcoach.analytics.cycles import parse_cycle
from callcoach.analytics.levels import DATE, REP, CriterionInfo, ScoreTable
from callcoach.analytics.priorities import lowest_level_calls
from callcoach.analytics.scorecards import rep_scorecards
from callcoach.analytics.trends import rep_trend

CRITERIA = [
    CriterionInfo(id=c, name=c.title(), weight=w, good="") for c, w in (("a", 60), ("b", 40))
]


def table(seed: int, calls: int = 400, reps: int = 7) -> ScoreTable:
    rng = np.random.default_rng(seed)
    dates = pd.Series(
        pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 240, calls), unit="D")
    )
    dates[rng.random(calls) < 0.05] = pd.NaT  # a few calls without a date
    dates[:20] = pd.Timestamp("2026-03-03 10:00")  # ties on the date
    levels = rng.integers(1, 6, (calls, 2)).astype(float)
    levels[rng.random((calls, 2)) < 0.1] = np.nan
    index = pd.Index(rng.permutation(np.arange(1000, 1000 + calls)))
    frame = pd.DataFrame(
        {REP: rng.integers(1, reps + 1, calls), DATE: dates.to_numpy(), "version": 1}, index=index
    )
    return ScoreTable(
        calls=frame,
        levels=pd.DataFrame(levels, columns=["a", "b"], index=index),
        criteria=CRITERIA,
        weights_by_version={1: {"a": 60, "b": 40}},
    )


def straightforward_lowest(
    table: ScoreTable, wanted: dict[int, list[str]], limit: int
) -> dict[tuple[int, str], list[tuple[int, int]]]:
    """The pandas formulation the fast path replaced (sort by rep, level, newest; head)."""
    result: dict[tuple[int, str], list[tuple[int, int]]] = {}
    for criterion_id in sorted({c for cs in wanted.values() for c in cs}):
        rep_ids = [r for r, cs in wanted.items() if criterion_id in cs]
        mine = table.calls[REP].isin(rep_ids).to_numpy()
        frame = pd.DataFrame(
            {
                "rep": table.calls.loc[mine, REP],
                "date": table.calls.loc[mine, DATE],
                "level": table.levels.loc[mine, criterion_id],
            }
        ).dropna(subset=["level"])
        frame = frame.sort_values(
            ["rep", "level", "date"], ascending=[True, True, False], kind="stable"
        )
        head = frame.groupby("rep", sort=False).head(limit)
        for key, rep_id, level in zip(head.index, head["rep"], head["level"], strict=True):
            result.setdefault((int(rep_id), criterion_id), []).append((int(key), int(level)))
    return result


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("limit", [1, 4])
def test_lowest_level_calls_match_the_pandas_sort(seed: int, limit: int) -> None:
    data = table(seed)
    wanted = {1: ["a", "b"], 2: ["b"], 3: ["a"], 5: ["b", "a"], 99: ["a"]}
    assert lowest_level_calls(data, wanted, limit) == straightforward_lowest(data, wanted, limit)


def test_a_trend_point_is_the_scorecard_of_that_cycle() -> None:
    data = table(4)
    cycles = [parse_cycle(q) for q in ("2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3")]
    reps = pd.DataFrame({"name": [f"R{i}" for i in range(1, 8)], "team": "T"}, index=range(1, 8))
    deals = pd.DataFrame({"won": 0, "closed": 0}, index=reps.index)
    points = rep_trend(data, 3, cycles)
    for point, cycle in zip(points, cycles, strict=True):
        start, end = cycle.bounds()
        dates = data.calls[DATE]
        inside = data.subset(((dates >= start) & (dates < end)).to_numpy())
        (card,) = rep_scorecards(
            inside, inside.subset(np.zeros(len(inside), bool)), reps, deals, [3]
        )
        assert point.cycle == cycle.label and point.calls == card.calls
        assert point.overall == card.overall
        assert point.criteria == {c.criterion_id: c.mean for c in card.criteria}
    assert points[0].calls == 0 and points[0].overall is None
