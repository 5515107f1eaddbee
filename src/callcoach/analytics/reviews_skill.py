"""The skill and growth dimensions of a review, from the levels that count (analytics/levels.py).

- **skill**: per criterion, the rep's mean level over the window's scored calls with its 95%
  interval (analytics/scorecards.mean_ci) and the team's mean over the team's calls; the
  weighted overall (weights of the version each call was scored on). A rep with no scored call
  in the window is rated from managers' ratings of their calls instead (each call's level per
  criterion is the mean of its raters'), marked manual.
- **growth**: for each criterion the rep was coached on, the change in mean level from the
  previous rolling quarter (91 days) to the latest one ending on the as-of day, with Welch's 95%
  interval of the difference (scipy); without coaching, the change of the weighted overall.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from scipy import stats

from callcoach.analytics.levels import DATE, CriterionInfo, ScoreTable
from callcoach.analytics.scorecards import mean_ci

QUARTER_DAYS = 91


@dataclass
class SkillLine:
    criterion_id: str
    name: str
    weight: float
    n: int
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    team_mean: float | None
    good: str  # the level-4 anchor
    source: str  # "scored" or "manual"
    # Scores not trusted (domain/trust.py): shown, but left out of the skill rating.
    held_out: bool = False


@dataclass
class SkillResult:
    lines: list[SkillLine]
    overall: float | None
    overall_low: float | None
    overall_high: float | None
    team_overall: float | None
    calls: int
    source: str  # "scored", "manual" or "none"


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def skill_from_scores(
    team: ScoreTable,
    rep_pk: int,
    team_pks: Sequence[int],
    held_out: frozenset[str] = frozenset(),
) -> SkillResult:
    """Skill from the window's machine levels (overrides applied) of the rep and the team.

    `held_out` criteria (scores not trusted) keep their line, marked, and count in no overall."""
    mine = team.for_reps([rep_pk])
    theirs = team.for_reps(list(team_pks))
    lines = []
    for crit in team.criteria:
        ci = mean_ci(mine.levels[crit.id].to_numpy(dtype=float))
        team_values = theirs.levels[crit.id].to_numpy(dtype=float)
        team_values = team_values[~np.isnan(team_values)]
        lines.append(
            SkillLine(
                crit.id,
                crit.name,
                crit.weight,
                ci.n,
                ci.mean,
                ci.low,
                ci.high,
                float(team_values.mean()) if len(team_values) else None,
                crit.good,
                "scored",
                crit.id in held_out,
            )
        )
    if held_out:
        mine, theirs = mine.without(held_out), theirs.without(held_out)
    overall = mean_ci(mine.overall().to_numpy(dtype=float))
    team_overall = theirs.overall().to_numpy(dtype=float)
    team_overall = team_overall[~np.isnan(team_overall)]
    return SkillResult(
        lines,
        overall.mean,
        overall.low,
        overall.high,
        float(team_overall.mean()) if len(team_overall) else None,
        len(mine),
        "scored" if len(mine) else "none",
    )


def skill_from_ratings(
    ratings: Sequence[tuple[int, str, str, int]],
    criteria: Sequence[CriterionInfo],
    team_means: Mapping[str, float | None],
    team_overall: float | None,
) -> SkillResult:
    """Skill from managers' ratings (call pk, criterion, rater, level) of the rep's calls."""
    frame = pd.DataFrame(list(ratings), columns=["call", "criterion", "rater", "level"])
    per_call = (
        frame.groupby(["call", "criterion"])["level"].mean().unstack()
        if len(frame)
        else pd.DataFrame()
    )
    per_call = per_call.reindex(columns=[c.id for c in criteria])
    lines = []
    for crit in criteria:
        ci = mean_ci(per_call[crit.id].to_numpy(dtype=float) if len(per_call) else [])
        lines.append(
            SkillLine(
                crit.id,
                crit.name,
                crit.weight,
                ci.n,
                ci.mean,
                ci.low,
                ci.high,
                team_means.get(crit.id),
                crit.good,
                "manual",
            )
        )
    weights = np.array([c.weight for c in criteria], dtype=float)
    values = per_call.to_numpy(dtype=float) if len(per_call) else np.empty((0, len(criteria)))
    present = ~np.isnan(values)
    with np.errstate(invalid="ignore", divide="ignore"):
        overall_calls = (np.where(present, values, 0.0) * weights).sum(axis=1) / (
            present * weights
        ).sum(axis=1)
    overall = mean_ci(overall_calls)
    return SkillResult(
        lines,
        overall.mean,
        overall.low,
        overall.high,
        team_overall,
        len(per_call),
        "manual" if len(per_call) else "none",
    )


@dataclass
class GrowthLine:
    criterion_id: str
    name: str
    coached: bool
    previous_mean: float | None
    current_mean: float | None
    previous_n: int
    current_n: int
    change: float | None
    ci_low: float | None
    ci_high: float | None
    note: str | None = None


@dataclass
class GrowthResult:
    lines: list[GrowthLine]
    change: float | None  # mean change over the lines with one
    current_start: date
    previous_start: date
    as_of: date
    basis: str  # what the change is measured on
    verdicts: list[str] = field(default_factory=list)  # evidence ids of coaching verdicts


def welch_change(
    before: np.ndarray, after: np.ndarray
) -> tuple[float | None, float | None, float | None]:
    """(after mean - before mean, and Welch's 95% interval of that difference)."""
    before = before[~np.isnan(before)]
    after = after[~np.isnan(after)]
    if not len(before) or not len(after):
        return None, None, None
    change = float(after.mean() - before.mean())
    if len(before) < 2 or len(after) < 2:
        return change, None, None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        interval = stats.ttest_ind(after, before, equal_var=False).confidence_interval(0.95)
    return change, _finite(interval.low), _finite(interval.high)


def growth(history: ScoreTable, rep_pk: int, coached: Sequence[str], as_of: date) -> GrowthResult:
    """Quarter-over-quarter change (rolling 91-day quarters ending on the as-of day) on the
    coached criteria, or on the weighted overall when nobody coached the rep."""
    mine = history.for_reps([rep_pk])
    end = pd.Timestamp(datetime.combine(as_of + timedelta(days=1), datetime.min.time()))
    middle = end - pd.Timedelta(days=QUARTER_DAYS)
    start = middle - pd.Timedelta(days=QUARTER_DAYS)
    dates = mine.calls[DATE]
    current = ((dates >= middle) & (dates < end)).to_numpy()
    previous = ((dates >= start) & (dates < middle)).to_numpy()
    lines = []
    targets: list[tuple[str, str, np.ndarray]] = []
    if coached:
        for crit_id in coached:
            crit = history.criterion(crit_id)
            targets.append((crit.id, crit.name, mine.levels[crit.id].to_numpy(dtype=float)))
        basis = "the criteria the rep was coached on"
    else:
        targets.append(("overall", "Weighted overall", mine.overall().to_numpy(dtype=float)))
        basis = "the weighted overall (no coaching on record)"
    for key, name, values in targets:
        change, low, high = welch_change(values[previous], values[current])
        before = values[previous][~np.isnan(values[previous])]
        after = values[current][~np.isnan(values[current])]
        note = None
        if change is None:
            note = "no scored calls in one of the two quarters"
        elif low is None:
            note = "one call in a quarter: no interval"
        lines.append(
            GrowthLine(
                key,
                name,
                bool(coached),
                float(before.mean()) if len(before) else None,
                float(after.mean()) if len(after) else None,
                len(before),
                len(after),
                change,
                low,
                high,
                note,
            )
        )
    changes = [line.change for line in lines if line.change is not None]
    return GrowthResult(
        lines,
        float(np.mean(changes)) if changes else None,
        (middle.date()),
        (start.date()),
        as_of,
        basis,
    )
