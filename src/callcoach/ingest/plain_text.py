"""Plain-text transcripts, one turn per line: `[mm:ss] Speaker: text`.

    [00:03] Dana Ortiz: Thanks for making the time today, Sam.
    [00:07] Sam Lee: Sure. We have about twenty minutes.
    [01:02:15] Dana Ortiz: Before we wrap up, can we book the demo for Tuesday?

Hours are optional (`[hh:mm:ss]`), and so are fractions of a second. A line without a timestamp
continues the turn above it (a long turn wrapped over several lines). A turn ends where the next
one starts; the last turn's end is unknown.
"""

from __future__ import annotations

import re
from pathlib import Path

from callcoach.ingest.errors import ParseError, utf8_lines
from callcoach.ingest.registry import TranscriptFormat
from callcoach.ingest.timestamps import parse_clock
from callcoach.ingest.transcript import ParsedCall, ParsedTurn, single_call

NAME = "text"
# "[" and a digit open a timestamp; "[laughs]" at the start of a line is speech.
_TURN = re.compile(
    r"^\s*\[(?P<clock>\d[^\]]{0,14})\]\s*(?P<speaker>[^:]{1,200}?)\s*:\s*(?P<text>.*)$"
)
_STAMP = re.compile(r"^\s*\[\d[^\]]{0,14}\]")


def read(path: Path) -> list[ParsedCall]:
    turns: list[ParsedTurn] = []
    for number, raw in utf8_lines(path):
        line = raw.strip()
        if not line:
            continue
        match = _TURN.match(line)
        if match is None:
            if _STAMP.match(line):
                raise ParseError(
                    path, number, "expected '[mm:ss] Speaker: text' (no 'Speaker:' found)"
                )
            if not turns:
                raise ParseError(
                    path,
                    number,
                    "expected '[mm:ss] Speaker: text' (a line without a timestamp can only "
                    "continue a turn)",
                )
            turns[-1].text = f"{turns[-1].text} {line}".strip()
            continue
        start = parse_clock(match["clock"])
        if start is None:
            raise ParseError(
                path, number, f"[{match['clock']}] is not a time ([mm:ss] or [hh:mm:ss])"
            )
        if turns and turns[-1].start is not None and start < turns[-1].start:
            raise ParseError(
                path,
                number,
                f"[{match['clock']}] is earlier than the turn before it; "
                "turns must be in time order",
            )
        if turns:
            turns[-1].end = start
        turns.append(ParsedTurn(speaker=match["speaker"].strip(), text=match["text"], start=start))
    return single_call(path, turns, NAME)


def _sniff(path: Path, head: str) -> bool:
    first = next((line for line in head.splitlines() if line.strip()), "")
    return _TURN.match(first) is not None


FORMAT = TranscriptFormat(
    name=NAME,
    summary="Plain text, one turn per line: [mm:ss] Speaker: text",
    extensions=(".txt",),
    sniff=_sniff,
    read=read,
)
