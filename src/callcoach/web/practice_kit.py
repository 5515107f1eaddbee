"""The web process's practice kit (the prospect and the scorer), built once per process on first
use and kept on the container (the prospect's reply index is loaded once, not per request), and
a spoken practice turn, which the page and the API answer alike."""

from __future__ import annotations

import threading

from fastapi.responses import StreamingResponse

from callcoach.bootstrap import Container
from callcoach.domain.access import Viewer
from callcoach.domain.practice import TurnVia
from callcoach.services.practice.sessions import PracticeKit, ensure_turn_allowed, take_turn
from callcoach.voice.reply_stream import Unspoken
from callcoach.web.speech import spoken_turn

_LOCK = threading.Lock()


def practice_kit(container: Container) -> PracticeKit:
    with _LOCK:
        kit: PracticeKit | None = container._cache.get("practice_kit")
        if kit is None:
            kit = PracticeKit.build(container.store, container.settings, container.scorer_config())
            container._cache["practice_kit"] = kit
        return kit


async def spoken_practice_turn(
    container: Container, session_id: int, audio: bytes, viewer: Viewer
) -> StreamingResponse:
    """The practitioner's recording as their turn; the prospect's reply as text and speech."""
    ensure_turn_allowed(container.store, session_id, viewer)

    def answer(heard: str) -> str | Unspoken:  # runs in the response's thread (the kit may load)
        outcome = take_turn(practice_kit(container), session_id, heard, viewer, via=TurnVia.VOICE)
        if outcome.reply.text:
            return outcome.reply.text
        # The prospect says nothing: the note says why, shown, not spoken in their voice.
        code = outcome.reply.source.get("by")
        return Unspoken(
            outcome.reply.note or "The prospect has nothing to say to that.",
            code=str(code) if code else None,
        )

    return await spoken_turn(container, audio, answer, voice=container.settings.tts_voice)
