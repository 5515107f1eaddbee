"""Scorecards per rep and benchmarks per team.

Seed rules: per rep, each criterion's mean level with a 95% confidence interval and n, the
weighted overall (weights of the rubric version each call was scored on), the change since the
previous cycle, and the close rate on linked deals next to the team's. Per team, the benchmark
(team mean per criterion) and the top-vs-bottom comparison: reps split by outcome (quota
attainment where quotas exist, else win rate) into a top and a bottom half, criteria ranked by
the gap between the halves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from callcoach.analytics.levels import REP, CriterionInfo, ScoreTable

CONFIDENCE = 0.95
MIN_CALLS_PER_REP = 10  # seed rule: fewer scored calls is not a meaningful assessment


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
    frame = pd.DataFrame({"v": data, "g": 0})
    return _interval_rows(frame.groupby("g")["v"].agg(["count", "mean", "std"])).get(
        0, MeanCI(0, None, None, None, "no scored calls")
    )


def _interval_rows(agg: pd.DataFrame) -> dict[object, MeanCI]:
    """From a frame of count/mean/std per group to MeanCI per group (vectorised t quantiles)."""
    result: dict[object, MeanCI] = {}
    if agg.empty:
        return result
    counts = agg["count"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        critical = stats.t.ppf(0.5 + CONFIDENCE / 2, counts - 1)
        half = critical * agg["std"].to_numpy(dtype=float) / np.sqrt(counts)
    for key, n, mean, width in zip(agg.index, counts, agg["mean"].to_numpy(), half, strict=True):
        count = int(n)
        if count == 0:
            result[key] = MeanCI(0, None, None, None, "no scored calls")
        elif count == 1 or np.isnan(width):
            result[key] = MeanCI(count, float(mean), None, None, "one call: no interval")
        else:
            result[key] = MeanCI(count, float(mean), float(mean - width), float(mean + width))
    return result


def grouped_intervals(table: ScoreTable, keys: pd.Series) -> dict[str, dict[object, MeanCI]]:
    """Per criterion (and "overall"), per group key: mean level with its interval."""
    result: dict[str, dict[object, MeanCI]] = {}
    frame = table.levels.copy()
    frame["__overall"] = table.overall()
    grouped = frame.groupby(keys.to_numpy())
    for column in frame.columns:
        agg = grouped[column].agg(["count", "mean", "std"])
        name = "overall" if column == "__overall" else str(column)
        result[name] = _interval_rows(agg)
    return result


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


def close_rate_sentence(rep: CloseRate, team: CloseRate) -> str:
    if rep.closed == 0:
        return "no linked deals closed in this cycle: no close rate yet"
    return (
        f"your close rate {_fmt_rate(rep)} ({rep.won} of {rep.closed} closed deals) vs the "
        f"team's {_fmt_rate(team)} ({team.won} of {team.closed})"
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
    teams = reps["team"]
    now = grouped_intervals(current, current.calls[REP])
    before = grouped_intervals(previous, previous.calls[REP])
    call_teams = current.calls[REP].map(teams)
    team_now = grouped_intervals(current, call_teams.fillna("\x00"))
    won = deals["won"] if "won" in deals else pd.Series(dtype=int)
    closed = deals["closed"] if "closed" in deals else pd.Series(dtype=int)
    team_won = won.groupby(teams.reindex(won.index).fillna("\x00")).sum()
    team_closed = closed.groupby(teams.reindex(closed.index).fillna("\x00")).sum()
    counts = current.calls[REP].value_counts()
    cards = []
    chosen = reps if selected is None else reps.loc[[r for r in selected if r in reps.index]]
    for rep_id, row in chosen.iterrows():
        team_key = row["team"] if isinstance(row["team"], str) else "\x00"
        criteria = []
        for crit in current.criteria:
            this = now[crit.id].get(rep_id, MeanCI(0, None, None, None, "no scored calls"))
            prior = before.get(crit.id, {}).get(rep_id)
            team_mean = team_now[crit.id].get(team_key)
            criteria.append(
                CriterionResult(
                    criterion_id=crit.id,
                    name=crit.name,
                    weight=crit.weight,
                    n=this.n,
                    mean=this.mean,
                    ci_low=this.low,
                    ci_high=this.high,
                    previous_mean=prior.mean if prior else None,
                    change=_delta(this.mean, prior.mean if prior else None),
                    team_mean=team_mean.mean if team_mean else None,
                    note=this.note,
                )
            )
        overall = now["overall"].get(rep_id, MeanCI(0, None, None, None))
        overall_before = before.get("overall", {}).get(rep_id)
        n_calls = int(counts.get(rep_id, 0))
        rep_rate = CloseRate.of(int(won.get(rep_id, 0)), int(closed.get(rep_id, 0)))
        team_rate = CloseRate.of(int(team_won.get(team_key, 0)), int(team_closed.get(team_key, 0)))
        flags = [] if n_calls >= MIN_CALLS_PER_REP else [not_enough_calls(n_calls)]
        cards.append(
            RepScorecard(
                rep=str(row["name"]),
                team=row["team"] if isinstance(row["team"], str) else None,
                calls=n_calls,
                enough_calls=n_calls >= MIN_CALLS_PER_REP,
                overall=overall.mean,
                overall_ci_low=overall.low,
                overall_ci_high=overall.high,
                overall_previous=overall_before.mean if overall_before else None,
                overall_change=_delta(
                    overall.mean, overall_before.mean if overall_before else None
                ),
                criteria=criteria,
                close_rate=rep_rate,
                team_close_rate=team_rate,
                close_rate_text=close_rate_sentence(rep_rate, team_rate),
                flags=flags,
            )
        )
    return cards


def split_top_bottom(outcomes: pd.Series) -> tuple[list[object], list[object]]:
    """Reps ordered by outcome, best first: the top half and the bottom half.

    With an odd number of reps the middle one belongs to neither half.
    """
    ordered = outcomes.dropna().sort_values(ascending=False, kind="stable")
    half = len(ordered) // 2
    return list(ordered.index[:half]), list(ordered.index[len(ordered) - half :])


def top_vs_bottom(
    rep_means: pd.DataFrame,
    criteria: list[CriterionInfo],
    names: pd.Series,
    outcome: pd.Series,
    metric: str,
) -> TopBottom | None:
    """Criteria ranked by how much the top half of reps (by outcome) beat the bottom half.

    `rep_means` holds each rep's mean level per criterion (index: rep id); each rep counts once:
    group means are means of the reps' own means.
    """
    top, bottom = split_top_bottom(outcome)
    if not top or not bottom:
        return None
    top_means = rep_means.reindex(top).mean()
    bottom_means = rep_means.reindex(bottom).mean()
    gaps = []
    for crit in criteria:
        high = top_means.get(crit.id)
        low = bottom_means.get(crit.id)
        top_mean = None if high is None or pd.isna(high) else float(high)
        bottom_mean = None if low is None or pd.isna(low) else float(low)
        gaps.append(
            GroupGap(crit.id, crit.name, top_mean, bottom_mean, _delta(top_mean, bottom_mean))
        )
    gaps.sort(key=lambda g: (g.gap is None, -(g.gap or 0.0)))
    return TopBottom(
        metric=metric,
        top=[RepOutcome(str(names[r]), float(outcome[r])) for r in top],
        bottom=[RepOutcome(str(names[r]), float(outcome[r])) for r in bottom],
        gaps=gaps,
    )


NO_TEAM = "\x00"  # the group of reps without a team


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
    rep_means = current.levels.groupby(rep_of_call.to_numpy()).mean()
    scored = set(rep_means.index)
    rep_deals = deals.reindex(reps.index).fillna(0)
    attainment_all = (
        deals["attainment"].reindex(reps.index)
        if "attainment" in deals
        else pd.Series(np.nan, index=reps.index)
    )
    closed = rep_deals["closed"]
    win_rate_all = (rep_deals["won"] / closed.where(closed > 0)).astype(float)
    empty = MeanCI(0, None, None, None)
    result = []
    for team, members in reps.groupby(team_of, sort=True):
        ids = list(members.index)
        lines = []
        for crit in current.criteria:
            ci = intervals[crit.id].get(team, empty)
            lines.append(
                BenchmarkLine(crit.id, crit.name, crit.weight, ci.n, ci.mean, ci.low, ci.high)
            )
        overall = intervals["overall"].get(team, empty)
        rate = CloseRate.of(int(rep_deals.loc[ids, "won"].sum()), int(closed.loc[ids].sum()))
        shown = [r for r in ids if r in scored]
        attainment = attainment_all.loc[shown]
        win_rate = win_rate_all.loc[shown]
        comparison = None
        note = None
        if attainment.notna().sum() >= 2:
            comparison = top_vs_bottom(
                rep_means, current.criteria, members["name"], attainment, "quota attainment"
            )
        elif win_rate.notna().sum() >= 2:
            comparison = top_vs_bottom(
                rep_means, current.criteria, members["name"], win_rate, "win rate"
            )
        else:
            note = (
                "top-vs-bottom needs at least 2 scored reps with closed linked deals or quotas "
                "in the cycle"
            )
        result.append(
            TeamBenchmark(
                team=None if team == NO_TEAM else str(team),
                reps=len(members),
                calls=int(calls_per_team.get(team, 0)),
                overall=overall.mean,
                criteria=lines,
                close_rate=rate,
                top_vs_bottom=comparison,
                note=note,
            )
        )
    return result
