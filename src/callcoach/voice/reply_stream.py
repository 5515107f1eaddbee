"""The reply to one spoken turn as a stream of JSON lines: the contract voice.js reads.

A voice route transcribes the posted recording first (a VoiceError there is an HTTP 4xx with
`{"detail": message}`, before any stream starts), then answers 200 with
`application/x-ndjson`, one JSON object a line, flushed as each is ready:

    {"event": "heard", "text": "<what the speaker said>"}
    {"event": "reply", "text": "<the whole reply>"}
    {"event": "audio", "index": 0, "text": "<first sentence>", "media_type": "audio/wav",
     "duration_s": 2.1, "audio": "<base64 of the file>"}
    ... one "audio" line per sentence, in order ...
    {"event": "done", "sentences": 3}

When nothing is said back (the offline prospect found no reply that fits), "reply" is replaced
by `{"event": "note", "text": "<why nothing was said>", "code": "<its name or null>"}`, then `{"event": "done", "sentences": 0}`:
the note is shown, never spoken in the persona's voice (it is not a line of theirs).

Or, if speaking fails part-way, `{"event": "error", "message": "..."}` as the last line.

Why this shape: the first sentence's audio leaves as soon as it is synthesised (the browser
starts playing it while the next is made), the words heard show before the reply is even
chosen, and it is one request with no state kept on the server. Base64 in JSON costs a third
more bytes than raw audio, a few hundred kilobytes a reply on a local network; in exchange the
browser needs no multipart parser, and it plays the audio with the Web Audio API, which the
app's Content-Security-Policy (`media-src 'self'`, no `blob:`) allows.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from callcoach.voice.errors import VoiceError
from callcoach.voice.ports import SynthesizedAudio, TextToSpeech
from callcoach.voice.sentences import split_sentences

REPLY_STREAM_MEDIA_TYPE = "application/x-ndjson"


@dataclass(frozen=True)
class Unspoken:
    """A turn answered with silence, and why (shown to the speaker, not spoken); `code` names
    the reason for a page that can show it again after a reload."""

    note: str
    code: str | None = None


@dataclass(frozen=True)
class SpokenSentence:
    index: int
    text: str
    audio: SynthesizedAudio


def spoken_sentences(tts: TextToSpeech, text: str) -> Iterator[SpokenSentence]:
    """Each sentence of `text` spoken, one at a time, so the first can play before the rest."""
    for index, sentence in enumerate(split_sentences(text)):
        yield SpokenSentence(index, sentence, tts.synthesize(sentence))


def reply_events(
    heard: str, make_reply: Callable[[], str | Unspoken], tts: TextToSpeech
) -> Iterator[dict[str, Any]]:
    """The events of the contract above. `make_reply` runs after "heard" has been sent."""
    yield {"event": "heard", "text": heard}
    reply = make_reply()
    if isinstance(reply, Unspoken):
        yield {"event": "note", "text": reply.note, "code": reply.code}
        yield {"event": "done", "sentences": 0}
        return
    yield {"event": "reply", "text": reply}
    count = 0
    try:
        for sentence in spoken_sentences(tts, reply):
            count += 1
            yield {
                "event": "audio",
                "index": sentence.index,
                "text": sentence.text,
                "media_type": sentence.audio.media_type,
                "duration_s": round(sentence.audio.duration_s, 3),
                "audio": base64.b64encode(sentence.audio.data).decode("ascii"),
            }
    except VoiceError as exc:
        yield {"event": "error", "message": exc.message}
        return
    yield {"event": "done", "sentences": count}


def json_lines(events: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """Each event as one line of JSON, ready to write to the response as it comes."""
    for event in events:
        yield (json.dumps(event, ensure_ascii=False) + "\n").encode("utf-8")
