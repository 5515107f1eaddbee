"""Practice over HTTP: "Practise this moment" on a call page, a text session in the pages and
the API, and role isolation on every route (a rep reaches only their own)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from callcoach.roleplay.encoders import HashedWordEncoder
from callcoach.scoring.registry import ScorerConfig
from callcoach.services.practice.sessions import PracticeKit
from callcoach.store.uow import Store
from tests.audio_helpers import silent_wav
from tests.e2e.web_client import app_on, page_csrf, post_recording, signed_in
from tests.e2e.web_org import build_small_org


@pytest.fixture
def app(sqlite_store: Store) -> Iterator[FastAPI]:
    build_small_org(sqlite_store)
    app = app_on(sqlite_store)
    container = app.state.container
    # The prospect on a hashed-word encoder (a real encoder, not MiniLM: fast in tests).
    container._cache["practice_kit"] = PracticeKit.build(
        sqlite_store, container.settings, ScorerConfig("fake"), encoder=HashedWordEncoder()
    )
    yield app


def test_a_rep_practises_a_moment_from_the_call_page(app: FastAPI) -> None:
    client = signed_in(app, "ana")
    page = client.get("/calls/ana-1")
    assert page.text.count("Practise this moment") >= 1
    token = page_csrf(client, "/calls/ana-1")
    created = client.post(
        "/practice/scenarios",
        data={"csrf_token": token, "call": "ana-1", "criterion": "discovery", "segment": "4"},
        follow_redirects=False,
    )
    assert created.status_code == 303
    scenario_url = created.headers["location"]
    scenario_page = client.get(scenario_url).text
    assert "Your goal (Discovery, level 4)" in scenario_page
    assert "Edit the scenario" not in scenario_page  # only managers edit
    started = client.post(
        f"{scenario_url}/sessions", data={"csrf_token": token}, follow_redirects=False
    )
    session_url = started.headers["location"]
    for line in (
        "What does losing those two days at month end cost your team today?",
        "Who else feels it when the report is late, and what happens to them then?",
    ):
        done = client.post(f"{session_url}/turn", data={"csrf_token": token, "text": line})
        assert done.status_code == 200 and line in done.text
    empty = client.post(f"{session_url}/turn", data={"csrf_token": token, "text": "  "})
    assert empty.status_code == 400 and "the line is empty" in empty.text
    scored = client.post(f"{session_url}/end", data={"csrf_token": token})
    assert "Before you see the score" in scored.text
    assert "Level <strong>" in scored.text
    coached = client.post(f"{session_url}/coach", data={"csrf_token": token, "answer": "a 3"})
    assert "You gave yourself 3" in coached.text and "[line-" in coached.text
    retried = client.post(f"{session_url}/retry", data={"csrf_token": token})
    assert 'id="attempt-2"' in retried.text and 'id="attempt-1"' in retried.text
    assert "data-voice-url" in retried.text and "/static/voice.js" in retried.text
    listed = client.get("/practice").text
    assert scenario_url.rsplit("/", 1)[1] in listed


def test_the_api_runs_a_session_and_refuses_bad_input(app: FastAPI) -> None:
    client = signed_in(app, "ana")
    token = page_csrf(client)
    headers = {"X-CSRF-Token": token}
    assert client.post(
        "/api/v1/practice/scenarios", json={"call": "nope", "criterion": "discovery"},
        headers=headers,
    ).json() == {"detail": "no call 'nope'"}  # fmt: skip
    bad = client.post(
        "/api/v1/practice/scenarios", json={"call": "ana-1", "criterion": "nope"}, headers=headers
    )
    assert bad.status_code == 400 and "no criterion 'nope'" in bad.json()["detail"]
    scenario = client.post(
        "/api/v1/practice/scenarios", json={"call": "ana-1", "criterion": "discovery"},
        headers=headers,
    ).json()  # fmt: skip
    session = client.post(
        f"/api/v1/practice/scenarios/{scenario['id']}/sessions", headers=headers
    ).json()
    base = f"/api/v1/practice/sessions/{session['id']}"
    turn = client.post(f"{base}/turns", json={"text": "What does it cost you?"}, headers=headers)
    assert turn.status_code == 200 and turn.json()["reply"]
    assert all("source" not in t for t in turn.json()["session"]["attempts"][0]["turns"])
    empty = client.post(f"{base}/turns", json={"text": ""}, headers=headers)
    assert empty.status_code == 400 and "the line is empty" in empty.json()["detail"]
    silent = client.post(
        f"{base}/voice", content=silent_wav(), headers={**headers, "Content-Type": "audio/wav"}
    )
    assert silent.status_code == 400 and "the recording is silent" in silent.json()["detail"]
    nothing = client.post(f"{base}/voice", content=b"", headers=headers)
    assert nothing.status_code == 400 and "no audio was received" in nothing.json()["detail"]
    # The page's route, posted to as voice.js does, answers JSON the page can show too.
    page_route = post_recording(client, f"/practice/sessions/{session['id']}/voice", silent_wav())
    assert page_route.status_code == 400
    assert "the recording is silent" in page_route.json()["detail"]


def test_every_practice_route_is_scoped_to_the_viewer(app: FastAPI) -> None:
    ana = signed_in(app, "ana")
    token = page_csrf(ana)
    scenario = ana.post(
        "/api/v1/practice/scenarios", json={"call": "ana-1", "criterion": "discovery"},
        headers={"X-CSRF-Token": token},
    ).json()  # fmt: skip
    session = ana.post(
        f"/api/v1/practice/scenarios/{scenario['id']}/sessions", headers={"X-CSRF-Token": token}
    ).json()
    sid, scid = session["id"], scenario["id"]
    reads = [
        f"/practice/scenarios/{scid}",
        f"/practice/sessions/{sid}",
        f"/api/v1/practice/scenarios/{scid}",
        f"/api/v1/practice/sessions/{sid}",
    ]
    for name in ("cara", "wes"):  # another rep; the manager of another team
        other = signed_in(app, name)
        other_token = page_csrf(other)
        for path in reads:
            assert other.get(path).status_code == 404, (name, path)
        assert other.get("/api/v1/practice/scenarios").json() == []
        assert other.get("/api/v1/practice/sessions").json() == []
        assert "Ana Alvarez" not in other.get("/practice").text
        writes = [
            (f"/api/v1/practice/scenarios/{scid}/sessions", None),
            (f"/api/v1/practice/sessions/{sid}/turns", {"text": "hi"}),
            (f"/api/v1/practice/sessions/{sid}/end", None),
            (f"/api/v1/practice/sessions/{sid}/retry", None),
        ]
        for path, body in writes:
            answer = other.post(path, json=body, headers={"X-CSRF-Token": other_token})
            assert answer.status_code == 404, (name, path)
        patch = other.patch(
            f"/api/v1/practice/scenarios/{scid}", json={"difficulty": 3},
            headers={"X-CSRF-Token": other_token},
        )  # fmt: skip
        assert patch.status_code == 404
        made = other.post(
            "/api/v1/practice/scenarios", json={"call": "ana-1", "criterion": "discovery"},
            headers={"X-CSRF-Token": other_token},
        )  # fmt: skip
        assert made.status_code == 404
    mia = signed_in(app, "mia")  # Ana's manager: reads, edits, but does not type for her
    mia_token = page_csrf(mia)
    for path in reads:
        assert mia.get(path).status_code == 200, path
    assert [s["rep"] for s in mia.get("/api/v1/practice/sessions").json()] == ["Ana Alvarez"]
    typed = mia.post(
        f"/api/v1/practice/sessions/{sid}/turns", json={"text": "hi"},
        headers={"X-CSRF-Token": mia_token},
    )  # fmt: skip
    assert typed.status_code == 403
    edited = mia.patch(
        f"/api/v1/practice/scenarios/{scid}", json={"difficulty": 3},
        headers={"X-CSRF-Token": mia_token},
    )  # fmt: skip
    assert edited.status_code == 200 and edited.json()["difficulty"] == 3
    refused = ana.patch(
        f"/api/v1/practice/scenarios/{scid}", json={"difficulty": 1},
        headers={"X-CSRF-Token": token},
    )  # fmt: skip
    assert refused.status_code == 403


@pytest.mark.slow
def test_a_spoken_turn_is_transcribed_answered_and_kept_as_a_voice_turn(
    app: FastAPI, tmp_path: Path
) -> None:
    from tests.audio_helpers import require_tools, speak

    require_tools()
    recording = tmp_path / "turn.wav"
    speak("What does the late report cost your team every month?", "en-us", recording)
    client = signed_in(app, "ana")
    headers = {"X-CSRF-Token": page_csrf(client)}
    scenario = client.post(
        "/api/v1/practice/scenarios", json={"call": "ana-1", "criterion": "discovery"},
        headers=headers,
    ).json()  # fmt: skip
    session = client.post(
        f"/api/v1/practice/scenarios/{scenario['id']}/sessions", headers=headers
    ).json()
    answer = client.post(
        f"/practice/sessions/{session['id']}/voice",
        content=recording.read_bytes(),
        headers={**headers, "Content-Type": "audio/wav"},
    )
    assert answer.status_code == 200, answer.text
    events = [json.loads(line) for line in answer.text.splitlines()]
    kinds = [e["event"] for e in events]
    assert kinds[0] == "heard" and kinds[1] == "reply" and kinds[-1] == "done"
    assert "report" in events[0]["text"].lower() and events[1]["text"]
    assert "audio" in kinds
    turns = client.get(f"/api/v1/practice/sessions/{session['id']}").json()["attempts"][0]["turns"]
    assert [(t["speaker"], t["via"]) for t in turns] == [
        ("practitioner", "voice"),
        ("persona", "voice"),
    ]
    assert turns[0]["text"] == events[0]["text"] and turns[1]["text"] == events[1]["text"]


def _until_the_prospect_says_nothing(client: TestClient, token: str) -> tuple[dict[str, Any], Any]:
    """A session of Ana's on her first call, turned until no real prospect's reply fits (the
    small org's prospects said only a handful of distinct things, so the prospect runs out of
    replies that do not repeat itself within the turn limit): the session and that page."""
    headers = {"X-CSRF-Token": token}
    scenario = client.post(
        "/api/v1/practice/scenarios",
        json={"call": "ana-1", "criterion": "discovery", "turn_limit": 20},
        headers=headers,
    ).json()
    session = client.post(
        f"/api/v1/practice/scenarios/{scenario['id']}/sessions", headers=headers
    ).json()
    url = f"/practice/sessions/{session['id']}"
    for number in range(15):
        line = f"What does the month end cost your team, question {number}?"
        answer = client.post(f"{url}/turn", data={"csrf_token": token, "text": line})
        assert answer.status_code == 200 and line in answer.text
        if 'id="prospect-silent"' in answer.text:
            return session, answer
    raise AssertionError("the prospect never ran out of fitting replies")


def test_the_page_says_why_the_prospect_says_nothing(app: FastAPI) -> None:
    """When no real prospect's reply fits, the page shows the note (no reply is invented), and
    the API's turn answer carries it."""
    client = signed_in(app, "ana")
    token = page_csrf(client)
    headers = {"X-CSRF-Token": token}
    session, silent = _until_the_prospect_says_nothing(client, token)
    url = f"/practice/sessions/{session['id']}"
    assert "?silent=nothing-fits" in str(silent.url)
    assert "says nothing:</strong> no real prospect&#39;s reply fits" in silent.text
    assert "end the attempt to be scored" in silent.text
    turns = client.get(f"/api/v1/practice/sessions/{session['id']}").json()["attempts"][0]
    assert turns["turns"][-1]["speaker"] == "practitioner"  # no reply was made up
    # The API's turn answer carries the same note.
    more = client.post(
        f"/api/v1/practice/sessions/{session['id']}/turns",
        json={"text": "And what would fixing it be worth to you?"},
        headers=headers,
    )
    assert more.status_code == 200, more.text
    if more.json()["reply"] is None:
        assert "no real prospect's reply fits" in more.json()["note"]
    # Once the prospect answers again (or for a stale link), the note is not shown.
    page = client.get(f"{url}?silent=nothing-fits").text
    shown = 'id="prospect-silent"' in page
    last = client.get(f"/api/v1/practice/sessions/{session['id']}").json()["attempts"][0]
    assert shown == (last["turns"][-1]["speaker"] == "practitioner")
    assert 'id="prospect-silent"' not in client.get(f"{url}?silent=made-up").text


