"""Did practice carry over to real calls? Per rep and criterion: the practice sessions done, the
levels reached, beside the change on real calls (issue 17, section 4).

The change on real calls is measured exactly as the 30-day coaching loop measures a coaching
session (analytics/coaching.py), with the first practice session as the intervention: the rep's
10 most recent scored calls before the first session, against the 10 most recent in the 30 days
after it (or the first 10 after it); +0.5 counts as improved. Practice levels come from the
practice attempts only; they never enter real-call scores.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from callcoach.analytics.coaching import CoachingEventInput, CoachingOutcome, evaluate_event


@dataclass(frozen=True)
class PracticeAttemptLevel:
    session_id: int
    level: int | None  # None: not scored
    started_at: datetime


@dataclass(frozen=True)
class CarryOver:
    rep: str
    criterion_id: str
    first_practice: date
    sessions: int  # sessions with at least one scored attempt
    attempts: int  # scored attempts
    first_level: int | None  # the first scored attempt's level
    best_level: int | None
    last_level: int | None
    real: CoachingOutcome  # the change on real calls around the first practice session


def carry_over(
    practice: Mapping[tuple[str, str], Sequence[PracticeAttemptLevel]],
    histories: Mapping[tuple[str, str], pd.DataFrame],
    as_of: date,
) -> list[CarryOver]:
    """`practice`: (rep, criterion) -> attempts; `histories`: (rep, criterion) -> the rep's real
    calls (columns date, level of that criterion)."""
    rows = []
    for (rep, criterion), attempts in sorted(practice.items()):
        scored = sorted((a for a in attempts if a.level is not None), key=lambda a: a.started_at)
        if not scored:
            continue
        first = scored[0].started_at.date()
        history = histories.get((rep, criterion))
        if history is None:
            history = pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "level": []})
        real = evaluate_event(CoachingEventInput(None, rep, criterion, first, None), history, as_of)
        levels = [a.level for a in scored if a.level is not None]
        rows.append(
            CarryOver(
                rep=rep,
                criterion_id=criterion,
                first_practice=first,
                sessions=len({a.session_id for a in scored}),
                attempts=len(scored),
                first_level=levels[0],
                best_level=max(levels),
                last_level=levels[-1],
                real=real,
            )
        )
    return rows
