"""Whisper, faster-whisper and WhisperX JSON: timed segments, with speakers when diarized.

    {"language": "en", "segments": [
      {"id": 0, "start": 0.0, "end": 3.4, "text": " Thanks for making the time.",
       "speaker": "SPEAKER_00"}, ...]}

A bare list of segments is read too (what `json.dumps([s._asdict() for s in segments])` writes
for faster-whisper). Diarized output (WhisperX) names a `speaker` per segment. A segment without
one (WhisperX could not assign it, or the file is not diarized at all) gets the label "Speaker",
and such segments are never merged into one turn.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from callcoach.ingest.errors import ParseError
from callcoach.ingest.json_source import load_json, looks_like_json
from callcoach.ingest.registry import TranscriptFormat
from callcoach.ingest.transcript import UNKNOWN_SPEAKER, ParsedCall, ParsedTurn, single_call

NAME = "whisper-json"


class _Segment(BaseModel):
    model_config = ConfigDict(extra="allow")
    start: float = Field(ge=0, allow_inf_nan=False)
    end: float = Field(ge=0, allow_inf_nan=False)
    text: str
    speaker: str | int | None = None

    @model_validator(mode="after")
    def _ordered(self) -> _Segment:
        if self.end < self.start:
            raise ValueError(f"segment ends ({self.end}) before it starts ({self.start})")
        return self


class _Transcript(BaseModel):
    model_config = ConfigDict(extra="allow")
    segments: list[_Segment]
    duration: float | None = Field(default=None, ge=0, allow_inf_nan=False)


_SEGMENTS = TypeAdapter(list[_Segment])


def read(path: Path) -> list[ParsedCall]:
    doc = load_json(path)
    try:
        if isinstance(doc.data, list):
            transcript = _Transcript(segments=_SEGMENTS.validate_python(doc.data))
        elif isinstance(doc.data, dict) and "segments" in doc.data:
            transcript = _Transcript.model_validate(doc.data)
        else:
            raise ParseError(path, 1, "expected a list of segments or an object with 'segments'")
    except ValidationError as exc:
        raise doc.validation_error(exc) from exc
    if not transcript.segments:
        raise ParseError(path, 1, "no segments in the transcript")
    prefix: tuple[str, ...] = () if isinstance(doc.data, list) else ("segments",)
    for number, (before, segment) in enumerate(pairwise(transcript.segments), start=1):
        if segment.start < before.start:
            raise doc.error(
                (*prefix, number),
                f"segment {number} starts ({segment.start}) before the segment before it "
                f"({before.start}); segments must be in time order",
            )
    turns = [
        ParsedTurn(
            speaker=UNKNOWN_SPEAKER if segment.speaker is None else str(segment.speaker),
            text=" ".join(segment.text.split()),
            start=segment.start,
            end=segment.end,
        )
        for segment in transcript.segments
    ]
    return single_call(path, turns, NAME, duration_s=transcript.duration)


def _sniff(path: Path, head: str) -> bool:
    if not looks_like_json(head):
        return False
    if head.lstrip().startswith("["):
        return '"start"' in head and '"text"' in head
    return '"segments"' in head


FORMAT = TranscriptFormat(
    name=NAME,
    summary="Whisper / faster-whisper / WhisperX JSON segments (optional 'speaker' per segment)",
    extensions=(".json",),
    sniff=_sniff,
    read=read,
)
