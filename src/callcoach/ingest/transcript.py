"""What every transcript reader produces, and how speakers become rep or prospect.

Readers only parse: they return `ParsedCall`s whose turns carry raw speaker labels. Deciding
which speaker is the rep is shared by all formats (`identify_rep_speaker`, `to_call`), so every
format follows the same rule: an explicit `--rep-speaker`, else a speaker whose name matches the
rep of the call or a rep on the roster; everyone else is the prospect (and when no speaker is
identified, every turn is "other").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from callcoach.domain.calls import Call, Segment, SpeakerRole
from callcoach.ingest.errors import ParseError

# The label of every turn in a transcript that names no speakers at all (undiarized ASR output).
UNKNOWN_SPEAKER = "Speaker"
MAX_SPEAKER_LENGTH = 200  # the store's column width

# Size limits (docs/import-formats.md, "Limits"). A turn longer than MAX_TURN_CHARS is split into
# turns of at most that many characters at sentence or word boundaries: the scorer's encoder reads
# 256 tokens of a turn anyway, and one 50 MB turn took 7.5 GB to score. A call longer than
# MAX_CALL_CHARS (about 15 hours of speech) is refused: no sales call is that long, and its
# scoring would not fit a worker's memory.
MAX_TURN_CHARS = 4_000
MAX_CALL_CHARS = 1_000_000


@dataclass
class ParsedTurn:
    speaker: str
    text: str
    start: float | None = None
    end: float | None = None
    role: SpeakerRole | None = None  # set by formats that know it (conversation JSONL)


@dataclass
class ParsedCall:
    """A transcript as read from a file, before speakers are matched to the roster."""

    external_id: str
    turns: list[ParsedTurn]
    source_file: str
    source_format: str
    line: int | None = None  # where the call starts in the file (multi-call formats)
    rep: str | None = None
    date: datetime | None = None
    duration_s: float | None = None
    account: str | None = None
    deal_external_id: str | None = None
    call_type: str | None = None
    audio_path: str | None = None
    audio_hash: str | None = None  # sha256 of the recording's bytes (audio imports)
    annotations: dict[str, Any] | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    deal_outcome_won: bool | None = None  # conversation JSONL: outcome.won
    # True when the id is the file's name rather than written in the file: another file of the
    # same name elsewhere is then a different call, not a re-import (see services/imports/transcripts.py).
    derived_id: bool = False


def merge_consecutive(turns: Sequence[ParsedTurn]) -> list[ParsedTurn]:
    """One turn per change of speaker: captions and ASR split a turn into many pieces.

    The merged turn starts where the first piece starts and ends where the last one ends.
    Turns of UNKNOWN_SPEAKER are never merged (that would make the whole call one turn).
    """
    merged: list[ParsedTurn] = []
    for turn in turns:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.speaker == turn.speaker
            and turn.speaker != UNKNOWN_SPEAKER
            and previous.role == turn.role
        ):
            previous.text = f"{previous.text} {turn.text}".strip()
            if turn.end is not None:
                previous.end = turn.end if previous.end is None else max(previous.end, turn.end)
            if previous.start is None:
                previous.start = turn.start
        else:
            merged.append(
                ParsedTurn(
                    speaker=turn.speaker,
                    text=turn.text,
                    start=turn.start,
                    end=turn.end,
                    role=turn.role,
                )
            )
    return merged


def single_call(
    path: Path, turns: Sequence[ParsedTurn], source_format: str, **fields: Any
) -> list[ParsedCall]:
    """The one call of a transcript file, named after the file (a manifest can rename it)."""
    kept = [t for t in turns if t.text.strip()]
    if not kept:
        raise ParseError(path, None, "the transcript has no spoken text")
    for turn in kept:
        if len(turn.speaker) > MAX_SPEAKER_LENGTH:
            raise ParseError(
                path, None, f"speaker label {turn.speaker[:40]!r}... is over 200 characters"
            )
    return [
        ParsedCall(
            external_id=path.stem,
            turns=merge_consecutive(kept),
            source_file=str(path),
            source_format=source_format,
            derived_id=True,
            **fields,
        )
    ]


@dataclass(frozen=True)
class CallMetadata:
    """Metadata given for a call by a manifest row or command-line options."""

    external_id: str | None = None
    rep: str | None = None
    date: datetime | None = None
    account: str | None = None
    deal_external_id: str | None = None
    call_type: str | None = None
    rep_speaker: str | None = None


def _norm(name: str) -> str:
    return " ".join(name.lower().replace("_", " ").split())


def _matches(speaker: str, person: str) -> bool:
    """'Dana Ortiz' matches speaker 'Dana Ortiz', 'dana ortiz' and 'Dana Ortiz (Acme)'."""
    spk, who = _norm(speaker), _norm(person)
    if not spk or not who:
        return False
    return spk == who or spk.startswith(who + " (") or spk.startswith(who + " -")


def identify_rep_speaker(
    speakers: Iterable[str], rep: str | None, roster: Iterable[str], rep_speaker: str | None
) -> tuple[str | None, str | None]:
    """Return (speaker label of the rep, rep name) for a call, or (None, rep) when unknown."""
    labels = list(dict.fromkeys(speakers))
    if rep_speaker:
        # `--rep-speaker A` also finds "Speaker A", the label ASR formats get (see their readers).
        wanted = {_norm(rep_speaker), _norm(f"{UNKNOWN_SPEAKER} {rep_speaker}")}
        for label in labels:
            if _norm(label) in wanted:
                return label, rep
        return None, rep
    if rep:
        for label in labels:
            if _matches(label, rep):
                return label, rep
    for person in roster:
        for label in labels:
            if _matches(label, person):
                return label, rep or person
    return None, rep


def _split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut after a sentence end, else at a space."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! "))
        cut = cut + 1 if cut > limit // 2 else window.rfind(" ")
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    pieces.append(rest)
    return [p for p in pieces if p]


def _split_long(turn: ParsedTurn) -> list[ParsedTurn]:
    if len(turn.text) <= MAX_TURN_CHARS:
        return [turn]
    pieces = _split_text(turn.text, MAX_TURN_CHARS)
    timed = turn.start is not None and turn.end is not None
    total = sum(len(p) for p in pieces)
    result: list[ParsedTurn] = []
    done = 0
    for piece in pieces:
        start = end = None
        if timed:
            assert turn.start is not None and turn.end is not None
            span = turn.end - turn.start
            start = round(turn.start + span * done / total, 3)
            done += len(piece)
            end = round(turn.start + span * done / total, 3)
        result.append(ParsedTurn(turn.speaker, piece, start, end, turn.role))
    return result


def _fails(parsed: ParsedCall, reason: str) -> ParseError:
    return ParseError(parsed.source_file, parsed.line, f"call {parsed.external_id!r}: {reason}")


def check_call(parsed: ParsedCall) -> None:
    """What every format must hold before a call is stored, whatever reader produced it.

    Times are finite, not negative and never end before they start; no text holds a NUL
    character (PostgreSQL cannot store one); the call is within MAX_CALL_CHARS. Turns longer than
    MAX_TURN_CHARS are split (see the constant). Raises ParseError naming the file and line.
    """
    size = 0
    for number, turn in enumerate(parsed.turns, start=1):
        size += len(turn.text)
        for name, value in (("start", turn.start), ("end", turn.end)):
            if value is not None and not (math.isfinite(value) and value >= 0):
                raise _fails(parsed, f"turn {number}: {name} time {value!r} is not a time")
        if turn.start is not None and turn.end is not None and turn.end < turn.start:
            raise _fails(parsed, f"turn {number} ends ({turn.end}) before it starts ({turn.start})")
        if "\x00" in turn.text or "\x00" in turn.speaker:
            raise _fails(parsed, f"turn {number} contains a NUL character (\\x00)")
    if parsed.duration_s is not None and not (
        math.isfinite(parsed.duration_s) and parsed.duration_s >= 0
    ):
        raise _fails(parsed, f"duration {parsed.duration_s!r} is not a duration")
    for field_text in (
        parsed.external_id,
        parsed.rep,
        parsed.account,
        parsed.deal_external_id,
        parsed.call_type,
    ):
        if field_text is not None and "\x00" in field_text:
            raise _fails(parsed, "a field contains a NUL character (\\x00)")
    if size > MAX_CALL_CHARS:
        raise _fails(
            parsed,
            f"{size:,} characters of text; a call may have at most {MAX_CALL_CHARS:,} "
            "(split the recording into calls)",
        )
    if any(len(turn.text) > MAX_TURN_CHARS for turn in parsed.turns):
        parsed.turns = [piece for turn in parsed.turns for piece in _split_long(turn)]


def to_call(parsed: ParsedCall, roster: Iterable[str], rep_speaker: str | None = None) -> Call:
    """Turn a parsed transcript into a domain Call, assigning rep and prospect roles.

    The call is checked first (`check_call`): a ParseError names what is wrong."""
    check_call(parsed)
    if all(turn.role is not None for turn in parsed.turns) and rep_speaker is None:
        rep_label, rep = None, parsed.rep
        roles = [turn.role for turn in parsed.turns]
    else:
        rep_label, rep = identify_rep_speaker(
            (t.speaker for t in parsed.turns), parsed.rep, roster, rep_speaker
        )
        roles = [
            SpeakerRole.REP
            if rep_label is not None and t.speaker == rep_label
            else (SpeakerRole.PROSPECT if rep_label is not None else SpeakerRole.OTHER)
            for t in parsed.turns
        ]
    segments = [
        Segment(
            index=i,
            speaker=turn.speaker,
            role=role or SpeakerRole.OTHER,
            text=turn.text,
            start=turn.start,
            end=turn.end,
        )
        for i, (turn, role) in enumerate(zip(parsed.turns, roles, strict=True))
    ]
    meta = dict(parsed.meta)
    if rep_label is not None:
        meta["rep_speaker"] = rep_label
    return Call(
        external_id=parsed.external_id,
        segments=segments,
        rep=rep,
        date=parsed.date,
        duration_s=parsed.duration_s,
        account=parsed.account,
        deal_external_id=parsed.deal_external_id,
        call_type=parsed.call_type,
        source_file=parsed.source_file,
        source_format=parsed.source_format,
        audio_path=parsed.audio_path,
        audio_hash=parsed.audio_hash,
        annotations=parsed.annotations,
        meta=meta,
    )