@pytest.mark.slow
def test_a_spoken_turn_the_prospect_cannot_answer_gets_the_note_not_a_voice(
    app: FastAPI, tmp_path: Path
) -> None:
    """By voice, a turn no real reply fits streams the note (with its code, for the page to show
    after the reload), never spoken in the prospect's voice."""
    from tests.audio_helpers import require_tools, speak

    require_tools()
    client = signed_in(app, "ana")
    token = page_csrf(client)
    headers = {"X-CSRF-Token": token}
    session, _ = _until_the_prospect_says_nothing(client, token)
    url = f"/practice/sessions/{session['id']}"
    recording = tmp_path / "turn.wav"
    speak("And what does that cost you every quarter?", "en-us", recording)
    spoken = client.post(
        f"{url}/voice",
        content=recording.read_bytes(),
        headers={**headers, "Content-Type": "audio/wav"},
    )
    assert spoken.status_code == 200, spoken.text
    events = [json.loads(line) for line in spoken.text.splitlines()]
    assert [e["event"] for e in events] == ["heard", "note", "done"]
    assert "no real prospect's reply fits" in events[1]["text"]
    assert events[1]["code"] == "nothing-fits" and events[2]["sentences"] == 0
    turns = client.get(f"/api/v1/practice/sessions/{session['id']}").json()["attempts"][0]
    assert turns["turns"][-1] == {**turns["turns"][-1], "speaker": "practitioner", "via": "voice"}


