"""Review rehearsals over HTTP on a real app and store: the manager starts one from the review
page, says lines (typed, or spoken to the voice route: transcribed by the bundled Whisper, the
persona's answer streamed back as text and speech), ends and is scored (the embedded scorer) and
debriefed, retries; every route refuses the rep, another team's manager and another manager of
the same team ("not found"), and the rep's own review page never shows that a rehearsal
exists."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from callcoach.bootstrap import Container
from callcoach.domain.access import SYSTEM
from callcoach.services.accounts.users import add_user
from callcoach.services.rehearsals.session import show_rehearsal
from callcoach.services.reviews import lifecycle
from callcoach.services.reviews.prepare import prepare_review
from callcoach.settings import Settings
from callcoach.store.db import Database
from callcoach.store.uow import Store
from callcoach.voice.text_to_speech import EspeakTextToSpeech
from callcoach.web.app import create_app
from tests.audio_helpers import silent_wav
from tests.e2e.test_web_reviews import AS_OF
from tests.e2e.web_client import page_csrf, post_recording, signed_in
from tests.e2e.web_org import PASSWORD, RUBRIC, build_small_org

SELF = {
    "output": {"rating": 5, "words": "I hit my number and then some."},
    "activity": {"rating": 3, "words": "About as busy as everyone."},
    "skill": {"rating": 5, "words": "My discovery questions are the best on the team."},
    "growth": {"rating": 3, "words": "I kept learning."},
}


class Web(NamedTuple):
    app: FastAPI
    mia: TestClient
    review: int
    store: Store


def review_to_rehearse(store: Store) -> int:
    """The small org, a second East manager (max), and Ana's review, self-assessed and shared:
    mia (her manager) may rehearse it."""
    build_small_org(store, calls_per_rep=6)
    add_user(store, "max", "manager", PASSWORD, teams=["East"])
    review = prepare_review(
        store,
        "Ana Alvarez",
        rubric=RUBRIC,
        as_of=AS_OF,
        viewer=SYSTEM,
        settings=Settings(db=store.database.url, review_window_days=120),
        preferred_scorer="fake",
    ).review_id
    lifecycle.self_assess(store, review, SELF, SYSTEM)
    lifecycle.share(store, review, SYSTEM)
    return review


@pytest.fixture
def web(tmp_path: Path) -> Iterator[Web]:
    database = Database(str(tmp_path / "web.db"))
    database.migrate()
    store = Store(database)
    review = review_to_rehearse(store)
    settings = Settings(db=store.database.url, scorer="embedded", workers=1)
    app = create_app(Container(settings=settings, store=store))
    yield Web(app, signed_in(app, "mia"), review, store)
    store.close()


def _post(client: TestClient, path: str, data: dict[str, str] | None = None) -> int:
    token = page_csrf(client)
    response = client.post(path, data={"csrf_token": token, **(data or {})}, follow_redirects=False)
    return response.status_code


def test_the_manager_rehearses_is_scored_debriefed_and_retries(web: Web) -> None:
    mia, review = web.mia, web.review
    page = mia.get(f"/reviews/{review}").text
    assert f'action="/reviews/{review}/rehearsals"' in page
    token = page_csrf(mia, f"/reviews/{review}")
    started = mia.post(
        f"/reviews/{review}/rehearsals", data={"csrf_token": token}, follow_redirects=False
    )
    assert started.status_code == 303, started.text[-1500:]
    path = started.headers["location"].split("#")[0]
    session = int(path.rsplit("/", 1)[1])
    page = mia.get(path).text
    assert "Disputes <strong>skill</strong>" in page and "Ana Alvarez never does" in page
    lines = [
        "Before I share anything, how do you think the last two months went?",
        "Tell me more about your skill, why a five?",
        "What would you like to work on first?",
        "So two practice sessions, and we meet again on the 14th of July.",
    ]
    for line in lines:
        assert _post(mia, f"{path}/say", {"line": line}) == 303
    page = mia.get(path).text
    assert "My discovery questions are the best on the team." in page  # the rep's own words
    assert "self-assessment, skill" in page
    assert _post(mia, f"{path}/say", {"line": "   "}) == 400  # an empty line is refused
    assert _post(mia, f"{path}/finish", {"judgement": "Felt fine"}) == 303
    page = mia.get(path).text
    assert 'id="result"' in page and "opens with self assessment" in page
    assert 'data-topic="opening"' in page and "You said: Felt fine" in page
    assert 'line 1: "Before I share anything, how do you think' in page  # the debrief cites it
    assert _post(mia, f"{path}/retry") == 303
    page = mia.get(path).text
    assert 'id="attempt-1"' in page and 'id="attempt-2"' in page
    assert f'action="{path}/say"' in page
    assert f'href="/rehearsals/{session}"' in mia.get(f"/reviews/{review}").text


def test_every_rehearsal_route_refuses_everyone_but_the_manager_and_admins(web: Web) -> None:
    app, mia, review, store = web
    token = page_csrf(mia, f"/reviews/{review}")
    path = (
        mia.post(
            f"/reviews/{review}/rehearsals", data={"csrf_token": token}, follow_redirects=False
        )
        .headers["location"]
        .split("#")[0]
    )
    assert _post(mia, f"{path}/say", {"line": "How do you think it went?"}) == 303
    session = int(path.rsplit("/", 1)[1])
    for user in ("ana", "cara", "wes", "max"):
        client = signed_in(app, user)
        assert client.get(path).status_code == 404, user
        assert _post(client, f"{path}/say", {"line": "Hello"}) == 404, user
        assert _post(client, f"{path}/finish") == 404, user
        assert _post(client, f"{path}/retry") == 404, user
        # a spoken line too: refused before the recording is even transcribed
        spoken = post_recording(client, f"{path}/voice", silent_wav())
        assert spoken.status_code == 404, user
        assert spoken.json() == {"detail": f"no rehearsal {session}"}, user
        # nor through the practice pages, which read every other session
        assert client.get(f"/practice/sessions/{session}").status_code == 404, user
        assert _post(client, f"/practice/sessions/{session}/turn", {"text": "Hi"}) == 404, user
    for user in ("ana", "cara", "wes"):  # max manages East: he may rehearse it himself
        assert _post(signed_in(app, user), f"/reviews/{review}/rehearsals") == 404, user
    ana_page = signed_in(app, "ana").get(f"/reviews/{review}").text
    assert 'id="ratings"' in ana_page  # she reads her shared review...
    assert "ehears" not in ana_page  # ...and nothing of a rehearsal
    admin = signed_in(app, "admin")
    assert admin.get(path).status_code == 200
    with store.unit_of_work() as uow:
        actions = [e.action for e in uow.audit.recent(50, action_prefix="rehearsal.")]
    assert "rehearsal.start" in actions and "rehearsal.view" in actions


def _started(web: Web) -> str:
    token = page_csrf(web.mia, f"/reviews/{web.review}")
    started = web.mia.post(
        f"/reviews/{web.review}/rehearsals", data={"csrf_token": token}, follow_redirects=False
    )
    assert started.status_code == 303, started.text[-1500:]
    return str(started.headers["location"].split("#")[0])


def test_a_spoken_line_that_cannot_be_used_gets_a_clear_error_and_changes_nothing(
    web: Web,
) -> None:
    path = _started(web)
    silent = post_recording(web.mia, f"{path}/voice", silent_wav(2.0))
    assert silent.status_code == 400
    assert silent.json()["detail"].startswith("the recording is silent: check that the microphone")
    empty = post_recording(web.mia, f"{path}/voice", b"")
    assert empty.status_code == 400
    assert empty.json() == {"detail": "no audio was received: the recording is empty"}
    unreadable = post_recording(web.mia, f"{path}/voice", b"not audio at all", "audio/webm")
    assert unreadable.status_code == 400
    assert "the recording cannot be used" in unreadable.json()["detail"]
    session = int(path.rsplit("/", 1)[1])
    assert show_rehearsal(web.store, session).attempts[0].turns == ()
    # An ended attempt is refused before the recording is transcribed, with what to do instead.
    assert _post(web.mia, f"{path}/say", {"line": "How do you think it went?"}) == 303
    assert _post(web.mia, f"{path}/finish") == 303
    ended = post_recording(web.mia, f"{path}/voice", silent_wav())
    assert ended.status_code == 400
    assert "retry to rehearse the review again" in ended.json()["detail"]


@pytest.mark.slow
def test_a_spoken_line_is_answered_aloud_in_the_persona_voice_and_kept(
    web: Web, tmp_path: Path
) -> None:
    from tests.audio_helpers import normalise, require_tools, speak

    require_tools()
    recording = tmp_path / "line.wav"
    speak("How do you think the last two months went for you?", "en-us", recording)
    path = _started(web)
    page = web.mia.get(path).text
    assert f'data-voice-url="{path}/voice"' in page and "/static/voice.js" in page
    answer = post_recording(web.mia, f"{path}/voice", recording.read_bytes())
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    events = [json.loads(line) for line in answer.text.splitlines()]
    kinds = [e["event"] for e in events]
    assert kinds[:2] == ["heard", "reply"] and kinds[-1] == "done", kinds
    heard, reply = events[0]["text"], events[1]["text"]
    assert {"think", "months"} <= set(normalise(heard)), heard
    # Asked how they see the period, the persona answers with the rep's self-assessment.
    assert any(words["words"] in reply for words in SELF.values()), reply
    audio = [e for e in events if e["event"] == "audio"]
    assert audio and audio[0]["media_type"] == "audio/wav"
    assert all(a["text"] in reply for a in audio)  # the reply, sentence by sentence
    # Spoken in the persona's voice (CALLCOACH_REHEARSAL_TTS_VOICE), not the prospect's.
    settings = Settings()
    assert settings.rehearsal_tts_voice != settings.tts_voice
    first = audio[0]["text"]
    persona = EspeakTextToSpeech(settings.rehearsal_tts_voice, settings.tts_rate)
    prospect = EspeakTextToSpeech(settings.tts_voice, settings.tts_rate)
    sent = base64.b64decode(audio[0]["audio"])
    assert sent == persona.synthesize(first).data != prospect.synthesize(first).data
    # Kept as the manager's line and the persona's answer, both marked as spoken.
    session = int(path.rsplit("/", 1)[1])
    turns = show_rehearsal(web.store, session).attempts[0].turns
    assert [(t.speaker.value, t.via.value, t.text) for t in turns] == [
        ("practitioner", "voice", heard),
        ("persona", "voice", reply),
    ]
    assert heard in web.mia.get(path).text
