"""Review rehearsals over HTTP on a real app and store: the manager starts one from the review
page, says lines, ends and is scored (the embedded scorer) and debriefed, retries; every route
refuses the rep, another team's manager and another manager of the same team ("not found"),
and the rep's own review page never shows that a rehearsal exists."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from callcoach.bootstrap import Container
from callcoach.domain.access import SYSTEM
from callcoach.services.accounts.users import add_user
from callcoach.services.reviews import lifecycle
from callcoach.services.reviews.prepare import prepare_review
from callcoach.settings import Settings
from callcoach.store.db import Database
from callcoach.store.uow import Store
from callcoach.web.app import create_app
from tests.e2e.test_web_reviews import AS_OF
from tests.e2e.web_client import page_csrf, signed_in
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


@pytest.fixture
def web(tmp_path: Path) -> Iterator[Web]:
    database = Database(str(tmp_path / "web.db"))
    database.migrate()
    store = Store(database)
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
