"""Deterministic stand-ins for the two ports, for unit tests of whatever uses speech.

They check their input as the real ones do (empty audio, empty text) and keep what they were
given, so a test can assert on both the result and the call.
"""

from __future__ import annotations

from callcoach.voice.errors import VoiceError, VoiceProblem
from callcoach.voice.ports import SynthesizedAudio
from callcoach.voice.sentences import speakable_text
from callcoach.voice.wav import WAV_MEDIA_TYPE, wav_bytes

FAKE_SAMPLE_RATE = 16_000
FAKE_SECONDS_PER_WORD = 0.4  # 150 words a minute


class FakeSpeechToText:
    """Hears `text` in every non-empty recording, or raises `error` when one is given."""

    def __init__(self, text: str = "", error: VoiceError | None = None) -> None:
        self.text = text
        self.error = error
        self.heard: list[bytes] = []

    def transcribe(self, audio: bytes) -> str:
        self.heard.append(audio)
        if not audio:
            raise VoiceError(VoiceProblem.EMPTY, "no audio was received: the recording is empty")
        if self.error is not None:
            raise self.error
        if not self.text.strip():
            raise VoiceError(VoiceProblem.NO_SPEECH, "no speech was heard in the recording")
        return self.text

    def warm_up(self) -> None:
        return None


class FakeTextToSpeech:
    """Silence as WAV, 0.4 s per word: the shape of real speech, instantly and identically."""

    media_type = WAV_MEDIA_TYPE

    def __init__(self) -> None:
        self.spoken: list[str] = []

    def synthesize(self, text: str) -> SynthesizedAudio:
        spoken = speakable_text(text)
        self.spoken.append(spoken)
        seconds = FAKE_SECONDS_PER_WORD * len(spoken.split())
        frames = round(seconds * FAKE_SAMPLE_RATE)
        data = wav_bytes(b"\x00\x00" * frames, FAKE_SAMPLE_RATE)
        return SynthesizedAudio(data, self.media_type, frames / FAKE_SAMPLE_RATE)

    def warm_up(self) -> None:
        return None
