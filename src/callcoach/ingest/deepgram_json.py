"""Deepgram pre-recorded transcription JSON (`diarize=true`, ideally `utterances=true`).

    {"metadata": {"duration": 1204.3, "channels": 1, ...},
     "results": {
       "channels": [{"alternatives": [{"transcript": "...", "words": [
         {"word": "thanks", "punctuated_word": "Thanks", "start": 0.4, "end": 0.7, "speaker": 0},
         ...]}]}],
       "utterances": [{"start": 0.4, "end": 3.9, "channel": 0, "speaker": 0,
                       "transcript": "Thanks for making the time today."}, ...]}}

Utterances are used when present, otherwise the words of each channel. Speakers become
"Speaker 0", "Speaker 1"...; a multichannel recording without diarization names each party
"Channel 0", "Channel 1". Times are seconds.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from callcoach.ingest.asr_words import Word, words_to_turns
from callcoach.ingest.errors import ParseError
from callcoach.ingest.json_source import load_json, looks_like_json
from callcoach.ingest.registry import TranscriptFormat
from callcoach.ingest.transcript import UNKNOWN_SPEAKER, ParsedCall, ParsedTurn, single_call

NAME = "deepgram-json"


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class _Word(_Open):
    word: str
    punctuated_word: str | None = None
    start: float
    end: float
    speaker: int | None = None


class _Alternative(_Open):
    transcript: str = ""
    words: list[_Word] = Field(default_factory=list)


class _Channel(_Open):
    alternatives: list[_Alternative]


class _Utterance(_Open):
    start: float
    end: float
    transcript: str
    channel: int = 0
    speaker: int | None = None


class _Results(_Open):
    channels: list[_Channel] = Field(default_factory=list)
    utterances: list[_Utterance] | None = None


class _Metadata(_Open):
    duration: float | None = None


class _Response(_Open):
    metadata: _Metadata | None = None
    results: _Results


def _label(speaker: int | None, channel: int, multichannel: bool) -> str | None:
    if speaker is None:
        return f"Channel {channel}" if multichannel else None
    return f"Speaker {speaker} (channel {channel})" if multichannel else f"Speaker {speaker}"


def read(path: Path) -> list[ParsedCall]:
    doc = load_json(path)
    try:
        response = _Response.model_validate(doc.data)
    except ValidationError as exc:
        raise doc.validation_error(exc) from exc
    results = response.results
    multichannel = len(results.channels) > 1
    turns: list[ParsedTurn] = []
    if results.utterances:
        for i, utterance in enumerate(results.utterances):
            if utterance.end < utterance.start:
                raise doc.error(
                    ("results", "utterances", i), f"utterance {i} ends before it starts"
                )
            label = _label(utterance.speaker, utterance.channel, multichannel)
            turns.append(
                ParsedTurn(
                    speaker=label or UNKNOWN_SPEAKER,
                    text=" ".join(utterance.transcript.split()),
                    start=utterance.start,
                    end=utterance.end,
                )
            )
    else:
        words: list[Word] = []
        for c, channel in enumerate(results.channels):
            if not channel.alternatives:
                raise doc.error(("results", "channels", c), f"channel {c} has no alternatives")
            for w in channel.alternatives[0].words:
                words.append(
                    Word(
                        text=w.punctuated_word or w.word,
                        start=w.start,
                        end=w.end,
                        speaker=_label(w.speaker, c, multichannel),
                    )
                )
        turns = words_to_turns(words)
    if not turns:
        raise ParseError(path, doc.line_at(("results",)), "no speech: no utterances and no words")
    duration = response.metadata.duration if response.metadata else None
    return single_call(path, turns, NAME, duration_s=duration)


def _sniff(path: Path, head: str) -> bool:
    return (
        looks_like_json(head)
        and '"results"' in head
        and ('"channels"' in head or '"utterances"' in head)
    )


FORMAT = TranscriptFormat(
    name=NAME,
    summary="Deepgram JSON: results.utterances, or channels/alternatives/words with speakers",
    extensions=(".json",),
    sniff=_sniff,
    read=read,
)
