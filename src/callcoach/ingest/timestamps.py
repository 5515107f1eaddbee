"""Clock timestamps as caption and transcript files write them, to seconds."""

from __future__ import annotations

import re

# hh:mm:ss.mmm or mm:ss.mmm; SRT writes a comma before the milliseconds. Without hours the
# minutes may pass 59 ("[75:10]" in a long call's text transcript).
_CLOCK = re.compile(
    r"^(?:(?P<h>\d+):(?P<m>[0-5]?\d)|(?P<mm>\d+)):(?P<s>[0-5]\d)(?:[.,](?P<f>\d{1,9}))?$"
)

CLOCK_FORMATS = "mm:ss.mmm or hh:mm:ss.mmm"


def parse_clock(text: str) -> float | None:
    """Seconds from 'hh:mm:ss.mmm', 'mm:ss.mmm', 'hh:mm:ss,mmm' or 'mm:ss'; None if not a clock."""
    match = _CLOCK.match(text.strip())
    if match is None:
        return None
    hours = int(match["h"] or 0)
    minutes = int(match["m"] if match["m"] is not None else match["mm"])
    fraction = match["f"]
    seconds = int(match["s"]) + (int(fraction) / 10 ** len(fraction) if fraction else 0.0)
    return round(hours * 3600 + minutes * 60 + seconds, 3)


def format_clock(seconds: float) -> str:
    """'mm:ss' under an hour, 'h:mm:ss' above: how people quote a moment of a call."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
