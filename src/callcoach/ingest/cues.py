"""What caption formats (WebVTT, SRT) share: timed cues, and who speaks in each.

Meeting tools name the speaker of a cue in one of two ways:

- a WebVTT voice tag, `<v Dana Ortiz>Thanks for joining</v>` (Teams, Meet, Zoom's VTT export);
- a "Name: " prefix on the cue text, `Dana Ortiz: Thanks for joining` (Zoom, most SRT files).

A cue that names nobody continues the previous speaker's turn (captions split long turns), and
consecutive cues of the same speaker become one turn. Because "Pricing: it's $40 a seat" also
looks like a prefix, a prefix only counts as a speaker when it looks like a name and either
appears on two cues or more, or is a capitalised full name ("Jordan Lee").
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from callcoach.ingest.errors import ParseError
from callcoach.ingest.timestamps import CLOCK_FORMATS, parse_clock
from callcoach.ingest.transcript import UNKNOWN_SPEAKER, ParsedTurn

_TIMING = re.compile(r"^\s*(?P<start>\S+)\s+-->\s+(?P<end>\S+)(?:\s+.*)?$")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:\s+(?P<name>[^>]*))?>", re.IGNORECASE)
_VOICE_END = re.compile(r"</v\s*>", re.IGNORECASE)
# Markup to drop: <i>, <b>, <u>, <c.class>, <lang en>, <font color=..>, <ruby>, <rt>, and the
# karaoke timestamps <00:00:01.000>. A bare "<" in text ("price < 40") is left alone.
_TAG = re.compile(r"</?(?:[a-z]+(?:\.[\w.-]+)*(?:\s[^<>]*)?|\d[\d:.,]*)>", re.IGNORECASE)
_PREFIX = re.compile(r"^\s*(?:-\s*)?(?P<name>[^\s:<>\-][^:<>]{0,59}?)\s*:\s+(?P<rest>\S.*)$")
_SENTENCE_MARKS = re.compile(r"[?!,;\"“”]")
_LOWERCASE_NAME_PARTICLES = {"de", "da", "del", "der", "van", "von", "la", "le", "di", "du", "bin"}


@dataclass
class Block:
    """Lines between blank lines, with the 1-based number of the first."""

    line: int
    lines: list[str]


@dataclass
class Cue:
    line: int  # the timing line
    start: float
    end: float
    text_lines: list[str] = field(default_factory=list)


def blocks(lines: Sequence[str], first_line: int = 1) -> Iterator[Block]:
    current: Block | None = None
    for offset, raw in enumerate(lines):
        line = raw.rstrip("\r\n")
        if not line.strip():
            if current is not None:
                yield current
                current = None
            continue
        if current is None:
            current = Block(first_line + offset, [])
        current.lines.append(line)
    if current is not None:
        yield current


def parse_timing(path: Path, number: int, line: str) -> tuple[float, float]:
    match = _TIMING.match(line)
    if match is None:
        raise ParseError(path, number, f"expected a cue timing 'start --> end', found {line!r}")
    start = parse_clock(match["start"])
    if start is None:
        raise ParseError(
            path, number, f"cue start {match['start']!r} is not a time ({CLOCK_FORMATS})"
        )
    end = parse_clock(match["end"])
    if end is None:
        raise ParseError(path, number, f"cue end {match['end']!r} is not a time ({CLOCK_FORMATS})")
    if end < start:
        raise ParseError(
            path, number, f"cue ends ({match['end']}) before it starts ({match['start']})"
        )
    return start, end


def _clean(text: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", text)).split())


def _name_like(label: str) -> bool:
    words = label.split()
    if not 1 <= len(words) <= 5 or _SENTENCE_MARKS.search(label):
        return False
    return not label.endswith(".") or len(words) == 1


def _full_name(label: str) -> bool:
    words = [w for w in label.split() if w.lower() not in _LOWERCASE_NAME_PARTICLES]
    return len(words) >= 2 and all(w[:1].isupper() for w in words)


def _prefix(line: str) -> tuple[str, str] | None:
    match = _PREFIX.match(_clean(line))
    if match is None or not _name_like(match["name"]):
        return None
    return match["name"].strip(), match["rest"]


@dataclass
class _Piece:
    speaker: str | None
    text: str
    start: float
    end: float


def _voice_pieces(cue: Cue) -> list[_Piece] | None:
    """Pieces of a cue split at its voice tags; None when the cue has none."""
    payload = "\n".join(cue.text_lines)
    matches = list(_VOICE.finditer(payload))
    if not matches:
        return None
    pieces: list[_Piece] = []
    before = _clean(payload[: matches[0].start()])
    if before:
        pieces.append(_Piece(None, before, cue.start, cue.end))
    for i, match in enumerate(matches):
        stop = matches[i + 1].start() if i + 1 < len(matches) else len(payload)
        span = _VOICE_END.split(payload[match.end() : stop], maxsplit=1)
        name = " ".join(html.unescape(match["name"] or "").split()) or None
        pieces.append(_Piece(name, _clean(span[0]), cue.start, cue.end))
        if len(span) > 1 and _clean(span[1]):
            pieces.append(_Piece(None, _clean(span[1]), cue.start, cue.end))
    return pieces


def cue_turns(cues: Sequence[Cue]) -> list[ParsedTurn]:
    """Turns of a caption file, before merging (see `merge_consecutive`)."""
    prefixes = Counter(
        found[0]
        for cue in cues
        if not _VOICE.search("\n".join(cue.text_lines))
        for line in cue.text_lines
        if (found := _prefix(line)) is not None
    )
    speakers = {name for name, count in prefixes.items() if count >= 2 or _full_name(name)}

    pieces: list[_Piece] = []
    for cue in cues:
        voiced = _voice_pieces(cue)
        if voiced is not None:
            pieces.extend(voiced)
            continue
        current: _Piece | None = None
        for line in cue.text_lines:
            found = _prefix(line)
            if found is not None and found[0] in speakers:
                current = _Piece(found[0], found[1].strip(), cue.start, cue.end)
                pieces.append(current)
            elif current is None:
                current = _Piece(None, _clean(line), cue.start, cue.end)
                pieces.append(current)
            else:
                current.text = f"{current.text} {_clean(line)}".strip()

    turns: list[ParsedTurn] = []
    speaker: str | None = None
    for piece in pieces:
        if not piece.text:
            continue
        speaker = piece.speaker or speaker
        turns.append(
            ParsedTurn(
                speaker=speaker or UNKNOWN_SPEAKER,
                text=piece.text,
                start=piece.start,
                end=piece.end,
            )
        )
    return turns
