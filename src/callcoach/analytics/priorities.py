"""Coaching priorities: where a rep falls most below the team, weighted by what it is worth.

Seed rule: priority = (team mean - rep mean) x weight, only where the rep is below the team;
the two largest are the rep's coaching priorities. A rep at 2.5 on urgency creation (weight
25%) therefore outranks a rep at 3.0 on process adherence (weight 10%) even when the raw gaps
are similar. Each priority comes with the three call moments that show it most clearly (the
lowest levels given, most confident first) and the level-4 anchor as "what good looks like".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd

from callcoach.analytics.levels import DATE, REP, CriterionInfo, ScoreTable, group_means
from callcoach.analytics.scorecards import NO_TEAM

PRIORITIES_PER_REP = 2
MOMENTS_PER_PRIORITY = 3
GOOD_LEVEL = 4


def weighted_gap(team_mean: float, rep_mean: float, weight: float) -> float | None:
    """(team mean - rep mean) x weight, as a share of the weighted overall; None if not below.

    With weights in percent summing to 100, the value is how much the rep's weighted overall
    would rise if they reached the team mean on this criterion.
    """
    gap = team_mean - rep_mean
    if gap <= 0:
        return None
    return gap * weight / 100.0


@dataclass(frozen=True)
class Moment:
    """A call moment that shows the criterion: the evidence behind a low level."""

    call_id: str
    date: datetime | None
    account: str | None
    level: int
    timestamp: float | None
    speaker: str
    quote: str
    segment: int
    confidence: float | None = None


@dataclass
class Priority:
    rank: int
    criterion_id: str
    name: str
    weight: float
    rep_mean: float
    team_mean: float
    gap: float
    weighted_gap: float
    what_good_looks_like: str
    moments: list[Moment] = field(default_factory=list)


def rank_priorities(
    rep_means: Mapping[str, float | None],
    team_means: Mapping[str, float | None],
    criteria: Sequence[CriterionInfo],
    limit: int = PRIORITIES_PER_REP,
) -> list[Priority]:
    """The `limit` criteria with the largest weighted gap below the team mean."""
    candidates = []
    for position, crit in enumerate(criteria):
        rep_mean = rep_means.get(crit.id)
        team_mean = team_means.get(crit.id)
        if rep_mean is None or team_mean is None or np.isnan(rep_mean) or np.isnan(team_mean):
            continue
        score = weighted_gap(team_mean, rep_mean, crit.weight)
        if score is None:
            continue
        candidates.append((score, crit.weight, -position, crit, rep_mean, team_mean))
    candidates.sort(key=lambda c: (c[0], c[1], c[2]), reverse=True)
    return [
        Priority(
            rank=rank,
            criterion_id=crit.id,
            name=crit.name,
            weight=crit.weight,
            rep_mean=float(rep_mean),
            team_mean=float(team_mean),
            gap=float(team_mean - rep_mean),
            weighted_gap=float(score),
            what_good_looks_like=crit.good,
        )
        for rank, (score, _, _, crit, rep_mean, team_mean) in enumerate(candidates[:limit], 1)
    ]


def coaching_priorities(
    table: ScoreTable,
    team_of: pd.Series,
    selected: Sequence[int],
    limit: int = PRIORITIES_PER_REP,
    excluded: frozenset[str] = frozenset(),
) -> dict[int, list[Priority]]:
    """Priorities of each selected rep against their own team's mean (over the team's calls).

    `team_of` maps rep id to team name. A rep without a team is benchmarked against the
    organisation: the mean over every call in `table` (rule: no team is not a team of one,
    which would compare the rep with themself and never find a gap). The weighted gaps of every
    rep and criterion are computed at once; objects are built only for the priorities kept.
    `excluded` criteria (scores not trusted, domain/trust.py) are never a priority.
    """
    criteria = table.criteria
    columns = [c.id for c in criteria]
    reps = table.calls[REP]
    rep_means = group_means(table.levels, reps).reindex(columns=columns)
    teams = reps.map(team_of).fillna(NO_TEAM)
    team_means = group_means(table.levels, teams).reindex(columns=columns)
    # Reps without a team: the organisation's mean, over every call of the population.
    team_means.loc[NO_TEAM] = table.levels.reindex(columns=columns).mean()
    chosen = [r for r in selected if r in rep_means.index]
    result: dict[int, list[Priority]] = {r: [] for r in selected}
    if not chosen:
        return result
    mine = rep_means.loc[chosen].to_numpy(dtype=float)
    rep_team = [team_of.get(r) if isinstance(team_of.get(r), str) else NO_TEAM for r in chosen]
    theirs = team_means.reindex(rep_team).to_numpy(dtype=float)
    weights = np.array([c.weight for c in criteria], dtype=float)
    gaps = theirs - mine
    with np.errstate(invalid="ignore"):
        scores = np.where(gaps > 0, gaps * weights / 100.0, np.nan)
    # Largest weighted gap first; ties: heavier criterion, then rubric order.
    order_keys = np.lexsort((np.arange(len(criteria)), -weights))
    for row, rep_id in enumerate(chosen):
        ranked = sorted(
            (
                k
                for k in order_keys
                if not np.isnan(scores[row, k]) and criteria[k].id not in excluded
            ),
            key=lambda k: -scores[row, k],
        )[:limit]
        result[rep_id] = [
            Priority(
                rank=rank,
                criterion_id=criteria[k].id,
                name=criteria[k].name,
                weight=criteria[k].weight,
                rep_mean=float(mine[row, k]),
                team_mean=float(theirs[row, k]),
                gap=float(gaps[row, k]),
                weighted_gap=float(scores[row, k]),
                what_good_looks_like=criteria[k].good,
            )
            for rank, k in enumerate(ranked, 1)
        ]
    return result


def lowest_level_calls(
    table: ScoreTable, wanted: Mapping[int, Sequence[str]], limit: int
) -> dict[tuple[int, str], list[tuple[int, int]]]:
    """For each (rep, criterion) wanted: (call key, level) of the rep's lowest-level calls,
    most recent first on ties (calls without a date after dated ones; then table order). One
    stable sort per criterion over plain arrays, whatever the number of reps."""
    result: dict[tuple[int, str], list[tuple[int, int]]] = {}
    by_criterion: dict[str, list[int]] = {}
    for rep_id, criteria in wanted.items():
        for criterion_id in criteria:
            by_criterion.setdefault(criterion_id, []).append(rep_id)
    reps = table.calls[REP].to_numpy(dtype=np.int64)
    dates = table.calls[DATE].to_numpy(dtype="datetime64[ns]")
    keys = table.calls.index.to_numpy()
    for criterion_id, rep_ids in by_criterion.items():
        levels = table.levels[criterion_id].to_numpy(dtype=float)
        rows = np.flatnonzero(np.isin(reps, rep_ids) & ~np.isnan(levels))
        undated = np.isnat(dates[rows])
        newest_first = np.where(undated, 0, -dates[rows].view(np.int64))
        # np.lexsort is stable and sorts by its last key first: rep, level, dated before
        # undated, newest first.
        rows = rows[np.lexsort((newest_first, undated, levels[rows], reps[rows]))]
        rep_of = reps[rows]
        starts = np.flatnonzero(np.r_[True, rep_of[1:] != rep_of[:-1]])
        rank = np.arange(len(rows)) - np.repeat(starts, np.diff(np.r_[starts, len(rows)]))
        kept = rows[rank < limit]
        for key, rep_id, level in zip(
            keys[kept].tolist(), reps[kept].tolist(), levels[kept].tolist(), strict=True
        ):
            result.setdefault((rep_id, criterion_id), []).append((int(key), int(level)))
    return result


def choose_moments(candidates: Sequence[Moment], limit: int = MOMENTS_PER_PRIORITY) -> list[Moment]:
    """The moments that show a weakness most clearly: lowest level, then most confident.

    One moment per call, so three moments show three different calls.
    """
    ordered = sorted(
        candidates,
        key=lambda m: (
            m.level,
            -(m.confidence if m.confidence is not None else 0.0),
            -(m.date.timestamp() if m.date else 0.0),
        ),
    )
    chosen: list[Moment] = []
    seen: set[str] = set()
    for moment in ordered:
        if moment.call_id in seen or not moment.quote.strip():
            continue
        chosen.append(moment)
        seen.add(moment.call_id)
        if len(chosen) == limit:
            break
    return chosen
