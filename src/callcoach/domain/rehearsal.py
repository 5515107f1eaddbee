"""A manager rehearsing a review against a persona of the rep (issue 17, section 5).

The manager delivers the review; the persona answers as the rep would. The rehearsal is then
scored on the bundled "review conversation" rubric by the same scoring engine as calls: its
transcript becomes a `Call` whose scored side (the `rep` role of the scorer) is the MANAGER, and
whose other side is the persona. Rehearsals are the manager's own practice: only the review's
manager (the rep's manager) and administrators may run or read them; the rep never sees one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from callcoach.domain.calls import Call, Segment, SpeakerRole
from callcoach.domain.practice import MAX_TURN_LIMIT, Turn, TurnSpeaker
from callcoach.domain.reviews import DIMENSIONS, SelfAssessment

REVIEW_CONVERSATION_RUBRIC = "review-conversation"  # the bundled template scored on
MAX_TURN_CHARS = 2000  # one spoken turn; a longer text is a pasted document, not a turn
REHEARSAL_TURN_LIMIT = MAX_TURN_LIMIT  # the manager's lines in one attempt: a whole meeting
DISPUTE_GAP = 1  # seed rule (perception gap): a full point above the evidence is disputed


class RehearsalError(ValueError):
    """A rehearsal action the rules refuse (the message says why and what to do)."""


class SourceKind(StrEnum):
    """Where a persona line comes from: always something the rep said or wrote."""

    SELF_ASSESSMENT = "self_assessment"  # the rep's own words in their self-assessment
    CALL_MOMENT = "call_moment"  # the rep's own line at a call moment the review cites
    OWN_TURN = "own_turn"  # one of the rep's turns from their calls, chosen by retrieval
    MODEL = "model"  # phrased by a configured model, checked against the rep's facts


@dataclass(frozen=True)
class LineSource:
    kind: SourceKind
    label: str  # what the manager is shown: "self-assessment, skill", "call acme-12, 04:10"
    ref: str | None = None  # an evidence id, "call_id#segment" or a dimension


@dataclass(frozen=True)
class RehearsalTurn:
    """One line: the manager's (the practitioner) or the persona of the rep's."""

    speaker: TurnSpeaker
    text: str
    sources: tuple[LineSource, ...] = ()  # for the persona's lines; empty for the manager's
    stance: str | None = None  # the persona's stance in this line: "disputes", "accepts", ...
    # A configured model's reply that failed the checks (this line is the offline one): why.
    model_refused: tuple[str, ...] = ()
    model_text: str | None = None  # what the model wrote (as it would have been said)

    @property
    def by(self) -> str:
        """Who phrased the line: "model" (checked) or "offline" (the rep's own words)."""
        return "model" if any(s.kind is SourceKind.MODEL for s in self.sources) else "offline"


def check_manager_line(text: str) -> str:
    """The manager's turn, whitespace-normalised; empty or over-long turns are refused."""
    cleaned = " ".join(text.split())
    if not cleaned:
        raise RehearsalError("the line is empty: say something to the rep")
    if len(cleaned) > MAX_TURN_CHARS:
        raise RehearsalError(
            f"the line is {len(cleaned)} characters; one turn may be at most {MAX_TURN_CHARS}"
        )
    return cleaned


@dataclass(frozen=True)
class Dispute:
    """A dimension where the rep rates themself a full point or more above the evidence."""

    dimension: str
    self_rating: int
    evidence_rating: int
    words: str  # the rep's own words for it (their self-assessment)


def disputes(
    self_assessment: SelfAssessment | None, proposed: Mapping[str, int | None]
) -> list[Dispute]:
    """What the persona disputes: exactly what the self-assessment disputes (largest gap first).

    rule (perception gap, domain/reviews.py): self minus evidence of a full point or more is a
    view the rep holds against the evidence.
    """
    if self_assessment is None:
        return []
    found = []
    for dimension in DIMENSIONS:
        own = self_assessment.of(dimension)
        evidence = proposed.get(dimension.value)
        if evidence is not None and own.rating - evidence >= DISPUTE_GAP:
            found.append(Dispute(dimension.value, own.rating, evidence, own.words))
    return sorted(found, key=lambda d: d.evidence_rating - d.self_rating)


def rehearsal_call(
    rehearsal_id: int | str, turns: Sequence[RehearsalTurn], manager: str, rep: str
) -> Call:
    """The rehearsal as a call the scoring engine reads: the manager is the scored speaker."""
    segments = [
        Segment(
            index=i,
            speaker=manager if turn.speaker is TurnSpeaker.PRACTITIONER else rep,
            role=SpeakerRole.REP
            if turn.speaker is TurnSpeaker.PRACTITIONER
            else SpeakerRole.PROSPECT,
            text=turn.text,
        )
        for i, turn in enumerate(turns)
    ]
    return Call(
        external_id=f"rehearsal-{rehearsal_id}",
        segments=segments,
        rep=manager,
        call_type="review rehearsal",
    )


def source_to_json(turn: RehearsalTurn) -> dict[str, Any] | None:
    """What a practice turn's `source` keeps of a persona line: where its words came from."""
    if turn.speaker is TurnSpeaker.PRACTITIONER:
        return None
    kept: dict[str, Any] = {
        "rehearsal": True,
        "by": turn.by,
        "stance": turn.stance,
        "sources": [{"kind": s.kind.value, "label": s.label, "ref": s.ref} for s in turn.sources],
    }
    if turn.model_refused:
        kept["model_refused"] = list(turn.model_refused)
        kept["model_text"] = turn.model_text
    return kept


def from_practice_turn(turn: Turn) -> RehearsalTurn:
    source = turn.source or {}
    return RehearsalTurn(
        turn.speaker,
        turn.text,
        tuple(
            LineSource(SourceKind(s["kind"]), str(s["label"]), s.get("ref"))
            for s in source.get("sources", [])
        ),
        source.get("stance"),
        tuple(str(p) for p in source.get("model_refused", ())),
        source.get("model_text"),
    )
