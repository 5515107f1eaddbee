"""Sampling calls for an assessment cycle, and the monthly check-in's recent calls.

Seed rules: each cycle draws a random sample of at least 10 calls per rep, spread across the
cycle's weeks (stratified by week, not the most recent calls), reproducible with a seed; a rep
with fewer than 10 scored calls is flagged "not enough calls for a meaningful assessment" with
the count. A monthly check-in takes the rep's 5 most recent calls.

Stratification: the rep's calls are grouped by week of the cycle; weeks are visited in a random
order, one randomly chosen call per week per pass, until the sample is full. Every week with
calls is represented before any week gives a second call.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from callcoach.analytics.cycles import Cycle
from callcoach.analytics.scorecards import MIN_CALLS_PER_REP

CHECKIN_CALLS = 5


def rep_rng(seed: int, rep: str) -> np.random.Generator:
    """A generator per rep: the same seed gives each rep the same sample whatever else changes."""
    digest = hashlib.sha256(f"{seed}:{rep}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "big"))


@dataclass(frozen=True)
class RepSample:
    rep: str
    scored_calls: int
    sampled: list[object]  # call keys, in date order
    weeks_covered: int
    weeks_with_calls: int
    flag: str | None


def stratified_sample(
    calls: pd.DataFrame, cycle: Cycle, size: int, rng: np.random.Generator
) -> list[object]:
    """Keys (index) of `size` calls spread across the cycle's weeks; all if fewer. `calls` has a
    `date` column; only calls inside the cycle are drawn."""
    inside = calls[[cycle.contains(d) for d in calls["date"]]]
    if len(inside) <= size:
        return list(inside.sort_values("date").index)
    ordered = inside.sort_values("date", kind="stable")
    weeks: dict[int, list[object]] = {}
    for key, when in ordered["date"].items():
        weeks.setdefault(cycle.week_index(when), []).append(key)
    pools = {
        w: list(rng.permutation(np.array(keys, dtype=object))) for w, keys in sorted(weeks.items())
    }
    order = list(rng.permutation(np.array(sorted(pools), dtype=int)))
    chosen: list[object] = []
    while len(chosen) < size:
        for week in order:
            if pools[week] and len(chosen) < size:
                chosen.append(pools[week].pop())
    return list(ordered.loc[chosen].sort_values("date").index)


def sample_rep(rep: str, calls: pd.DataFrame, cycle: Cycle, size: int, seed: int) -> RepSample:
    size = max(size, MIN_CALLS_PER_REP)
    inside = calls[[cycle.contains(d) for d in calls["date"]]]
    chosen = stratified_sample(inside, cycle, size, rep_rng(seed, rep))
    weeks_with_calls = len({cycle.week_index(d) for d in inside["date"]})
    covered = len({cycle.week_index(d) for d in inside.loc[chosen, "date"]}) if chosen else 0
    flag = None
    if len(inside) < MIN_CALLS_PER_REP:
        flag = (
            f"not enough calls for a meaningful assessment: {len(inside)} scored call(s) in "
            f"{cycle.label} ({MIN_CALLS_PER_REP} needed)"
        )
    return RepSample(rep, len(inside), chosen, covered, weeks_with_calls, flag)


def most_recent(calls: pd.DataFrame, count: int = CHECKIN_CALLS) -> list[object]:
    """Keys of the `count` most recent calls (newest last)."""
    return list(calls.sort_values("date", kind="stable").tail(count).index)
