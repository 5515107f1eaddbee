"""Calls, transcript segments and the people and deals around them."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class SpeakerRole(StrEnum):
    REP = "rep"
    PROSPECT = "prospect"
    OTHER = "other"


class DealOutcome(StrEnum):
    WON = "won"
    LOST = "lost"
    STALLED = "stalled"
    OPEN = "open"

    @property
    def is_closed(self) -> bool:
        return self in (DealOutcome.WON, DealOutcome.LOST)


@dataclass(frozen=True)
class Segment:
    """One speaker turn. `index` is the 0-based position in the call as imported."""

    index: int
    speaker: str
    role: SpeakerRole
    text: str
    start: float | None = None
    end: float | None = None

    @property
    def is_rep(self) -> bool:
        return self.role is SpeakerRole.REP


@dataclass
class Call:
    """A call as imported: its transcript and the metadata that links it to a rep and a deal."""

    external_id: str
    segments: list[Segment]
    rep: str | None = None
    date: datetime | None = None
    duration_s: float | None = None
    account: str | None = None
    deal_external_id: str | None = None
    call_type: str | None = None
    source_file: str | None = None
    source_format: str | None = None
    audio_path: str | None = None
    audio_hash: str | None = None
    annotations: dict[str, Any] | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def has_timing(self) -> bool:
        return bool(self.segments) and all(
            s.start is not None and s.end is not None for s in self.segments
        )

    @property
    def rep_segments(self) -> list[Segment]:
        return [s for s in self.segments if s.is_rep]

    @property
    def content_hash(self) -> str:
        """Hash of who said what, in order: the same transcript imported twice hashes the same."""
        digest = hashlib.sha256()
        for seg in self.segments:
            digest.update(seg.speaker.strip().lower().encode())
            digest.update(b"\x1f")
            digest.update(" ".join(seg.text.split()).encode())
            digest.update(b"\x1e")
        return digest.hexdigest()

    def effective_duration(self) -> float | None:
        """The call's length in seconds: as given, else where its last turn ends. A value that
        is not a finite length (an older import could store one) counts as unknown."""
        if self.duration_s is not None:
            return self.duration_s if 0 <= self.duration_s < math.inf else None
        ends = [s.end for s in self.segments if s.end is not None and 0 <= s.end < math.inf]
        return max(ends) if ends else None


@dataclass(frozen=True)
class Team:
    name: str
    manager: str | None = None
    manager_email: str | None = None


@dataclass(frozen=True)
class Rep:
    name: str
    email: str | None = None
    team: str | None = None
    manager: str | None = None
    start_date: date | None = None

    def tenure_months(self, on: date) -> float | None:
        if self.start_date is None:
            return None
        return (on - self.start_date).days / 30.4375


@dataclass(frozen=True)
class Deal:
    external_id: str
    account: str | None = None
    amount: float | None = None
    stage: str | None = None
    outcome: DealOutcome = DealOutcome.OPEN
    created_date: date | None = None
    close_date: date | None = None
    verbal_commit_date: date | None = None
    rep: str | None = None
    name: str | None = None  # the CRM's opportunity / deal name
    stage_changed_date: date | None = None  # the CRM's last stage change, when exported
    last_activity_date: date | None = None  # the CRM's last activity on the deal, when exported


@dataclass(frozen=True)
class Activity:
    rep: str
    day: date
    calls_made: int = 0
    meetings_booked: int = 0
    proposals_sent: int = 0


@dataclass(frozen=True)
class Quota:
    rep: str
    period_start: date
    period_end: date
    amount: float
