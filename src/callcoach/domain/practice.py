"""Practice: a scenario cut from a scored moment, sessions of attempts at it, and their turns.

Issue 17. A **scenario** is one moment of a real call rebuilt for practice: the prospect persona
(who they are and what they said they care about, in their own words from that call), the
context lines shown to the rep, the prospect's line at the moment, the goal (a criterion and its
level-4 anchor: shown to the rep, never to the prospect), a difficulty and a turn limit. A
**session** is one sitting with a scenario; it holds **attempts** (the first try, then each
retry), and each attempt holds its **turns** (the practitioner's lines and the persona's
replies), its score on the scenario's criterion and the coach's debrief.

Rules kept here (pure, no I/O):
- difficulty is 1 (concedes readily), 2 (as real prospects answered) or 3 (pushes back hard);
- a turn limit bounds the practitioner's lines in one attempt (1 to `MAX_TURN_LIMIT`);
- an empty line is not a turn; a line longer than `MAX_LINE_CHARS` is refused;
- practice scores never enter real-call scorecards: they live only on attempts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

DIFFICULTY_LEVELS = (1, 2, 3)
DEFAULT_DIFFICULTY = 2
DIFFICULTY_NAMES = {1: "easy", 2: "realistic", 3: "hard"}
DEFAULT_TURN_LIMIT = 6  # design constant: a moment is a few exchanges, not a whole call
MAX_TURN_LIMIT = 30
MAX_LINE_CHARS = 2000  # one spoken turn; longer is a paste, not a line
CONTEXT_LINES = 6  # design constant: the transcript lines before the moment shown to the rep
GOAL_LEVEL = 4  # the goal is the criterion's level-4 anchor (issue 17 section 1)
STRONG_LEVEL = 4  # a teammate's moment shown by the coach is at level 4 or 5


class PracticeError(ValueError):
    """A practice rule was broken; the message says which and how to fix it."""


class ScenarioKind(StrEnum):
    MOMENT = "moment"  # cut from a moment of a real call (a rep practises against a prospect)
    REHEARSAL = "rehearsal"  # a manager rehearses a review against a persona of the rep


class PersonaRole(StrEnum):
    PROSPECT = "prospect"
    REP = "rep"


class SessionStatus(StrEnum):
    OPEN = "open"
    FINISHED = "finished"


class AttemptStatus(StrEnum):
    IN_PROGRESS = "in_progress"  # turns are being taken
    ENDED = "ended"  # the practitioner ended it (or hit the turn limit); not scored yet
    SCORED = "scored"
    NOT_SCORABLE = "not_scorable"  # too little said to judge (the scorer's own rule)


class TurnSpeaker(StrEnum):
    PRACTITIONER = "practitioner"  # the rep practising (or the manager rehearsing)
    PERSONA = "persona"  # the prospect (or the persona of the rep)


class TurnVia(StrEnum):
    TEXT = "text"
    VOICE = "voice"


@dataclass(frozen=True)
class Persona:
    """Who the practitioner talks to. Every line in `cares_about`/`concerns` is the persona's own
    words from the source call; nothing here comes from another call."""

    name: str | None
    role: str | None  # job title, when the call or CRM says it
    company: str | None
    cares_about: tuple[str, ...] = ()
    concerns: tuple[str, ...] = ()
    speaks_as: PersonaRole = PersonaRole.PROSPECT

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "company": self.company,
            "cares_about": list(self.cares_about),
            "concerns": list(self.concerns),
            "speaks_as": self.speaks_as.value,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Persona:
        return cls(
            name=data.get("name"),
            role=data.get("role"),
            company=data.get("company"),
            cares_about=tuple(data.get("cares_about") or ()),
            concerns=tuple(data.get("concerns") or ()),
            speaks_as=PersonaRole(data.get("speaks_as") or PersonaRole.PROSPECT),
        )


@dataclass(frozen=True)
class ContextLine:
    speaker: TurnSpeaker
    label: str  # "Rep", "Prospect" or the persona's name: never another call's people
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"speaker": self.speaker.value, "label": self.label, "text": self.text}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ContextLine:
        return cls(TurnSpeaker(data["speaker"]), str(data.get("label") or ""), str(data["text"]))


@dataclass(frozen=True)
class Goal:
    """Shown to the practitioner, never to the persona."""

    criterion_id: str
    criterion_name: str
    anchor: str  # the level-`level` anchor of the criterion
    level: int = GOAL_LEVEL

    def to_json(self) -> dict[str, Any]:
        return {
            "criterion_id": self.criterion_id,
            "criterion_name": self.criterion_name,
            "anchor": self.anchor,
            "level": self.level,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Goal:
        return cls(
            str(data["criterion_id"]),
            str(data.get("criterion_name") or data["criterion_id"]),
            str(data.get("anchor") or ""),
            int(data.get("level") or GOAL_LEVEL),
        )


@dataclass(frozen=True)
class OriginalMoment:
    """The moment the scenario was cut from, as scored on the real call."""

    call_id: str | None  # the call's external id (None once the call was deleted)
    segment: int | None  # the rep's segment at the moment
    level: int | None  # the call's level on the criterion
    quote: str | None  # the rep's line at the moment (the evidence quote when it was one)


@dataclass(frozen=True)
class Scenario:
    id: int | None
    kind: ScenarioKind
    rep: str  # the rep who practises it (whose scope it belongs to)
    title: str
    persona: Persona
    context: tuple[ContextLine, ...]
    opening_line: str  # the persona's line at the moment: what the practitioner answers first
    goal: Goal
    rubric_id: str
    rubric_version: int
    difficulty: int = DEFAULT_DIFFICULTY
    turn_limit: int = DEFAULT_TURN_LIMIT
    original: OriginalMoment = field(default_factory=lambda: OriginalMoment(None, None, None, None))
    origin: dict[str, Any] = field(default_factory=dict)  # how it was made (call, priority, ...)
    created_by: str = ""
    created_at: datetime | None = None
    updated_by: str | None = None
    updated_at: datetime | None = None

    def check(self) -> Scenario:
        check_difficulty(self.difficulty)
        check_turn_limit(self.turn_limit)
        if not self.opening_line.strip():
            raise PracticeError("a scenario needs the persona's line at the moment")
        if not self.title.strip():
            raise PracticeError("a scenario needs a title")
        return self


@dataclass(frozen=True)
class Turn:
    index: int  # 0-based within the attempt
    speaker: TurnSpeaker
    text: str
    via: TurnVia = TurnVia.TEXT
    source: dict[str, Any] | None = None  # for persona replies: how it was made (never shown)
    created_at: datetime | None = None


@dataclass(frozen=True)
class PracticeEvidence:
    """A quote from one of the practitioner's lines in the attempt (`turn` is its index)."""

    turn: int
    quote: str


