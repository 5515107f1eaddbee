"""Daily activity per rep (dials, meetings booked, proposals sent) and quarterly quotas.

Activity agrees with the calls: a meeting is booked a few days before each first discovery call,
a proposal goes out the day after a demo that moved the deal on. Quotas are set so a typical
tenured rep lands near 85% of quota, ramped for new reps (a third, then two thirds).
"""

from __future__ import annotations

import random
import statistics
from collections import Counter, defaultdict
from datetime import date, timedelta

from callcoach.demo.model import CallPlan, DealPlan, RepProfile, WorkCalendar
from callcoach.domain.calls import Activity, Quota

RAMP_QUOTA = ((3.0, 1 / 3), (6.0, 2 / 3))  # (tenure months below, share of full quota)
QUOTA_ROUNDING = 5_000


def activities(
    reps: list[RepProfile], plans: list[CallPlan], calendar: WorkCalendar, rng: random.Random
) -> list[Activity]:
    meetings: Counter[tuple[int, int]] = Counter()
    proposals: Counter[tuple[int, int]] = Counter()
    for plan in plans:
        if plan.call_type == "discovery" and plan.nth_in_deal == 0:
            booked = plan.day - rng.randint(2, 8)
            meetings[(plan.rep_index, max(booked, 0, reps[plan.rep_index].start_day))] += 1
        if plan.call_type in ("demo", "negotiation") and plan.result in ("advance", "continue"):
            if plan.call_type == "demo" and plan.result == "continue":
                continue
            proposals[(plan.rep_index, min(plan.day + 1, calendar.days - 1))] += 1
    result = []
    for profile in reps:
        for day in range(max(0, profile.start_day), calendar.days):
            dials = max(0, round(rng.gauss(profile.dials_per_day, profile.dials_per_day * 0.25)))
            result.append(
                Activity(
                    rep=profile.rep.name,
                    day=calendar.date_of(day),
                    calls_made=dials,
                    meetings_booked=meetings[(profile.index, day)],
                    proposals_sent=proposals[(profile.index, day)],
                )
            )
    return result


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _quarter_end(start: date) -> date:
    month = start.month + 3
    year = start.year + (month > 12)
    month = month - 12 if month > 12 else month
    return date(year, month, 1) - timedelta(days=1)


def quarters(first: date, last: date) -> list[tuple[date, date]]:
    result = []
    start = _quarter_start(first)
    while start <= last:
        end = _quarter_end(start)
        result.append((start, end))
        start = end + timedelta(days=1)
    return result


def quotas(
    reps: list[RepProfile], deals: list[DealPlan], calendar: WorkCalendar, amounts: list[float]
) -> list[Quota]:
    """Quarterly quotas: full quota from what tenured reps actually book, ramped and prorated."""
    won_by_rep: dict[int, float] = defaultdict(float)
    for deal, amount in zip(deals, amounts, strict=True):
        if deal.outcome == "won":
            won_by_rep[deal.rep_index] += amount
    window_quarters = calendar.days / 65.0
    tenured = [p for p in reps if p.tenure_months(0) >= 6]
    per_quarter = [won_by_rep[p.index] / window_quarters for p in tenured] or [100_000.0]
    full = max(
        QUOTA_ROUNDING,
        round(statistics.median(per_quarter) * 1.15 / QUOTA_ROUNDING) * QUOTA_ROUNDING,
    )
    result = []
    for start, end in quarters(calendar.date_of(0), calendar.date_of(calendar.days - 1)):
        for profile in reps:
            rep_start = profile.rep.start_date
            assert rep_start is not None
            if rep_start > end:
                continue
            tenure = (start - rep_start).days / 30.4375
            share = next((s for below, s in RAMP_QUOTA if tenure < below), 1.0)
            if rep_start > start:
                share *= (end - rep_start).days / (end - start).days
            result.append(
                Quota(
                    rep=profile.rep.name,
                    period_start=start,
                    period_end=end,
                    amount=round(full * share, -2),
                )
            )
    return result