def test_a_rep_practises_an_assignment_from_their_page_and_no_one_else_can(
    app: FastAPI,
) -> None:
    from callcoach.domain.assignments import TargetKind
    from callcoach.services.assignments.assign import assign

    store = app.state.container.store
    objection = "The price seems high compared to what we pay now."
    given = assign(store, "Ana Alvarez", TargetKind.OBJECTION, objection, rubric="one-call-close")
    ana = signed_in(app, "ana")
    page = ana.get("/reps/Ana Alvarez").text
    assert f'name="assignment" value="{given.id}"' in page and "Practise this</button>" in page
    token = page_csrf(ana, "/reps/Ana Alvarez")
    created = ana.post(
        "/practice/scenarios",
        data={"csrf_token": token, "assignment": str(given.id)},
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    scenario_page = ana.get(created.headers["location"]).text
    assert f"for practice assignment #{given.id} (objection “{objection}”)" in scenario_page
    assert "Your goal (Objection handling depth, level 4)" in scenario_page
    # ana-2 is her lost deal's call: the moment is the price objection there.
    assert "ana-2" in scenario_page and objection in scenario_page

    api = ana.post(
        "/api/v1/practice/scenarios", json={"assignment": given.id},
        headers={"X-CSRF-Token": token},
    )  # fmt: skip
    assert api.status_code == 201 and api.json()["origin"]["objection"] == objection
    unknown = ana.post(
        "/api/v1/practice/scenarios", json={"assignment": 999}, headers={"X-CSRF-Token": token}
    )
    assert unknown.status_code == 404 and unknown.json() == {"detail": "no practice assignment 999"}
    unheard = assign(
        store, "Ana Alvarez", TargetKind.OBJECTION,
        "Legal will never accept storing payroll data abroad.", rubric="one-call-close",
    )  # fmt: skip
    refused = ana.post(
        "/api/v1/practice/scenarios", json={"assignment": unheard.id},
        headers={"X-CSRF-Token": token},
    )  # fmt: skip
    assert refused.status_code == 400
    assert "no prospect in Ana Alvarez's lost deals" in refused.json()["detail"]
    assert "practise a criterion instead" in refused.json()["detail"]

    for name in ("cara", "wes"):  # another rep; the manager of another team
        other = signed_in(app, name)
        other_token = page_csrf(other)
        by_page = other.post(
            "/practice/scenarios",
            data={"csrf_token": other_token, "assignment": str(given.id)},
            follow_redirects=False,
        )
        assert by_page.status_code == 404, (name, by_page.text[-200:])
        by_api = other.post(
            "/api/v1/practice/scenarios", json={"assignment": given.id},
            headers={"X-CSRF-Token": other_token},
        )  # fmt: skip
        assert by_api.status_code == 404 and "no practice assignment" in by_api.json()["detail"]
    mia = signed_in(app, "mia")  # Ana's manager may cut it for her
    made = mia.post(
        "/api/v1/practice/scenarios", json={"assignment": given.id},
        headers={"X-CSRF-Token": page_csrf(mia)},
    )  # fmt: skip
    assert made.status_code == 201 and made.json()["rep"] == "Ana Alvarez"
