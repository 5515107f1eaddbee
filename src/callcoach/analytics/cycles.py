"""Assessment cycles: quarters by default, or any date window, and their weeks.

Seed rule: an assessment cycle is quarterly by default; a custom window (`--from/--to`) is
compared with the window of the same length just before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*$")


@dataclass(frozen=True)
class Cycle:
    """A half-open date window [start, end) with a label people recognise."""

    label: str
    start: date
    end: date  # exclusive
    quarterly: bool = True

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"cycle {self.label}: the end must come after the start")

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def contains(self, when: date | datetime) -> bool:
        day = when.date() if isinstance(when, datetime) else when
        return self.start <= day < self.end

    def previous(self) -> Cycle:
        """The cycle just before: the previous quarter, or a window of the same length."""
        if self.quarterly:
            year, quarter = quarter_of(self.start)
            return quarter_cycle(year - 1, 4) if quarter == 1 else quarter_cycle(year, quarter - 1)
        return window_cycle(self.start - timedelta(days=self.days), self.start)

    def weeks(self) -> list[tuple[date, date]]:
        """Consecutive 7-day strata from the cycle's first day (the last may be shorter)."""
        result = []
        cursor = self.start
        while cursor < self.end:
            result.append((cursor, min(cursor + timedelta(days=7), self.end)))
            cursor += timedelta(days=7)
        return result

    def week_index(self, when: date | datetime) -> int:
        day = when.date() if isinstance(when, datetime) else when
        return (day - self.start).days // 7

    def bounds(self) -> tuple[datetime, datetime]:
        """The window as datetimes, for querying call dates."""
        return (
            datetime.combine(self.start, datetime.min.time()),
            datetime.combine(self.end, datetime.min.time()),
        )


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_cycle(year: int, quarter: int) -> Cycle:
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1-4, got {quarter}")
    start = date(year, 3 * (quarter - 1) + 1, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return Cycle(label=f"{year}-Q{quarter}", start=start, end=end, quarterly=True)


def cycle_of(when: date | datetime) -> Cycle:
    """The quarter containing a day."""
    day = when.date() if isinstance(when, datetime) else when
    return quarter_cycle(*quarter_of(day))


def parse_cycle(text: str) -> Cycle:
    """`2026-Q3` (also `2026Q3`, `2026-q3`) to that quarter."""
    match = _QUARTER.match(text)
    if not match:
        raise ValueError(f"cycle {text!r} is not a quarter like 2026-Q3")
    return quarter_cycle(int(match.group(1)), int(match.group(2)))


def window_cycle(start: date, end: date) -> Cycle:
    """A custom window [start, end): `--from 2026-01-01 --to 2026-02-15`."""
    if end <= start:
        raise ValueError(f"the window {start}..{end} is empty: --to must come after --from")
    label = f"{start.isoformat()}..{(end - timedelta(days=1)).isoformat()}"
    return Cycle(label=label, start=start, end=end, quarterly=False)


def month_window(end: date) -> Cycle:
    """The 30 days up to and including `end` (monthly check-ins)."""
    stop = end + timedelta(days=1)
    return window_cycle(stop - timedelta(days=30), stop)
