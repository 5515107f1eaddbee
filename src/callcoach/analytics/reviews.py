"""Review figures from plain rows: the three deal buckets, output and activity metrics with the
team's benchmark, and proposed ratings.

Definitions (docs/reviews.md):

- **closed won**: the rep's deals won with a close date in the window.
- **lost after a verbal commitment**: deals lost with a close date in the window and a verbal
  commitment date on or before it.
- **stalled**: deals open at the as-of day (created by then, not closed by then) whose last
  touch is `stalled_days` or more before it. Last touch: the latest of the deal's stage-change
  date and last-activity date (from the CRM export, when it has them), its created and
  verbal-commit dates, and its latest linked call up to the as-of day. A deal the CRM itself
  marks stalled counts too.
- **output**: quota attainment (won amounts closing in the quota periods that overlap the
  window, up to the as-of day, over those quotas), average deal size (mean amount of the
  window's won deals), win rate (won / (won + lost) closed in the window), cycle length (median
  days from creation to close of the window's won deals).
- **activity**: calls made, meetings booked and proposals sent in the window (CRM activity), and
  the pipeline coverage ratio: open pipeline at the as-of day over the quota left in the current
  quota period (quota minus won so far).
- **benchmark**: the team's value beside each: rates and ratios pooled over the team's deals,
  counts as the mean per rep of the team (the rep included).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from callcoach.domain.reviews import ReviewParameters


@dataclass(frozen=True)
class DealFacts:
    pk: int
    external_id: str
    rep_pk: int | None
    name: str | None
    account: str | None
    amount: float | None
    outcome: str  # won, lost, stalled, open
    created: date | None
    closed: date | None
    verbal: date | None
    stage_changed: date | None = None
    last_activity: date | None = None

    @property
    def title(self) -> str:
        return self.name or self.account or self.external_id


@dataclass(frozen=True)
class ActivityDay:
    rep_pk: int
    day: date
    calls_made: int
    meetings_booked: int
    proposals_sent: int


@dataclass(frozen=True)
class QuotaPeriod:
    rep_pk: int
    start: date
    end: date  # inclusive
    amount: float


@dataclass(frozen=True)
class Window:
    start: date  # first day
    as_of: date  # last day (inclusive)

    @classmethod
    def before(cls, as_of: date, days: int) -> Window:
        return cls(as_of - timedelta(days=days - 1), as_of)

    def contains(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.as_of


@dataclass
class StalledDeal:
    deal: DealFacts
    last_touch: date | None
    days_untouched: int | None
    reason: str


@dataclass
class DealBuckets:
    won: list[DealFacts] = field(default_factory=list)
    lost_after_verbal: list[DealFacts] = field(default_factory=list)
    stalled: list[StalledDeal] = field(default_factory=list)
    lost_other: list[DealFacts] = field(default_factory=list)  # lost without a verbal commit


def open_at(deal: DealFacts, day: date) -> bool:
    """Open on that day: created by then (or undated) and not closed by then."""
    if deal.created is not None and deal.created > day:
        return False
    if deal.outcome in ("won", "lost"):
        return deal.closed is None or deal.closed > day
    return True


def last_touch(deal: DealFacts, last_call: date | None) -> date | None:
    dates = [
        d
        for d in (deal.stage_changed, deal.last_activity, deal.created, deal.verbal, last_call)
        if d is not None
    ]
    return max(dates) if dates else None


def _by_amount(deal: DealFacts) -> tuple[float, str]:
    return (-(deal.amount or 0.0), deal.external_id)


def deal_buckets(
    deals: Sequence[DealFacts],
    last_call: dict[int, date],
    window: Window,
    params: ReviewParameters,
) -> DealBuckets:
    """The rep's deals in the three buckets (`last_call`: deal pk -> latest linked call day
    up to the as-of day). Largest amounts first within a bucket."""
    buckets = DealBuckets()
    for deal in deals:
        if deal.outcome == "won" and window.contains(deal.closed):
            buckets.won.append(deal)
        elif deal.outcome == "lost" and window.contains(deal.closed):
            assert deal.closed is not None  # window.contains checked it
            if deal.verbal is not None and deal.verbal <= deal.closed:
                buckets.lost_after_verbal.append(deal)
            else:
                buckets.lost_other.append(deal)
        elif open_at(deal, window.as_of):
            touched = last_touch(deal, last_call.get(deal.pk))
            days = (window.as_of - touched).days if touched is not None else None
            if touched is not None and days is not None and days >= params.stalled_days:
                buckets.stalled.append(
                    StalledDeal(
                        deal,
                        touched,
                        days,
                        f"no stage change, call or activity for {days} days (since "
                        f"{touched.isoformat()}; stalled from {params.stalled_days})",
                    )
                )
            elif deal.outcome == "stalled":
                buckets.stalled.append(
                    StalledDeal(deal, touched, days, "marked stalled in the CRM")
                )
    buckets.won.sort(key=_by_amount)
    buckets.lost_after_verbal.sort(key=_by_amount)
    buckets.lost_other.sort(key=_by_amount)
    buckets.stalled.sort(key=lambda s: _by_amount(s.deal))
    return buckets


@dataclass
class MetricValue:
    """One metric of a dimension: the rep's value, the team's, and how it was computed."""

    metric: str  # key, e.g. win_rate
    name: str
    unit: str  # ratio, money, days, count, times
    value: float | None
    team_value: float | None
    n: int | None  # what the value rests on (deals, days, ...)
    higher_is_better: bool = True
    how: str = ""
    note: str | None = None  # why the value is missing, or what to keep in mind
    score: int | None = None  # 1-5 from the ratio to the benchmark


def ratio_score(ratio: float | None, bands: Sequence[float]) -> int | None:
    """1-5 from a ratio to the benchmark: below bands[0] is 1, from bands[3] on is 5."""
    if ratio is None:
        return None
    return 1 + sum(1 for bound in bands if ratio >= bound - 1e-12)


def score_metric(metric: MetricValue, bands: Sequence[float], absolute: bool = False) -> None:
    """Set `metric.score`: the ratio to the team's value (inverted when lower is better), or
    the value itself for quota attainment, which is already a ratio to a target."""
    if metric.value is None:
        return
    if absolute:
        metric.score = ratio_score(metric.value, bands)
        return
    if metric.team_value is None or metric.team_value <= 0 or metric.value < 0:
        return
    ratio: float | None = metric.value / metric.team_value
    if not metric.higher_is_better:
        ratio = metric.team_value / metric.value if metric.value > 0 else None
    metric.score = ratio_score(ratio, bands)


def _won_lost(deals: Sequence[DealFacts], window: Window) -> tuple[list[DealFacts], int]:
    won = [d for d in deals if d.outcome == "won" and window.contains(d.closed)]
    lost = sum(1 for d in deals if d.outcome == "lost" and window.contains(d.closed))
    return won, lost


def attainment(
    deals: Sequence[DealFacts], quotas: Sequence[QuotaPeriod], window: Window
) -> tuple[float | None, float, float]:
    """(won / quota, quota, won) over the quota periods overlapping the window; won deals
    count when they close inside a period and on or before the as-of day."""
    periods = [q for q in quotas if q.start <= window.as_of and q.end >= window.start]
    quota = sum(q.amount for q in periods)
    won = sum(
        d.amount or 0.0
        for d in deals
        if d.outcome == "won"
        and d.closed is not None
        and d.closed <= window.as_of
        and any(q.start <= d.closed <= q.end for q in periods)
    )
    return (won / quota if quota > 0 else None), quota, won


def _cycle_days(won: Sequence[DealFacts]) -> list[int]:
    return [
        (d.closed - d.created).days
        for d in won
        if d.closed is not None and d.created is not None and d.closed >= d.created
    ]


def output_metrics(
    rep_pk: int,
    deals: Sequence[DealFacts],
    quotas: Sequence[QuotaPeriod],
    team_pks: Sequence[int],
    window: Window,
    params: ReviewParameters,
) -> list[MetricValue]:
    """Quota attainment, average deal size, win rate, cycle length (rep and team)."""
    mine = [d for d in deals if d.rep_pk == rep_pk]
    team = [d for d in deals if d.rep_pk in set(team_pks)]
    my_quotas = [q for q in quotas if q.rep_pk == rep_pk]
    team_quotas = [q for q in quotas if q.rep_pk in set(team_pks)]
    won, lost = _won_lost(mine, window)
    team_won, team_lost = _won_lost(team, window)
    value, quota, _ = attainment(mine, my_quotas, window)
    team_value, _, _ = attainment(team, team_quotas, window)
    sizes = [d.amount for d in won if d.amount is not None]
    team_sizes = [d.amount for d in team_won if d.amount is not None]
    cycles, team_cycles = _cycle_days(won), _cycle_days(team_won)
    metrics = [
        MetricValue(
            "quota_attainment",
            "Quota attainment",
            "ratio",
            value,
            team_value,
            len([q for q in my_quotas if q.start <= window.as_of and q.end >= window.start]),
            how="won amounts closing in the quota periods that overlap the window (up to the "
            "as-of day) / those quotas; team: pooled",
            note=None if value is not None else "no quota overlaps the window",
        ),
        MetricValue(
            "average_deal_size",
            "Average deal size",
            "money",
            statistics.fmean(sizes) if sizes else None,
            statistics.fmean(team_sizes) if team_sizes else None,
            len(sizes),
            how="mean amount of the deals won in the window; team: over the team's won deals",
            note=None if sizes else "no deal with an amount won in the window",
        ),
        MetricValue(
            "win_rate",
            "Win rate",
            "ratio",
            len(won) / (len(won) + lost) if won or lost else None,
            len(team_won) / (len(team_won) + team_lost) if team_won or team_lost else None,
            len(won) + lost,
            how="won / (won + lost) among the deals closed in the window; team: pooled",
            note=None if won or lost else "no deal closed in the window",
        ),
        MetricValue(
            "cycle_length",
            "Cycle length",
            "days",
            float(statistics.median(cycles)) if cycles else None,
            float(statistics.median(team_cycles)) if team_cycles else None,
            len(cycles),
            higher_is_better=False,
            how="median days from creation to close of the deals won in the window",
            note=None if cycles else "no won deal with both dates in the window",
        ),
    ]
    for metric in metrics:
        score_metric(metric, params.ratio_bands, absolute=metric.metric == "quota_attainment")
    if quota == 0 and metrics[0].note:
        metrics[0].note += " (import quotas with `callcoach import quotas`)"
    return metrics


def pipeline_coverage(
    deals: Sequence[DealFacts], quotas: Sequence[QuotaPeriod], as_of: date
) -> tuple[float | None, float, float | None, str | None]:
    """(coverage, open pipeline, quota left, note): open pipeline at the as-of day over the
    quota left in the quota period containing it."""
    pipeline = sum(d.amount or 0.0 for d in deals if open_at(d, as_of))
    current = [q for q in quotas if q.start <= as_of <= q.end]
    if not current:
        return None, pipeline, None, "no quota period contains the as-of day"
    quota = sum(q.amount for q in current)
    won = sum(
        d.amount or 0.0
        for d in deals
        if d.outcome == "won"
        and d.closed is not None
        and d.closed <= as_of
        and any(q.start <= d.closed <= q.end for q in current)
    )
    left = quota - won
    if left <= 0:
        return None, pipeline, left, "the period's quota is already attained"
    return pipeline / left, pipeline, left, None


def activity_metrics(
    rep_pk: int,
    activity: Sequence[ActivityDay],
    deals: Sequence[DealFacts],
    quotas: Sequence[QuotaPeriod],
    team_pks: Sequence[int],
    window: Window,
    params: ReviewParameters,
) -> list[MetricValue]:
    """Calls made, meetings booked, proposals sent, pipeline coverage (rep and team)."""
    inside = [a for a in activity if window.contains(a.day)]
    team = list(dict.fromkeys(team_pks))
    metrics: list[MetricValue] = []
    logged = {a.rep_pk for a in inside}
    for key, name in (
        ("calls_made", "Calls made"),
        ("meetings_booked", "Meetings booked"),
        ("proposals_sent", "Proposals sent"),
    ):
        totals = {pk: 0 for pk in team}
        for row in inside:
            if row.rep_pk in totals:
                totals[row.rep_pk] += int(getattr(row, key))
        mine = totals.get(rep_pk) if rep_pk in logged else None
        team_reps = [pk for pk in team if pk in logged]
        metrics.append(
            MetricValue(
                key,
                name,
                "count",
                None if mine is None else float(mine),
                statistics.fmean(totals[pk] for pk in team_reps) if team_reps else None,
                sum(1 for a in inside if a.rep_pk == rep_pk),
                how="total over the window's CRM activity days; team: mean per rep with "
                "activity logged",
                note=None if mine is not None else "no CRM activity logged in the window",
            )
        )
    mine_cov, _pipeline, _left, note = pipeline_coverage(
        [d for d in deals if d.rep_pk == rep_pk],
        [q for q in quotas if q.rep_pk == rep_pk],
        window.as_of,
    )
    team_cov, _, _, _ = pipeline_coverage(
        [d for d in deals if d.rep_pk in set(team)],
        [q for q in quotas if q.rep_pk in set(team)],
        window.as_of,
    )
    coverage = MetricValue(
        "pipeline_coverage",
        "Pipeline coverage",
        "times",
        mine_cov,
        team_cov,
        None,
        how="open pipeline at the as-of day / quota left in the current quota period "
        "(quota minus won so far); team: pooled",
        note=note,
    )
    metrics.append(coverage)
    for metric in metrics:
        score_metric(metric, params.ratio_bands)
    return metrics


def rating_from_scores(scores: Sequence[int | None]) -> int | None:
    """A dimension's proposed rating: the mean of its metrics' scores, rounded half up."""
    present = [s for s in scores if s is not None]
    if not present:
        return None
    return int(statistics.fmean(present) + 0.5)


def growth_rating(change: float | None, params: ReviewParameters) -> int | None:
    return None if change is None else 1 + sum(1 for b in params.growth_bands if change >= b)


def level_rating(mean_level: float | None) -> int | None:
    """Skill is already on the 1-5 scale: the weighted overall level, rounded half up."""
    return None if mean_level is None else max(1, min(5, int(mean_level + 0.5)))


def weighted_rating(ratings: dict[str, int | None], weights: dict[str, float]) -> float | None:
    """The overall proposed rating: weights renormalised over the rated dimensions."""
    used = {d: w for d, w in weights.items() if ratings.get(d) is not None and w > 0}
    total = sum(used.values())
    if total <= 0:
        return None
    return sum(float(ratings[d] or 0) * w for d, w in used.items()) / total
