"""AssemblyAI transcript JSON (`speaker_labels=true`): utterances with speaker letters.

    {"id": "6a7...", "status": "completed", "audio_duration": 1204,
     "utterances": [{"speaker": "A", "start": 400, "end": 3900, "confidence": 0.97,
                     "text": "Thanks for making the time today."}, ...],
     "words": [{"text": "Thanks", "start": 400, "end": 700, "speaker": "A"}, ...]}

Times are milliseconds. Speakers become "Speaker A", "Speaker B"... Without utterances the words
are grouped by speaker.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from callcoach.ingest.asr_words import Word, words_to_turns
from callcoach.ingest.errors import ParseError
from callcoach.ingest.json_source import load_json, looks_like_json
from callcoach.ingest.registry import TranscriptFormat
from callcoach.ingest.transcript import UNKNOWN_SPEAKER, ParsedCall, ParsedTurn, single_call

NAME = "assemblyai-json"
MS = 1000.0


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class _Word(_Open):
    text: str
    start: float
    end: float
    speaker: str | None = None


class _Utterance(_Open):
    speaker: str | None = None
    start: float
    end: float
    text: str


class _Transcript(_Open):
    status: str | None = None
    error: str | None = None
    audio_duration: float | None = None
    utterances: list[_Utterance] | None = None
    words: list[_Word] | None = None


def _label(speaker: str | None) -> str | None:
    return f"{UNKNOWN_SPEAKER} {speaker}" if speaker else None


def read(path: Path) -> list[ParsedCall]:
    doc = load_json(path)
    try:
        transcript = _Transcript.model_validate(doc.data)
    except ValidationError as exc:
        raise doc.validation_error(exc) from exc
    if transcript.status not in (None, "completed"):
        reason = f": {transcript.error}" if transcript.error else ""
        raise ParseError(
            path, doc.line_at(()), f"transcript status is {transcript.status!r}{reason}"
        )
    turns: list[ParsedTurn] = []
    if transcript.utterances:
        for i, utterance in enumerate(transcript.utterances):
            if utterance.end < utterance.start:
                raise doc.error(("utterances", i), f"utterance {i} ends before it starts")
            turns.append(
                ParsedTurn(
                    speaker=_label(utterance.speaker) or UNKNOWN_SPEAKER,
                    text=" ".join(utterance.text.split()),
                    start=utterance.start / MS,
                    end=utterance.end / MS,
                )
            )
    elif transcript.words:
        turns = words_to_turns(
            [Word(w.text, w.start / MS, w.end / MS, _label(w.speaker)) for w in transcript.words]
        )
    if not turns:
        raise ParseError(
            path,
            doc.line_at(()),
            "no utterances and no words (request the transcript with speaker_labels=true)",
        )
    return single_call(path, turns, NAME, duration_s=transcript.audio_duration)


def _sniff(path: Path, head: str) -> bool:
    if not looks_like_json(head) or not head.lstrip().startswith("{"):
        return False
    return '"utterances"' in head or '"audio_url"' in head or '"acoustic_model"' in head


FORMAT = TranscriptFormat(
    name=NAME,
    summary="AssemblyAI JSON: utterances with speaker letters, millisecond times",
    extensions=(".json",),
    sniff=_sniff,
    read=read,
)
