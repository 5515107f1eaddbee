"""The 30-day coaching loop: did the coached criterion improve?

Seed rules: record a coaching event (rep, criterion, date, note); 30 days later compare the
criterion on the rep's 10 most recent calls with the 10 before coaching; +0.5 or more counts as
improved. A rep with no improvement on the same criterion after two consecutive cycles is
flagged "change the coaching approach: move from feedback to structured practice". Manager
effectiveness: the share of coached reps who improved on their primary criterion within 30
days; >= 70% is "working", <= 30% "needs adjustment: criteria, feedback or practice".

Precisely (docs/assessment.md): "before" is the 10 most recent scored calls dated before the
coaching day; "after" is the 10 most recent scored calls in the 30 days after it (or, when the
rep had fewer than 10 calls in those 30 days, the first 10 calls after coaching). The result is
therefore fixed once measured and does not drift as later calls arrive.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

import pandas as pd

from callcoach.analytics.cycles import cycle_of

RESCORE_AFTER_DAYS = 30
CALLS_COMPARED = 10
IMPROVEMENT = 0.5
WORKING_SHARE = 0.70
ADJUST_SHARE = 0.30
CHANGE_APPROACH = "change the coaching approach: move from feedback to structured practice"
WORKING = "working"
NEEDS_ADJUSTMENT = "needs adjustment: criteria, feedback or practice"
MIXED = "mixed: neither working nor failing yet; keep coaching and re-check next cycle"


class CoachingStatus(StrEnum):
    TOO_EARLY = "too_early"
    IMPROVED = "improved"
    NOT_IMPROVED = "not_improved"
    NO_BASELINE = "no_baseline"
    NOT_TRUSTED = "not_trusted"  # the criterion's scores are not trusted: no automatic verdict


@dataclass(frozen=True)
class CoachingEventInput:
    id: int | None
    rep: str
    criterion_id: str
    coached_on: date
    coach: str | None
    note: str | None = None


@dataclass(frozen=True)
class CoachingOutcome:
    event_id: int | None
    rep: str
    criterion_id: str
    coached_on: date
    coach: str | None
    status: CoachingStatus
    before_mean: float | None
    after_mean: float | None
    change: float | None
    before_calls: int
    after_calls: int
    rescore_after: date | None
    message: str


def _day(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _projected_date(history: pd.DataFrame, coached_on: date, have: int, as_of: date) -> date:
    """When the rep will likely have 10 calls after coaching, from their recent call pace."""
    due = coached_on + timedelta(days=RESCORE_AFTER_DAYS)
    window_start = pd.Timestamp(coached_on - timedelta(days=90))
    recent = history[history["date"] >= window_start]
    per_day = len(recent) / 90.0
    missing = CALLS_COMPARED - have
    if per_day <= 0:
        return max(due, as_of + timedelta(days=RESCORE_AFTER_DAYS))
    return max(due, as_of + timedelta(days=math.ceil(missing / per_day)))


def evaluate_event(
    event: CoachingEventInput, history: pd.DataFrame, as_of: date
) -> CoachingOutcome:
    """Measure one coaching event. `history`: the rep's calls (columns date, level), any order,
    levels of the coached criterion only, NaN where the call has no level for it."""
    calls = history.dropna(subset=["level"]).sort_values("date")
    days = calls["date"].dt.date
    before = calls[(days < event.coached_on).to_numpy()].tail(CALLS_COMPARED)
    after_all = calls[(days > event.coached_on) & (days <= as_of)]
    due = event.coached_on + timedelta(days=RESCORE_AFTER_DAYS)
    in_window = after_all[after_all["date"].dt.date <= due]
    after = (
        in_window.tail(CALLS_COMPARED)
        if len(in_window) >= CALLS_COMPARED
        else after_all.head(CALLS_COMPARED)
    )
    base: dict[str, Any] = {
        "event_id": event.id,
        "rep": event.rep,
        "criterion_id": event.criterion_id,
        "coached_on": event.coached_on,
        "coach": event.coach,
        "before_calls": len(before),
        "after_calls": len(after),
    }
    before_mean = float(before["level"].mean()) if len(before) else None
    if as_of < due:
        return CoachingOutcome(
            **base,
            status=CoachingStatus.TOO_EARLY,
            before_mean=before_mean,
            after_mean=None,
            change=None,
            rescore_after=due,
            message=f"too early: re-score after {due.isoformat()} (30 days after coaching)",
        )
    if len(after) < CALLS_COMPARED:
        when = _projected_date(calls, event.coached_on, len(after), as_of)
        return CoachingOutcome(
            **base,
            status=CoachingStatus.TOO_EARLY,
            before_mean=before_mean,
            after_mean=None,
            change=None,
            rescore_after=when,
            message=(
                f"too early: re-score after {when.isoformat()} (only {len(after)} scored call(s) "
                f"since coaching; {CALLS_COMPARED} needed)"
            ),
        )
    after_mean = float(after["level"].mean())
    if before_mean is None:
        return CoachingOutcome(
            **base,
            status=CoachingStatus.NO_BASELINE,
            before_mean=None,
            after_mean=after_mean,
            change=None,
            rescore_after=None,
            message="no scored calls before coaching to compare with",
        )
    change = after_mean - before_mean
    improved = change >= IMPROVEMENT - 1e-9
    thin = f" (baseline of only {len(before)} call(s))" if len(before) < CALLS_COMPARED else ""
    verdict = "improved" if improved else "not improved"
    return CoachingOutcome(
        **base,
        status=CoachingStatus.IMPROVED if improved else CoachingStatus.NOT_IMPROVED,
        before_mean=before_mean,
        after_mean=after_mean,
        change=change,
        rescore_after=None,
        message=(
            f"{verdict}: {before_mean:.2f} -> {after_mean:.2f} ({change:+.2f}; "
            f"+{IMPROVEMENT} counts as improved){thin}"
        ),
    )


def withhold_verdict(outcome: CoachingOutcome, criterion_name: str) -> CoachingOutcome:
    """A verdict on a criterion whose scores are not trusted (domain/trust.py) is not given:
    the means stay visible, marked, and the event counts in no flag or manager record."""
    if outcome.status not in (CoachingStatus.IMPROVED, CoachingStatus.NOT_IMPROVED):
        return outcome
    figures = (
        f"{outcome.before_mean:.2f} -> {outcome.after_mean:.2f}"
        if outcome.before_mean is not None and outcome.after_mean is not None
        else "levels on record"
    )
    return replace(
        outcome,
        status=CoachingStatus.NOT_TRUSTED,
        message=(
            f"no verdict: the scores of {criterion_name} are not trusted ({figures}, shown for "
            "reference); teach the scorer (`callcoach scorer teach`) or opt the criterion in"
        ),
    )


@dataclass(frozen=True)
class ApproachFlag:
    rep: str
    criterion_id: str
    cycles: list[str]
    message: str = CHANGE_APPROACH


def repeated_no_improvement(outcomes: Sequence[CoachingOutcome]) -> list[ApproachFlag]:
    """Reps coached on the same criterion in two consecutive cycles without improving in either."""
    by_cycle: dict[tuple[str, str], dict[str, bool]] = defaultdict(dict)
    starts: dict[str, date] = {}
    for outcome in outcomes:
        if outcome.status not in (CoachingStatus.IMPROVED, CoachingStatus.NOT_IMPROVED):
            continue
        cycle = cycle_of(outcome.coached_on)
        starts[cycle.label] = cycle.start
        key = (outcome.rep, outcome.criterion_id)
        improved = outcome.status is CoachingStatus.IMPROVED
        by_cycle[key][cycle.label] = by_cycle[key].get(cycle.label, False) or improved
    flags = []
    for (rep, criterion), cycles in sorted(by_cycle.items()):
        labels = sorted(cycles, key=lambda label: starts[label])
        if len(labels) < 2:
            continue
        last, before = labels[-1], labels[-2]
        consecutive = cycle_of(starts[last]).previous().label == before
        if consecutive and not cycles[last] and not cycles[before]:
            flags.append(ApproachFlag(rep, criterion, [before, last]))
    return flags


@dataclass(frozen=True)
class ManagerEffectiveness:
    manager: str
    coached_reps: int  # reps with a measured coaching event on their primary criterion
    improved_reps: int
    share: float | None
    verdict: str
    reps: list[str]


def primary_outcomes(
    outcomes: Sequence[CoachingOutcome], manager_of: dict[str, str | None]
) -> dict[tuple[str, str], CoachingOutcome]:
    """Per (manager, rep): the measured outcome on the rep's primary criterion.

    The primary criterion is the one the manager coached the rep on most often (ties: the most
    recent); managers coach the first priority of `callcoach priorities`. Its latest measured
    event decides.
    """
    grouped: dict[tuple[str, str], list[CoachingOutcome]] = defaultdict(list)
    for outcome in outcomes:
        manager = outcome.coach or manager_of.get(outcome.rep)
        if manager:
            grouped[(manager, outcome.rep)].append(outcome)
    result = {}
    for key, items in grouped.items():
        counts: dict[str, tuple[int, date]] = {}
        for item in items:
            count, latest = counts.get(item.criterion_id, (0, item.coached_on))
            counts[item.criterion_id] = (count + 1, max(latest, item.coached_on))
        primary = max(counts, key=lambda c: counts[c])
        measured = [
            i
            for i in items
            if i.criterion_id == primary
            and i.status in (CoachingStatus.IMPROVED, CoachingStatus.NOT_IMPROVED)
        ]
        if measured:
            result[key] = max(measured, key=lambda i: i.coached_on)
    return result


def manager_effectiveness(
    outcomes: Sequence[CoachingOutcome], manager_of: dict[str, str | None]
) -> list[ManagerEffectiveness]:
    """Per manager: the share of coached reps who improved on their primary criterion."""
    per_manager: dict[str, list[CoachingOutcome]] = defaultdict(list)
    for (manager, _rep), outcome in primary_outcomes(outcomes, manager_of).items():
        per_manager[manager].append(outcome)
    result = []
    for manager in sorted(per_manager):
        items = per_manager[manager]
        improved = sum(1 for i in items if i.status is CoachingStatus.IMPROVED)
        share = improved / len(items)
        if share >= WORKING_SHARE:
            verdict = WORKING
        elif share <= ADJUST_SHARE:
            verdict = NEEDS_ADJUSTMENT
        else:
            verdict = MIXED
        result.append(
            ManagerEffectiveness(
                manager=manager,
                coached_reps=len(items),
                improved_reps=improved,
                share=share,
                verdict=verdict,
                reps=sorted(i.rep for i in items),
            )
        )
    return result
