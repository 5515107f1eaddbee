"""The web process's practice kit (the prospect and the scorer) and its offline speech, built
once per process on first use and kept on the container: the prospect's reply index and the
Whisper model are loaded once, not per request."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from callcoach.bootstrap import Container
from callcoach.domain.access import Viewer
from callcoach.domain.practice import TurnVia
from callcoach.services.practice.scenarios import PracticeServiceError
from callcoach.services.practice.sessions import PracticeKit, take_turn
from callcoach.voice.errors import VoiceError
from callcoach.voice.reply_stream import json_lines, reply_events

_LOCK = threading.Lock()


def practice_kit(container: Container) -> PracticeKit:
    with _LOCK:
        kit: PracticeKit | None = container._cache.get("practice_kit")
        if kit is None:
            kit = PracticeKit.build(container.store, container.settings, container.scorer_config())
            container._cache["practice_kit"] = kit
        return kit


def speech(container: Container) -> tuple[Any, Any]:
    """(speech to text, text to speech) of this process."""
    with _LOCK:
        pair: tuple[Any, Any] | None = container._cache.get("practice_speech")
        if pair is None:
            from callcoach.voice.speech_to_text import WhisperSpeechToText
            from callcoach.voice.text_to_speech import EspeakTextToSpeech

            settings = container.settings
            pair = (
                WhisperSpeechToText(settings.whisper_model),
                EspeakTextToSpeech(settings.tts_voice, settings.tts_rate),
            )
            container._cache["practice_speech"] = pair
        return pair


def transcribe_turn(container: Container, audio: bytes) -> str:
    """What the practitioner said, or a PracticeServiceError saying why it cannot be used."""
    stt, _ = speech(container)
    try:
        return str(stt.transcribe(audio))
    except VoiceError as exc:
        if exc.is_users_to_fix:
            raise PracticeServiceError(exc.message) from None
        raise


def spoken_reply(
    container: Container, session_id: int, heard: str, viewer: Viewer
) -> Iterator[bytes]:
    """The reply stream of voice.js: heard, the prospect's reply (as text and speech), done."""
    kit = practice_kit(container)
    _, tts = speech(container)

    def make_reply() -> str:
        outcome = take_turn(kit, session_id, heard, viewer, via=TurnVia.VOICE)
        return outcome.reply.text or outcome.reply.note or ""

    return json_lines(reply_events(heard, make_reply, tts))
