"""What the generator decides before any word is written: the org, its skills, its calendar.

Everything here is plain data. The ground truth (each rep's skill per criterion, each call's
true level per criterion, whether coaching worked) lives in these objects so tests and
evaluations can compare what the product finds with what was generated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from callcoach.domain.calls import Rep

# The behaviours the phrase banks can express: the criteria of the one-call-close rubric.
SUPPORTED_CRITERIA = (
    "discovery",
    "urgency_creation",
    "objection_handling",
    "close_attempt",
    "value_articulation",
)
CALL_TYPES = ("discovery", "demo", "negotiation", "closing")
# `callcoach demo` (and `make demo`): the same 2 teams and 12 reps as the full org with 40% of
# its calls, so every report keeps its content (each rep has a quarter's worth of calls, every
# coaching event its 30-day verdict, 60 rated calls per manager pair); the CLI writes them as
# short calls (every move, little small talk) so that the first run, scoring included, takes
# about 3 minutes on 2 cores. `demo --full` generates FULL_CALLS full-length calls.
DEFAULT_CALLS = 600
FULL_CALLS = 1500
DEFAULT_REPS = 12
CALLS_PER_REP_AT_SCALE = 100
REPS_PER_TEAM = 12.5
# Above this many calls, transcripts default to short calls (2-7 minutes): same moves, less
# small talk, so 100k calls generate and import in minutes.
SHORT_TRANSCRIPTS_ABOVE = 20_000


class DemoConfigError(ValueError):
    """A demo configuration that cannot be generated (the message says why)."""


@dataclass(frozen=True)
class DemoConfig:
    """How big a demo org to generate. The same config (and end date) gives the same org."""

    seed: int = 7
    calls: int = DEFAULT_CALLS
    reps: int | None = None
    months: int = 6
    end: date = date(2026, 6, 30)
    transcripts: str = "auto"  # auto, full or short

    @property
    def rep_count(self) -> int:
        if self.reps is not None:
            return self.reps
        if self.calls <= FULL_CALLS:
            return DEFAULT_REPS
        return max(DEFAULT_REPS, round(self.calls / CALLS_PER_REP_AT_SCALE))

    @property
    def team_count(self) -> int:
        return max(2, round(self.rep_count / REPS_PER_TEAM))

    @property
    def short_transcripts(self) -> bool:
        if self.transcripts == "auto":
            return self.calls > SHORT_TRANSCRIPTS_ABOVE
        return self.transcripts == "short"

    def check(self) -> None:
        if self.calls < 1:
            raise DemoConfigError("the demo needs at least one call")
        if self.rep_count < 2:
            raise DemoConfigError("the demo needs at least two reps")
        if not 1 <= self.months <= 36:
            raise DemoConfigError("--months must be between 1 and 36")
        if self.transcripts not in ("auto", "full", "short"):
            raise DemoConfigError("transcripts must be auto, full or short")
        if self.calls < self.rep_count:
            raise DemoConfigError(
                f"{self.calls} calls cannot be spread over {self.rep_count} reps; "
                "ask for more calls or fewer reps"
            )


@dataclass(frozen=True)
class WorkCalendar:
    """Working days (Monday-Friday) counted back from the end date.

    The generator schedules in working-day indexes (0 = first day of the window); dates come
    last, so moving the end date moves every date without changing a word of any transcript.
    """

    end: date
    days: int  # working days in the window

    @classmethod
    def for_months(cls, end: date, months: int) -> WorkCalendar:
        return cls(end=end, days=max(5, round(months * 21.7)))

    @property
    def last_working_day(self) -> date:
        day = self.end
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        return day

    def date_of(self, index: int) -> date:
        """The date of working day `index` (negative: before the window)."""
        back = self.days - 1 - index  # working days before the last one
        weeks, rest = divmod(back, 5)
        day = self.last_working_day - timedelta(weeks=weeks)
        while rest > 0:
            day -= timedelta(days=1)
            if day.weekday() < 5:
                rest -= 1
        return day

    def at(self, index: int, minute_of_day: int) -> datetime:
        day = self.date_of(index)
        return datetime(day.year, day.month, day.day) + timedelta(minutes=minute_of_day)

    def months_between(self, earlier: int, later: int) -> float:
        """Working-day distance as months (21.7 working days a month)."""
        return (later - earlier) / 21.7


@dataclass(frozen=True)
class CoachingPlan:
    """A coaching event and what it does to the truth: `effect` is added to the rep's level."""

    criterion: str
    day: int  # working-day index
    effect: float  # 0.0: the coaching does not take
    coach: str
    note: str


@dataclass
class RepProfile:
    rep: Rep
    index: int
    team_index: int
    archetype: str
    skills: dict[str, float]  # true skill per criterion, 1-5 scale, before ramp and coaching
    start_day: int  # working-day index of the start date (negative: before the window)
    call_share: float  # relative call volume
    wpm: int  # speaking rate
    patience: float  # typical pause (s) before answering the prospect
    fluency: float  # 0-1: how rarely they say "um"
    dials_per_day: int
    coaching: list[CoachingPlan] = field(default_factory=list)

    def ramp(self, day: int) -> float:
        """New reps are weaker and catch up over their first six months (tenure in months)."""
        tenure = (day - self.start_day) / 21.7
        if tenure >= 6:
            return 0.0
        return -0.7 * (1 - max(tenure, 0.0) / 6)

    def coaching_effect(self, criterion: str, day: int) -> float:
        """Coaching takes hold over about two weeks after the session."""
        total = 0.0
        for plan in self.coaching:
            if plan.criterion == criterion and day > plan.day:
                total += plan.effect * min(1.0, (day - plan.day) / 10)
        return total

    def expected_level(self, criterion: str, day: int) -> float:
        return self.skills[criterion] + self.ramp(day) + self.coaching_effect(criterion, day)

    def tenure_months(self, day: int) -> float:
        return (day - self.start_day) / 21.7

    @property
    def weakest(self) -> str:
        return min(self.skills, key=lambda c: (self.skills[c], c))


@dataclass
class CallPlan:
    """One call before it is written: who, when, what kind, and the true level per criterion."""

    index: int
    rep_index: int
    deal_index: int
    account_index: int
    call_type: str
    day: int
    minute: int  # minute of the day the call starts
    nth_in_deal: int  # 0 for the deal's first call
    levels: dict[str, int]  # ground truth, one per supported criterion
    objections: tuple[str, ...]
    result: str  # advance, verbal_commit, won, lost, dark, continue
    target_minutes: float

    @property
    def external_id(self) -> str:
        return f"demo-{self.index + 1:06d}"


@dataclass
class DealPlan:
    index: int
    rep_index: int
    account_index: int
    created_day: int
    calls: list[int] = field(default_factory=list)
    outcome: str = "open"
    stage: str = "Discovery"
    close_day: int | None = None
    verbal_day: int | None = None
    discount: float = 0.0
    fit: float = 0.0  # how well the account fits, independent of the rep

    @property
    def external_id(self) -> str:
        return f"DEMO-OPP-{self.index + 1:05d}"


def sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-value))
