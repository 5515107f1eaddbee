"""The one interface every scorer implements, and what a scorer is given to work with."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from callcoach.domain.calls import Call
from callcoach.domain.rubric import Rubric
from callcoach.domain.scores import CallScore

# Seed rule: a call too short or with no rep speech is "not scorable", never given a score.
MIN_REP_WORDS = 20
MIN_REP_TURNS = 2


@dataclass(frozen=True)
class LabelledTurn:
    """A segment people judged for a criterion: confirmed or rejected evidence, or a rating."""

    criterion_id: str
    text: str
    context: str  # what came just before (the prospect's objection, the earlier pricing move)
    positive: bool
    source: str  # "confirmed", "rejected", "rating", "background"
    call_id: str | None = None
    segment: int | None = None
    level: float | None = None  # the level people gave the call when this is its rated moment
    position: float | None = None  # where in the call, 0 (start) to 1 (end)
    reply: str = ""  # what the other party said next ("" when nothing)


@dataclass
class RubricGuidance:
    """What people taught the scorer for one rubric: labelled turns and a fitted calibration."""

    rubric_id: str
    examples: list[LabelledTurn] = field(default_factory=list)
    calibration: dict[str, Any] | None = None

    def for_criterion(self, criterion_id: str) -> list[LabelledTurn]:
        return [e for e in self.examples if e.criterion_id == criterion_id]


@dataclass
class ScoringRequest:
    call: Call
    rubric: Rubric
    rubric_version: int
    embeddings: np.ndarray | None = None  # stored utterance embeddings, one row per segment
    guidance: RubricGuidance | None = None


class Scorer(Protocol):
    """Scores one call against one rubric version; every level is backed by verbatim evidence."""

    name: str
    version: str

    def embed(self, call: Call) -> np.ndarray | None:
        """Utterance embeddings to store (rows = segments), or None if this scorer needs none."""
        ...

    @property
    def embedding_model(self) -> str | None:
        """Identifies stored embeddings this scorer can reuse; None if it uses none."""
        ...

    def score(self, request: ScoringRequest) -> CallScore: ...


def unscorable_reason(call: Call) -> str | None:
    """Why a call cannot be scored, or None. Shared by every scorer so they agree."""
    rep_turns = call.rep_segments
    if not call.segments:
        return "the transcript is empty"
    if not rep_turns:
        return "no rep speech: no speaker was identified as the rep (re-import with --rep-speaker)"
    words = sum(len(s.text.split()) for s in rep_turns)
    if len(rep_turns) < MIN_REP_TURNS or words < MIN_REP_WORDS:
        return (
            f"too short to judge: the rep speaks {len(rep_turns)} turn(s), {words} word(s) "
            f"(at least {MIN_REP_TURNS} turns and {MIN_REP_WORDS} words are needed)"
        )
    return None
