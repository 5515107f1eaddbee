"""Quota periods as written in planning sheets: quarters, months and years (calendar)."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime

_QUARTER = (
    re.compile(r"^(?:FY\s?)?(?P<year>\d{4})\s*[-/ ]?\s*Q(?P<q>[1-4])$", re.I),
    re.compile(r"^Q(?P<q>[1-4])\s*[-/ ]?\s*(?:FY\s?)?(?P<year>\d{4})$", re.I),
)
_MONTH = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})$")
_YEAR = re.compile(r"^(?:FY\s?)?(?P<year>\d{4})$", re.I)

PERIOD_HELP = "2026-Q3, Q3 2026, 2026-07, Jul 2026 or 2026"


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_period(text: str) -> tuple[date, date]:
    """First and last day of a calendar quarter, month or year.

    Fiscal quarters that do not follow the calendar need period_start and period_end columns.
    """
    value = " ".join(text.strip().split())
    for pattern in _QUARTER:
        if match := pattern.match(value):
            year, quarter = int(match["year"]), int(match["q"])
            first_month = 3 * (quarter - 1) + 1
            return date(year, first_month, 1), _month_end(year, first_month + 2)
    if match := _MONTH.match(value):
        year, month = int(match["year"]), int(match["month"])
        if not 1 <= month <= 12:
            raise ValueError(f"{text!r}: month {month} is not 1-12")
        return date(year, month, 1), _month_end(year, month)
    for fmt in ("%b %Y", "%B %Y"):
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        return date(parsed.year, parsed.month, 1), _month_end(parsed.year, parsed.month)
    if match := _YEAR.match(value):
        year = int(match["year"])
        return date(year, 1, 1), date(year, 12, 31)
    raise ValueError(f"{text!r} is not a period (use {PERIOD_HELP})")
