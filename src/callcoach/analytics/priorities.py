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

from callcoach.analytics.levels import DATE, REP, CriterionInfo, ScoreTable

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
) -> dict[int, list[Priority]]:
    """Priorities of each selected rep against their own team's mean (over the team's calls).

    `team_of` maps rep id to team name (missing: reps without a team form one group).
    """
    reps = table.calls[REP]
    rep_means = table.levels.groupby(reps.to_numpy()).mean()
    teams = reps.map(team_of).fillna("\x00")
    team_means = table.levels.groupby(teams.to_numpy()).mean()
    result: dict[int, list[Priority]] = {}
    for rep_id in selected:
        if rep_id not in rep_means.index:
            result[rep_id] = []
            continue
        team = team_of.get(rep_id)
        team_key = team if isinstance(team, str) else "\x00"
        mine = {k: float(v) for k, v in rep_means.loc[rep_id].items() if pd.notna(v)}
        theirs = (
            {k: float(v) for k, v in team_means.loc[team_key].items() if pd.notna(v)}
            if team_key in team_means.index
            else {}
        )
        result[rep_id] = rank_priorities(mine, theirs, table.criteria, limit)
    return result


def lowest_level_calls(
    table: ScoreTable, wanted: Mapping[int, Sequence[str]], limit: int
) -> dict[tuple[int, str], list[tuple[int, int]]]:
    """For each (rep, criterion) wanted: (call key, level) of the rep's lowest-level calls,
    most recent first on ties. One sort per criterion, whatever the number of reps."""
    result: dict[tuple[int, str], list[tuple[int, int]]] = {}
    by_criterion: dict[str, list[int]] = {}
    for rep_id, criteria in wanted.items():
        for criterion_id in criteria:
            by_criterion.setdefault(criterion_id, []).append(rep_id)
    for criterion_id, rep_ids in by_criterion.items():
        mine = table.calls[REP].isin(rep_ids).to_numpy()
        frame = pd.DataFrame(
            {
                "rep": table.calls.loc[mine, REP],
                "date": table.calls.loc[mine, DATE],
                "level": table.levels.loc[mine, criterion_id],
            }
        ).dropna(subset=["level"])
        frame = frame.sort_values(["rep", "level", "date"], ascending=[True, True, False])
        head = frame.groupby("rep", sort=False).head(limit)
        for key, rep_id, level in zip(head.index, head["rep"], head["level"], strict=True):
            result.setdefault((int(rep_id), criterion_id), []).append((int(key), int(level)))
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
