"""The web process's offline speech, and the one way a push-to-talk route answers.

Whisper and each espeak-ng voice are built once per process, on first use, and kept on the
container. `spoken_turn` is every voice route's answer (practice sessions and review
rehearsals): transcribe the posted recording off the event loop, refuse one that cannot be used
with a 400 that says why (before any stream starts), then stream the reply, shown as text and
spoken, by the contract of `callcoach.voice.reply_stream` that static/voice.js reads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from callcoach.bootstrap import Container
from callcoach.services.common import ServiceError
from callcoach.voice.errors import VoiceError
from callcoach.voice.ports import SpeechToText, TextToSpeech
from callcoach.voice.reply_stream import (
    REPLY_STREAM_MEDIA_TYPE,
    Unspoken,
    json_lines,
    reply_events,
)

_LOCK = threading.Lock()


class UnusableRecordingError(ServiceError):
    """A recording that cannot be a turn (empty, silent, no speech, unreadable, too long)."""


def speech_to_text(container: Container) -> SpeechToText:
    """This process's Whisper (the model loads on its first transcription)."""
    with _LOCK:
        stt: SpeechToText | None = container._cache.get("speech_to_text")
        if stt is None:
            from callcoach.voice.speech_to_text import WhisperSpeechToText

            stt = WhisperSpeechToText(container.settings.whisper_model)
            container._cache["speech_to_text"] = stt
        return stt


def text_to_speech(container: Container, voice: str) -> TextToSpeech:
    """This process's espeak-ng speaker with `voice` (one per voice name)."""
    with _LOCK:
        voices: dict[str, TextToSpeech] = container._cache.setdefault("text_to_speech", {})
        tts = voices.get(voice)
        if tts is None:
            from callcoach.voice.text_to_speech import EspeakTextToSpeech

            tts = EspeakTextToSpeech(voice, container.settings.tts_rate)
            voices[voice] = tts
        return tts


def transcribe(container: Container, audio: bytes) -> str:
    """What the speaker said, or UnusableRecordingError saying why the recording cannot be used
    (a missing model or espeak-ng stays a VoiceError: a setup problem, not the speaker's)."""
    try:
        return speech_to_text(container).transcribe(audio)
    except VoiceError as exc:
        if exc.is_users_to_fix:
            raise UnusableRecordingError(exc.message) from None
        raise


async def spoken_turn(
    container: Container, audio: bytes, answer: Callable[[str], str | Unspoken], *, voice: str
) -> StreamingResponse:
    """Transcribe `audio`, then stream: what was heard, `answer(heard)` as text, then spoken in
    `voice` sentence by sentence. `answer` records the turn (it runs once "heard" has gone out) and
    returns the reply, or `Unspoken` when nothing is said back;
    check what it would refuse (scope, a closed attempt) before calling this, so a refused turn
    costs no transcription and gets its 4xx before any stream starts."""
    heard = await run_in_threadpool(transcribe, container, audio)
    tts = text_to_speech(container, voice)

    def events() -> Iterator[dict[str, Any]]:
        try:
            yield from reply_events(heard, lambda: answer(heard), tts)
        except ServiceError as exc:  # refused after the checks (another tab ended the attempt)
            yield {"event": "error", "message": str(exc)}

    return StreamingResponse(json_lines(events()), media_type=REPLY_STREAM_MEDIA_TYPE)
