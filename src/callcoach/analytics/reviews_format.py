"""How review sentences write numbers, dates, times and citations, and how they are read back.

One module for both directions, so the checker (analytics/reviews_check.py) reads exactly what
the sentence builders write: a date is "14 October 2026", a call time "12:03", a share "44%",
money "$12,300", a level "3.2", a citation "[deal-1a2b3c4d]" before the sentence's full stop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

CITATION = re.compile(r"\[([a-z]+-[a-z0-9][a-z0-9_\-]*)\]")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def day(value: date | None) -> str:
    """14 October 2026 (no leading zero)."""
    if value is None:
        return "an undated day"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def clock(seconds: float | None) -> str:
    """12:03 (minutes:seconds into the call), 1:02:03 past an hour."""
    if seconds is None:
        return "an untimed moment"
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def money(value: float | None) -> str:
    return "no amount" if value is None else f"${value:,.0f}"


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.0f}%"


def level(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def signed(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1f}"


def metric_text(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "ratio":
        return pct(value)
    if unit == "money":
        return money(value)
    if unit == "days":
        return f"{value:.0f} days"
    if unit == "count":
        return f"{value:.0f}"
    if unit == "times":
        return f"{value:.1f}x"
    return level(value)


def quoted(text: str, limit: int = 220) -> str:
    """Verbatim words in curly quotes, cut at a word boundary with an ellipsis outside the
    quote marks (so what stands inside is still a substring of the original)."""
    text = " ".join(text.split())
    if len(text) > limit:
        cut = text[:limit].rsplit(" ", 1)[0]
        return f"“{cut}”…"
    return f"“{text}”"


@dataclass
class Sentence:
    """A sentence and the evidence ids it cites; `text` has no citations and no full stop."""

    text: str
    cites: list[str] = field(default_factory=list)

    def render(self) -> str:
        marks = "".join(f" [{c}]" for c in dict.fromkeys(self.cites))
        end = "" if self.text.endswith(("?", "!")) else "."
        if end == "" and marks:
            return f"{self.text[:-1]}{marks}{self.text[-1]}"
        return f"{self.text}{marks}{end}"


def citations(text: str) -> list[str]:
    return CITATION.findall(text)
