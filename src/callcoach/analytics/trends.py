"""A rep's trend over cycles: calls, weighted overall and each criterion's mean per cycle.

The same means a scorecard of each cycle shows (`rep_scorecards`), computed from one table of
the rep's calls instead of one report per cycle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from callcoach.analytics.cycles import Cycle
from callcoach.analytics.levels import DATE, REP, ScoreTable
from callcoach.analytics.scorecards import grouped_intervals


@dataclass
class TrendPoint:
    cycle: str
    calls: int
    overall: float | None
    criteria: dict[str, float | None]


def rep_trend(table: ScoreTable, rep_id: int, cycles: Sequence[Cycle]) -> list[TrendPoint]:
    """One point per cycle (in the order given) from `table`, which holds the rep's calls of
    those cycles (other reps' calls and calls outside the cycles are ignored)."""
    mine = table.subset((table.calls[REP] == rep_id).to_numpy())
    dates = mine.calls[DATE]
    labels = pd.Series(np.full(len(mine), "", dtype=object), index=mine.calls.index)
    for cycle in cycles:
        start, end = cycle.bounds()
        inside = ((dates >= pd.Timestamp(start)) & (dates < pd.Timestamp(end))).to_numpy()
        labels[inside] = cycle.label
    stats = grouped_intervals(mine, labels)
    counts = labels.value_counts().to_dict()
    points = []
    for cycle in cycles:
        points.append(
            TrendPoint(
                cycle=cycle.label,
                calls=int(counts.get(cycle.label, 0)),
                overall=stats.get("overall", cycle.label).mean,
                criteria={c.id: stats.get(c.id, cycle.label).mean for c in table.criteria},
            )
        )
    return points
