"""WebVTT captions, as Zoom, Microsoft Teams and Google Meet write their transcripts.

    WEBVTT

    NOTE Zoom writes a number before each cue; Teams writes an id like 3f2a.../12-0

    1
    00:00:01.200 --> 00:00:04.800
    <v Dana Ortiz>Thanks for making the time today, Sam.</v>

Cue identifiers, NOTE/STYLE/REGION blocks and cue settings are skipped; timestamps may omit the
hours. Speakers come from voice tags or "Name: " prefixes (see ingest/cues.py).
"""

from __future__ import annotations

import re
from pathlib import Path

from callcoach.ingest.cues import Cue, blocks, cue_turns, parse_timing
from callcoach.ingest.errors import ParseError, read_utf8
from callcoach.ingest.registry import TranscriptFormat
from callcoach.ingest.transcript import ParsedCall, single_call

NAME = "webvtt"
_HEADER = re.compile(r"^WEBVTT(?:[ \t].*)?$")
_SKIPPED_BLOCKS = re.compile(r"^(?:NOTE|STYLE|REGION)(?:[ \t].*)?$")


def read(path: Path) -> list[ParsedCall]:
    lines = read_utf8(path).splitlines()
    if not lines or not _HEADER.match(lines[0]):
        raise ParseError(path, 1, "not a WebVTT file: the first line must be 'WEBVTT'")
    body = iter(blocks(lines))
    header = next(body)  # "WEBVTT" and header lines (Kind:, Language:) up to the first blank
    for offset, line in enumerate(header.lines):
        if "-->" in line:
            raise ParseError(
                path, header.line + offset, "a blank line must separate 'WEBVTT' from the cues"
            )
    cues: list[Cue] = []
    for block in body:
        first = block.lines[0]
        if _SKIPPED_BLOCKS.match(first):
            continue
        if "-->" in first:
            timing_at = 0
        elif len(block.lines) > 1 and "-->" in block.lines[1]:
            timing_at = 1  # a cue identifier precedes the timing
        else:
            raise ParseError(
                path,
                block.line,
                f"expected a cue ('hh:mm:ss.mmm --> hh:mm:ss.mmm' after an optional id), "
                f"found {first[:60]!r}",
            )
        number = block.line + timing_at
        start, end = parse_timing(path, number, block.lines[timing_at])
        text_lines = block.lines[timing_at + 1 :]
        for offset, line in enumerate(text_lines, start=number + 1):
            if "-->" in line:
                raise ParseError(
                    path, offset, "cue text cannot contain '-->' (is a blank line missing?)"
                )
        cues.append(Cue(number, start, end, text_lines))
    if not cues:
        raise ParseError(path, None, "the WebVTT file has no cues")
    return single_call(path, cue_turns(cues), NAME)


def _sniff(path: Path, head: str) -> bool:
    return _HEADER.match(head.split("\n", 1)[0].rstrip("\r")) is not None


FORMAT = TranscriptFormat(
    name=NAME,
    summary="WebVTT captions (Zoom, Teams, Meet): <v Speaker> voice tags or 'Name: ' prefixes",
    extensions=(".vtt",),
    sniff=_sniff,
    read=read,
)
