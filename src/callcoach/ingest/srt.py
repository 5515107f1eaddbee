"""SubRip (.srt) subtitles with "Name: " speaker prefixes.

    1
    00:00:01,200 --> 00:00:04,800
    Dana Ortiz: Thanks for making the time today, Sam.

The cue number is optional (some tools omit it); a dot is accepted before the milliseconds.
"""

from __future__ import annotations

import re
from pathlib import Path

from callcoach.ingest.cues import Cue, blocks, cue_turns, parse_timing
from callcoach.ingest.errors import ParseError, read_utf8
from callcoach.ingest.registry import TranscriptFormat
from callcoach.ingest.transcript import ParsedCall, single_call

NAME = "srt"
_SNIFF = re.compile(r"^\s*\d+\s*\r?\n\s*\d[\d:]*[,.]\d+\s+-->\s+\d")


def read(path: Path) -> list[ParsedCall]:
    lines = read_utf8(path).splitlines()
    cues: list[Cue] = []
    for block in blocks(lines):
        first = block.lines[0].strip()
        if "-->" in first:
            timing_at = 0
        elif first.isdigit() and len(block.lines) > 1:
            timing_at = 1
        else:
            raise ParseError(
                path,
                block.line,
                f"expected a subtitle number and 'hh:mm:ss,mmm --> hh:mm:ss,mmm', "
                f"found {first[:60]!r}",
            )
        number = block.line + timing_at
        start, end = parse_timing(path, number, block.lines[timing_at])
        text_lines = block.lines[timing_at + 1 :]
        for offset, line in enumerate(text_lines, start=number + 1):
            if "-->" in line:
                raise ParseError(
                    path, offset, "subtitle text cannot contain '-->' (is a blank line missing?)"
                )
        cues.append(Cue(number, start, end, text_lines))
    if not cues:
        raise ParseError(path, None, "the SRT file has no subtitles")
    return single_call(path, cue_turns(cues), NAME)


def _sniff(path: Path, head: str) -> bool:
    return _SNIFF.match(head) is not None


FORMAT = TranscriptFormat(
    name=NAME,
    summary="SubRip subtitles (.srt) with 'Name: ' speaker prefixes",
    extensions=(".srt",),
    sniff=_sniff,
    read=read,
)
