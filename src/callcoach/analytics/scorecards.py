"""Scorecards per rep and benchmarks per team.

Seed rules: per rep, each criterion's mean level with a 95% confidence interval and n, the
weighted overall (weights of the rubric version each call was scored on), the change since the
previous cycle, and the close rate on linked deals next to the team's. Per team, the benchmark
(team mean per criterion) and the top-vs-bottom comparison: reps split by outcome (quota
attainment where quotas exist, else win rate) into a top and a bottom half, criteria ranked by
the gap between the halves.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import stats

from callcoach.analytics.levels import REP, CriterionInfo, ScoreTable, group_keys, group_means

CONFIDENCE = 0.95
MIN_CALLS_PER_REP = 10  # seed rule: fewer scored calls is not a meaningful assessment
NO_TEAM = "\x00"  # the group of reps without a team


def not_enough_calls(count: int) -> str:
    return (
        f"not enough calls for a meaningful assessment: {count} scored call(s) in the cycle "
        f"({MIN_CALLS_PER_REP} needed)"
    )


@dataclass(frozen=True)
class MeanCI:
    """A mean with its t-based 95% confidence interval; `note` says why there is none."""

    n: int
    mean: float | None
    low: float | None
    high: float | None
    note: str | None = None


def mean_ci(values: np.ndarray | pd.Series | list[float]) -> MeanCI:
    """Mean and t-based 95% interval of the non-missing values."""
    data = np.asarray(values, dtype=float)
    data = data[~np.isnan(data)]
    frame = pd.DataFrame({"v": data, "g": np.zeros(len(data), dtype=int)})
    return GroupStats.of(frame[["v"]], frame["g"]).get("v", 0)


_NO_CALLS = "no scored calls"
_ONE_CALL = "one call: no interval"


class GroupStats:
    """Per group and column: n, mean and the t-based 95% interval, computed for all groups at
    once (one groupby, vectorised t quantiles); MeanCI objects are made only when asked for."""

    def __init__(
        self, keys: list[object], columns: dict[str, tuple[list[int], list[float], list[float]]]
    ):
        self._position = {key: i for i, key in enumerate(keys)}
        self._columns = columns

    @classmethod
    def of(cls, frame: pd.DataFrame, keys: pd.Series | np.ndarray) -> GroupStats:
        # numpy sums per group rather than pandas' groupby: the same numbers (groups in order
        # of first appearance, missing keys and values left out, sample standard deviation) at
        # a tenth of the cost, which on a rep page was paid five times per view.
        codes, uniques = pd.factorize(group_keys(keys), sort=False)
        groups = len(uniques)
        columns = {}
        for column in frame.columns:
            values = frame[column].to_numpy(dtype=float)
            valid = (codes >= 0) & ~np.isnan(values)
            where, data = codes[valid], values[valid]
            n = np.bincount(where, minlength=groups).astype(float)
            with np.errstate(invalid="ignore", divide="ignore"):
                means = np.bincount(where, weights=data, minlength=groups) / n
                squares = np.bincount(where, weights=(data - means[where]) ** 2, minlength=groups)
                stds = np.sqrt(squares / (n - 1))
                stds[n < 2] = np.nan
                half = _t_critical(n) * stds / np.sqrt(n)
            columns[str(column)] = (n.astype(int).tolist(), means.tolist(), half.tolist())
        return cls(list(uniques), columns)

    def get(self, column: str, key: object) -> MeanCI:
        position = self._position.get(key)
        if position is None:
            return MeanCI(0, None, None, None, _NO_CALLS)
        counts, means, halves = self._columns[column]
        n, mean, half = counts[position], means[position], halves[position]
        if n == 0:
            return MeanCI(0, None, None, None, _NO_CALLS)
        if n == 1 or half != half:  # NaN: one call, or no spread to measure
            return MeanCI(n, mean, None, None, _ONE_CALL)
        return MeanCI(n, mean, mean - half, mean + half)


@lru_cache(maxsize=4096)
def _t_critical_of(calls: int) -> float:
    return float(stats.t.ppf(0.5 + CONFIDENCE / 2, calls - 1)) if calls >= 2 else float("nan")


def _t_critical(n: np.ndarray) -> np.ndarray:
    """The two-sided 95% t quantile for samples of n (NaN below 2), remembered per n."""
    return np.array([_t_critical_of(int(k)) for k in n], dtype=float)


def grouped_intervals(table: ScoreTable, keys: pd.Series) -> GroupStats:
    """Per criterion (and "overall"), per group key: mean level with its interval."""
    frame = table.levels.copy()
    frame["overall"] = table.overall()
    return GroupStats.of(frame, keys.to_numpy())


@dataclass(frozen=True)
class CloseRate:
    """Linked deals closed won out of those closed (won or lost)."""

    won: int
    closed: int
    rate: float | None

    @classmethod
    def of(cls, won: int, closed: int) -> CloseRate:
        return cls(won, closed, (won / closed) if closed else None)


@dataclass(frozen=True)
class CriterionResult:
    criterion_id: str
    name: str
    weight: float
    n: int
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    previous_mean: float | None
    change: float | None
    team_mean: float | None
    note: str | None = None


@dataclass
class RepScorecard:
    rep: str
    team: str | None
    calls: int
    enough_calls: bool
    overall: float | None
    overall_ci_low: float | None
    overall_ci_high: float | None
    overall_previous: float | None
    overall_change: float | None
    criteria: list[CriterionResult]
    close_rate: CloseRate
    team_close_rate: CloseRate
    close_rate_text: str
    flags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BenchmarkLine:
    criterion_id: str
    name: str
    weight: float
    n: int
    mean: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class RepOutcome:
    rep: str
    value: float


@dataclass(frozen=True)
class GroupGap:
    criterion_id: str
    name: str
    top_mean: float | None
    bottom_mean: float | None
    gap: float | None


@dataclass
class TopBottom:
    metric: str  # "quota attainment" or "win rate"
    top: list[RepOutcome]
    bottom: list[RepOutcome]
    gaps: list[GroupGap]


@dataclass
class TeamBenchmark:
    team: str | None
    reps: int
    calls: int
    overall: float | None
    criteria: list[BenchmarkLine]
    close_rate: CloseRate
    top_vs_bottom: TopBottom | None
    note: str | None = None


def _fmt_rate(rate: CloseRate) -> str:
    if rate.rate is None:
        return "n/a"
    return f"{rate.rate:.0%}"


def close_rate_sentence(rep: CloseRate, team: CloseRate, benchmark: str = "team") -> str:
    if rep.closed == 0:
        return "no linked deals closed in this cycle: no close rate yet"
    return (
        f"your close rate {_fmt_rate(rep)} ({rep.won} of {rep.closed} closed deals) vs the "
        f"{benchmark}'s {_fmt_rate(team)} ({team.won} of {team.closed})"
    )


def _delta(current: float | None, previous: float | None) -> float | None:
    if current is None or previous is None:
        return None
    return current - previous


def rep_scorecards(
    current: ScoreTable,
    previous: ScoreTable,
    reps: pd.DataFrame,
    deals: pd.DataFrame,
    selected: list[int] | None = None,
) -> list[RepScorecard]:
    """Scorecards of the `selected` reps (default: every rep in `reps`).

    `reps` (index: rep id; columns name, team) lists every rep of the teams concerned, and
    `current`/`previous` hold their calls: team means and team close rates need them all.
    `deals` has, per rep id, `won` and `closed` counts of linked closed deals.
    """
    teams = reps["team"].where(reps["team"].notna(), NO_TEAM).astype(object)
    now = grouped_intervals(current, current.calls[REP])
    before = grouped_intervals(previous, previous.calls[REP])
    team_now = grouped_intervals(current, current.calls[REP].map(teams).fillna(NO_TEAM))
    # Reps without a team are benchmarked against the organisation (every call loaded).
    organisation = grouped_intervals(current, pd.Series(NO_TEAM, index=current.calls.index))
    won = (deals["won"] if "won" in deals else pd.Series(dtype=int)).to_dict()
    closed = (deals["closed"] if "closed" in deals else pd.Series(dtype=int)).to_dict()
    team_won: dict[object, int] = {}
    team_closed: dict[object, int] = {}
    for rep_id, team in teams.items():
        team_won[team] = team_won.get(team, 0) + int(won.get(rep_id, 0))
        team_closed[team] = team_closed.get(team, 0) + int(closed.get(rep_id, 0))
    # Reps without a team compare their close rate with the organisation's.
    team_won[NO_TEAM] = sum(int(won.get(r, 0)) for r in teams.index)
    team_closed[NO_TEAM] = sum(int(closed.get(r, 0)) for r in teams.index)
    counts = current.calls[REP].value_counts().to_dict()
    names = reps["name"].to_dict()
    team_of = teams.to_dict()
    cards = []
    chosen = list(reps.index) if selected is None else [r for r in selected if r in names]
    for rep_id in chosen:
        team_key = team_of[rep_id]
        criteria = []
        for crit in current.criteria:
            this = now.get(crit.id, rep_id)
            prior = before.get(crit.id, rep_id)
            team_mean = (organisation if team_key == NO_TEAM else team_now).get(crit.id, team_key)
            criteria.append(
                CriterionResult(
                    criterion_id=crit.id,
                    name=crit.name,
                    weight=crit.weight,
                    n=this.n,
                    mean=this.mean,
                    ci_low=this.low,
                    ci_high=this.high,
                    previous_mean=prior.mean,
                    change=_delta(this.mean, prior.mean),
                    team_mean=team_mean.mean,
                    note=this.note,
                )
            )
        overall = now.get("overall", rep_id)
        overall_before = before.get("overall", rep_id)
        n_calls = int(counts.get(rep_id, 0))
        rep_rate = CloseRate.of(int(won.get(rep_id, 0)), int(closed.get(rep_id, 0)))
        team_rate = CloseRate.of(int(team_won.get(team_key, 0)), int(team_closed.get(team_key, 0)))
        flags = [] if n_calls >= MIN_CALLS_PER_REP else [not_enough_calls(n_calls)]
        cards.append(
            RepScorecard(
                rep=str(names[rep_id]),
                team=None if team_key == NO_TEAM else str(team_key),
                calls=n_calls,
                enough_calls=n_calls >= MIN_CALLS_PER_REP,
                overall=overall.mean,
                overall_ci_low=overall.low,
                overall_ci_high=overall.high,
                overall_previous=overall_before.mean,
                overall_change=_delta(overall.mean, overall_before.mean),
                criteria=criteria,
                close_rate=rep_rate,
                team_close_rate=team_rate,
                close_rate_text=close_rate_sentence(
                    rep_rate, team_rate, "organisation" if team_key == NO_TEAM else "team"
                ),
                flags=flags,
            )
        )
    return cards


def split_top_bottom(
    outcomes: pd.Series | dict[object, float],
) -> tuple[list[object], list[object]]:
    """Reps ordered by outcome, best first (ties keep their order): the top half and the bottom
    half. With an odd number of reps the middle one belongs to neither half."""
    items = outcomes.items()
    ordered = sorted(
        ((rep, float(v)) for rep, v in items if v is not None and not np.isnan(v)),
        key=lambda item: -item[1],
    )
    half = len(ordered) // 2
    return [r for r, _ in ordered[:half]], [r for r, _ in ordered[len(ordered) - half :]]


def top_vs_bottom(
    rep_means: dict[object, np.ndarray],
    criteria: list[CriterionInfo],
    names: dict[object, str],
    outcome: dict[object, float],
    metric: str,
) -> TopBottom | None:
    """Criteria ranked by how much the top half of reps (by outcome) beat the bottom half.

    `rep_means` holds each rep's mean level per criterion (in `criteria` order); each rep counts
    once: group means are means of the reps' own means.
    """
    top, bottom = split_top_bottom(outcome)
    if not top or not bottom:
        return None
    empty = np.full(len(criteria), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a criterion no rep of a group has
        top_means = np.nanmean([rep_means.get(r, empty) for r in top], axis=0)
        bottom_means = np.nanmean([rep_means.get(r, empty) for r in bottom], axis=0)
    gaps = []
    for position, crit in enumerate(criteria):
        high, low = top_means[position], bottom_means[position]
        top_mean = None if np.isnan(high) else float(high)
        bottom_mean = None if np.isnan(low) else float(low)
        gaps.append(
            GroupGap(crit.id, crit.name, top_mean, bottom_mean, _delta(top_mean, bottom_mean))
        )
    gaps.sort(key=lambda g: (g.gap is None, -(g.gap or 0.0)))
    return TopBottom(
        metric=metric,
        top=[RepOutcome(names[r], outcome[r]) for r in top],
        bottom=[RepOutcome(names[r], outcome[r]) for r in bottom],
        gaps=gaps,
    )


def team_benchmarks(
    current: ScoreTable, reps: pd.DataFrame, deals: pd.DataFrame
) -> list[TeamBenchmark]:
    """Per team: mean level per criterion over the team's calls, and the top-vs-bottom split.

    `deals` (index rep id) has `won`, `closed` and optionally `attainment` (quota attainment,
    NaN where the rep has no quota in the cycle). One pass over the calls for every team.
    """
    team_of = reps["team"].where(reps["team"].notna(), NO_TEAM).astype(object)
    rep_of_call = current.calls[REP]
    call_team = rep_of_call.map(team_of).fillna(NO_TEAM)
    intervals = grouped_intervals(current, call_team)
    calls_per_team = call_team.value_counts()
    grouped_means = group_means(current.levels, rep_of_call)
    ordered_means = grouped_means.reindex(columns=current.criterion_ids).to_numpy(dtype=float)
    rep_means = dict(zip(grouped_means.index, ordered_means, strict=True))
    scored = set(rep_means)
    names = reps["name"].astype(str).to_dict()
    rep_deals = deals.reindex(reps.index).fillna(0)
    attainment_all = (
        deals["attainment"].reindex(reps.index)
        if "attainment" in deals
        else pd.Series(np.nan, index=reps.index)
    )
    closed = rep_deals["closed"]
    win_rate_all = (rep_deals["won"] / closed.where(closed > 0)).astype(float).to_dict()
    attainment_map = attainment_all.astype(float).to_dict()
    won_map = rep_deals["won"].to_dict()
    closed_map = closed.to_dict()
    result = []
    for team, members in reps.groupby(team_of, sort=True):
        ids = list(members.index)
        count = len(ids)
        lines = []
        for crit in current.criteria:
            ci = intervals.get(crit.id, team)
            lines.append(
                BenchmarkLine(crit.id, crit.name, crit.weight, ci.n, ci.mean, ci.low, ci.high)
            )
        overall = intervals.get("overall", team)
        rate = CloseRate.of(int(sum(won_map[r] for r in ids)), int(sum(closed_map[r] for r in ids)))
        shown = [r for r in ids if r in scored]
        attainment = {r: attainment_map[r] for r in shown if not np.isnan(attainment_map[r])}
        win_rate = {r: win_rate_all[r] for r in shown if not np.isnan(win_rate_all[r])}
        comparison = None
        note = None
        if len(attainment) >= 2:
            comparison = top_vs_bottom(
                rep_means, current.criteria, names, attainment, "quota attainment"
            )
        elif len(win_rate) >= 2:
            comparison = top_vs_bottom(rep_means, current.criteria, names, win_rate, "win rate")
        else:
            note = (
                "top-vs-bottom needs at least 2 scored reps with closed linked deals or quotas "
                "in the cycle"
            )
        result.append(
            TeamBenchmark(
                team=None if team == NO_TEAM else str(team),
                reps=count,
                calls=int(calls_per_team.get(team, 0)),
                overall=overall.mean,
                criteria=lines,
                close_rate=rate,
                top_vs_bottom=comparison,
                note=note,
            )
        )
    return result
