"""The two ports of the voice layer: what a practice session needs from speech, and nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class SynthesizedAudio:
    """Spoken text as one file the browser plays (`media_type` says which format)."""

    data: bytes
    media_type: str
    duration_s: float


class SpeechToText(Protocol):
    """One utterance (a browser recording: webm/opus, ogg/opus or wav) to its words.

    Raises VoiceError for empty, silent, unreadable or speechless audio.
    """

    def transcribe(self, audio: bytes) -> str: ...

    def warm_up(self) -> None:
        """Load what the first utterance would otherwise wait for (call it at start-up)."""
        ...


class TextToSpeech(Protocol):
    """Text to audio the browser plays. Raises VoiceError for empty text or a missing voice."""

    def synthesize(self, text: str) -> SynthesizedAudio: ...

    def warm_up(self) -> None:
        """Check the voice works before the first reply needs it (call it at start-up)."""
        ...
