"""Cutting a practice scenario out of one moment of a real call (pure: a call in, a scenario out).

How a moment is cut (docs/practice.md, "How a scenario is cut"):

- **The rep's line** is the segment given, or, when the segment is the prospect's, the rep's
  answer to it (the next rep turn before the prospect speaks again). Without a segment it is the
  first evidence quote of the call's score on the criterion.
- **The prospect's line at the moment** is the prospect's turn just before the rep's line
  (consecutive prospect segments joined): what the practitioner answers first.
- **The context** is the `CONTEXT_LINES` turns before that, shown to the rep.
- **The persona** is the prospect of that call only: their name when the transcript's speaker
  label is a name, their title from the call's contacts, the call's account as the company;
  what they care about is their own substantive lines before the moment (the most recent
  three), their concern the line at the moment. Nothing comes from any other call.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from callcoach.domain.calls import Call, Segment, SpeakerRole
from callcoach.domain.practice import (
    CONTEXT_LINES,
    ContextLine,
    Persona,
    PracticeError,
    TurnSpeaker,
)

CARES_LINES = 3  # design constant: the persona's most recent substantive lines before the moment
SUBSTANTIVE_WORDS = 6  # shorter lines ("okay", "sure, go on") say nothing the persona cares about
# A speaker label that names a role, not a person ("Prospect", "Speaker 2", "Customer (host)").
_GENERIC_LABEL = re.compile(
    r"^(?:prospect|customer|client|buyer|caller|guest|speaker|participant|unknown|other|"
    r"attendee|person|user)\b.*$|^\W*\d+\W*$",
    re.IGNORECASE,
)
_NAME_LIKE = re.compile(r"^[A-Z][A-Za-z'’.\-]*(?: [A-Z][A-Za-z'’.\-]*){0,3}$")
PROSPECT_LABEL = "Prospect"
REP_LABEL = "You"


@dataclass(frozen=True)
class MergedTurn:
    role: SpeakerRole
    speaker: str
    text: str
    segments: tuple[int, ...]
    start: float | None


@dataclass(frozen=True)
class CutMoment:
    rep_segment: int
    rep_line: str
    opening_line: str
    context: tuple[ContextLine, ...]
    persona: Persona
    start: float | None  # seconds into the call of the rep's line


def merged_turns(call: Call) -> list[MergedTurn]:
    """Rep and prospect turns, consecutive segments of one role joined; others left out."""
    turns: list[MergedTurn] = []
    for seg in call.segments:
        if seg.role is SpeakerRole.OTHER or not seg.text.strip():
            continue
        if turns and turns[-1].role is seg.role:
            last = turns[-1]
            turns[-1] = MergedTurn(
                last.role,
                last.speaker,
                f"{last.text} {seg.text.strip()}",
                (*last.segments, seg.index),
                last.start,
            )
        else:
            turns.append(
                MergedTurn(seg.role, seg.speaker, seg.text.strip(), (seg.index,), seg.start)
            )
    return turns


def persona_name(label: str) -> str | None:
    label = label.strip()
    if not label or _GENERIC_LABEL.match(label) or not _NAME_LIKE.match(label):
        return None
    return label


def contacts_of(meta: dict[str, Any]) -> list[dict[str, Any]]:
    """The call's contacts ({name, title}) wherever its metadata keeps them."""
    found = meta.get("contacts")
    if not isinstance(found, list):
        found = next(
            (v.get("contacts") for v in meta.values() if isinstance(v, dict) and "contacts" in v),
            None,
        )
    return [c for c in found or [] if isinstance(c, dict) and c.get("name")]


def _title_of(name: str | None, meta: dict[str, Any]) -> str | None:
    if name is None:
        return None
    for contact in contacts_of(meta):
        if str(contact["name"]).strip().lower() == name.lower() and contact.get("title"):
            return str(contact["title"])
    return None


def _rep_turn_index(call: Call, turns: Sequence[MergedTurn], segment: int) -> int:
    by_index = {s.index: s for s in call.segments}
    seg: Segment | None = by_index.get(segment)
    if seg is None:
        last = call.segments[-1].index if call.segments else None
        raise PracticeError(
            f"call {call.external_id} has no segment {segment}"
            + (f" (its segments are 0 to {last})" if last is not None else " (it is empty)")
        )
    position = next((i for i, t in enumerate(turns) if segment in t.segments), None)
    if position is None:
        raise PracticeError(
            f"segment {segment} of call {call.external_id} is neither the rep's nor the "
            f"prospect's ({seg.speaker}): choose a rep turn"
        )
    if turns[position].role is SpeakerRole.PROSPECT:
        following = position + 1
        if following >= len(turns) or turns[following].role is not SpeakerRole.REP:
            raise PracticeError(
                f"segment {segment} of call {call.external_id} is the prospect's and no rep turn "
                "answers it: choose the rep's segment of the moment"
            )
        position = following
    return position


def cut_moment(call: Call, segment: int) -> CutMoment:
    """The scenario's moment around the rep's turn at (or answering) `segment`."""
    turns = merged_turns(call)
    if not any(t.role is SpeakerRole.REP for t in turns):
        raise PracticeError(
            f"call {call.external_id} has no rep turn (no speaker is the rep): nothing to practise"
        )
    position = _rep_turn_index(call, turns, segment)
    if position == 0 or turns[position - 1].role is not SpeakerRole.PROSPECT:
        raise PracticeError(
            f"segment {segment} of call {call.external_id} is the rep's, but the prospect says "
            "nothing before it: choose a rep turn that answers the prospect"
        )
    rep_turn = turns[position]
    prospect_turn = turns[position - 1]
    name = persona_name(prospect_turn.speaker)
    label = name or PROSPECT_LABEL
    before = turns[max(0, position - 1 - CONTEXT_LINES) : position - 1]
    context = tuple(
        ContextLine(
            TurnSpeaker.PRACTITIONER if t.role is SpeakerRole.REP else TurnSpeaker.PERSONA,
            REP_LABEL if t.role is SpeakerRole.REP else label,
            t.text,
        )
        for t in before
    )
    own_before = [
        t.text
        for t in turns[: position - 1]
        if t.role is SpeakerRole.PROSPECT and len(t.text.split()) >= SUBSTANTIVE_WORDS
    ]
    persona = Persona(
        name=name,
        role=_title_of(name, call.meta),
        company=call.account,
        cares_about=tuple(own_before[-CARES_LINES:]),
        concerns=(prospect_turn.text,),
    )
    focus = next(
        (s for s in call.segments if s.index in rep_turn.segments and s.index == segment),
        None,
    )
    return CutMoment(
        rep_segment=focus.index if focus else rep_turn.segments[0],
        rep_line=rep_turn.text,
        opening_line=prospect_turn.text,
        context=context,
        persona=persona,
        start=focus.start if focus else rep_turn.start,
    )
