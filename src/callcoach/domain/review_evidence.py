"""Evidence items: the unit every sentence of a review cites.

A call moment (call, segment, time, account, day, quote, criterion, level), a deal, a metric,
the self-assessment of a dimension, or a coaching session with its 30-day verdict. Ids are
derived from what the item is (not from when it was built), so a rebuilt pack gives the same
ids and an edited draft's citations keep resolving.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

# Evidence items -------------------------------------------------------------------------------


class EvidenceKind(StrEnum):
    MOMENT = "moment"  # a call moment: call, segment, time, account, date, quote, criterion
    DEAL = "deal"
    METRIC = "metric"
    SELF = "self"  # the rep's self-assessment of one dimension
    COACHING = "coaching"  # a coaching session and its 30-day verdict


@dataclass
class EvidenceItem:
    """The unit every sentence of a review cites. Only the fields of its kind are set."""

    id: str
    kind: str
    label: str
    call_id: str | None = None
    segment: int | None = None
    start: float | None = None  # seconds from the start of the call
    account: str | None = None
    day: date | None = None  # the call's day
    quote: str | None = None  # the words quoted (the rep's, or the prospect's)
    speaker: str | None = None
    prospect_quote: str | None = None  # what the prospect said just before
    criterion_id: str | None = None
    criterion: str | None = None  # the criterion's name
    level: int | None = None
    good_anchor: str | None = None  # what the level-4 anchor asks
    deal_id: str | None = None
    deal_name: str | None = None
    amount: float | None = None
    outcome: str | None = None
    dates: dict[str, date] = field(default_factory=dict)
    dimension: str | None = None
    metric: str | None = None
    value: float | None = None
    team_value: float | None = None
    unit: str | None = None  # ratio, count, money, days, level, times
    n: int | None = None
    rating: int | None = None
    words: str | None = None
    numbers: list[float] = field(default_factory=list)  # other numbers it states
    names: list[str] = field(default_factory=list)  # other names it states
    manual: bool = False  # from managers' ratings, not machine scores
    note: str | None = None  # why it is here (a stalled deal's reason); never checked text

    def texts(self) -> list[str]:
        """Text a sentence may quote from this item."""
        return [t for t in (self.quote, self.prospect_quote, self.words, self.good_anchor) if t]

    def all_names(self) -> list[str]:
        found = [self.account, self.deal_name, self.criterion, self.call_id, self.deal_id]
        return [n for n in [*found, *self.names] if n]

    def all_numbers(self) -> list[float]:
        values = [self.level, self.amount, self.value, self.team_value, self.n, self.rating]
        return [float(v) for v in [*values, *self.numbers] if v is not None]

    def all_dates(self) -> list[date]:
        return [d for d in [self.day, *self.dates.values()] if d is not None]


def stable_id(prefix: str, *parts: object) -> str:
    """An id from what the item is: the same item gets the same id in every rebuild."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:8]
    return f"{prefix}-{digest}"


def moment_id(call_id: str, segment: int, criterion_id: str) -> str:
    return stable_id("call", call_id, segment, criterion_id)


def deal_id(external_id: str) -> str:
    return stable_id("deal", external_id)


def metric_id(dimension: str, metric: str) -> str:
    return f"metric-{dimension}-{metric}".replace("_", "-")


def self_id(dimension: str) -> str:
    return f"self-{dimension}"


def coaching_id(event_id: int | None, criterion_id: str, coached_on: date) -> str:
    return stable_id("coaching", event_id, criterion_id, coached_on.isoformat())