@dataclass(frozen=True)
class AttemptScore:
    criterion_id: str
    level: int | None
    confidence: float
    rationale: str
    evidence: tuple[PracticeEvidence, ...]
    scorer: str
    scorer_version: str

    def to_json(self) -> dict[str, Any]:
        return {
            "criterion_id": self.criterion_id,
            "level": self.level,
            "confidence": self.confidence,
            "rationale": self.rationale,
            "evidence": [{"turn": e.turn, "quote": e.quote} for e in self.evidence],
            "scorer": self.scorer,
            "scorer_version": self.scorer_version,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AttemptScore:
        return cls(
            criterion_id=str(data["criterion_id"]),
            level=data.get("level"),
            confidence=float(data.get("confidence") or 0.0),
            rationale=str(data.get("rationale") or ""),
            evidence=tuple(
                PracticeEvidence(int(e["turn"]), str(e["quote"])) for e in data.get("evidence", ())
            ),
            scorer=str(data.get("scorer") or ""),
            scorer_version=str(data.get("scorer_version") or ""),
        )


@dataclass(frozen=True)
class Attempt:
    id: int | None
    session_id: int
    number: int  # 1 for the first try, 2 for the first retry, ...
    status: AttemptStatus
    turns: tuple[Turn, ...] = ()
    score: AttemptScore | None = None
    debrief: dict[str, Any] = field(default_factory=dict)  # the coach's dialogue (services)
    started_at: datetime | None = None
    ended_at: datetime | None = None

    @property
    def practitioner_turns(self) -> list[Turn]:
        return [t for t in self.turns if t.speaker is TurnSpeaker.PRACTITIONER]

    @property
    def level(self) -> int | None:
        return self.score.level if self.score else None

    def turns_left(self, turn_limit: int) -> int:
        return max(0, turn_limit - len(self.practitioner_turns))


@dataclass(frozen=True)
class PracticeSession:
    id: int | None
    scenario_id: int
    rep: str  # whose practice it is (scope)
    started_by: str  # the username who started it
    status: SessionStatus
    attempts: tuple[Attempt, ...] = ()
    created_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def current(self) -> Attempt | None:
        return self.attempts[-1] if self.attempts else None

    @property
    def best_level(self) -> int | None:
        levels = [a.level for a in self.attempts if a.level is not None]
        return max(levels) if levels else None


def check_difficulty(value: int) -> int:
    if value not in DIFFICULTY_LEVELS:
        raise PracticeError(f"difficulty must be 1 (easy), 2 (realistic) or 3 (hard), not {value}")
    return value


def check_turn_limit(value: int) -> int:
    if not 1 <= value <= MAX_TURN_LIMIT:
        raise PracticeError(f"the turn limit must be between 1 and {MAX_TURN_LIMIT}, not {value}")
    return value


def clean_line(text: str) -> str:
    """A practitioner's line as it will be kept, or a PracticeError saying why it cannot be."""
    line = " ".join(text.split())
    if not line:
        raise PracticeError("the line is empty: type (or say) what you would say to the prospect")
    if len(line) > MAX_LINE_CHARS:
        raise PracticeError(
            f"the line is {len(line)} characters long; one turn may be at most {MAX_LINE_CHARS}"
        )
    return line
