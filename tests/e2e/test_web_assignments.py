"""Practice assignments over HTTP on a real app and store: a manager assigns from the rep's page,
the rep sees it on their own page with its progress; a rep cannot assign and another team's
manager cannot reach the rep."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI

from callcoach.store.db import Database
from callcoach.store.uow import Store
from tests.e2e.web_client import app_on, page_csrf, signed_in
from tests.e2e.web_org import build_small_org

DUE = (date.today() + timedelta(days=10)).isoformat()
FORM = {
    "rubric_id": "one-call-close",
    "criterion_id": "objection_handling",
    "sessions": "2",
    "due": DUE,
    "note": "the budget objection",
}


@pytest.fixture
def app(tmp_path: Path) -> Iterator[FastAPI]:
    database = Database(str(tmp_path / "web.db"))
    database.migrate()
    store = Store(database)
    build_small_org(store, calls_per_rep=3)
    yield app_on(store)
    store.close()


def test_a_manager_assigns_and_the_rep_sees_it_on_their_page(app: FastAPI) -> None:
    mia = signed_in(app, "mia")
    page = mia.get("/reps/Ana Alvarez").text
    assert 'action="/reps/Ana%20Alvarez/assignments"' in page and "No practice assigned." in page
    token = page_csrf(mia, "/reps/Ana Alvarez")
    sent = mia.post(
        "/reps/Ana Alvarez/assignments", data={"csrf_token": token, **FORM}, follow_redirects=False
    )
    assert sent.status_code == 303 and sent.headers["location"].endswith("#assignments")
    ana = signed_in(app, "ana").get("/reps/Ana Alvarez").text
    assert "objection_handling" in ana and "the budget objection" in ana
    assert "0 / 2" in ana and DUE in ana and 'data-status="open"' in ana
    assert 'action="/reps/Ana%20Alvarez/assignments"' not in ana  # a rep has no assign form
    bad = mia.post(
        "/reps/Ana Alvarez/assignments",
        data={"csrf_token": token, **FORM, "sessions": "0"},
        follow_redirects=False,
    )
    assert bad.status_code == 400 and "sessions must be between 1 and 20" in bad.text


def test_a_rep_cannot_assign_and_another_teams_manager_cannot_reach_the_rep(
    app: FastAPI,
) -> None:
    for user, status in (("ana", 403), ("cara", 403), ("wes", 404)):
        client = signed_in(app, user)
        token = page_csrf(client)
        sent = client.post(
            "/reps/Ana Alvarez/assignments",
            data={"csrf_token": token, **FORM},
            follow_redirects=False,
        )
        assert sent.status_code == status, (user, sent.text[-300:])
    assert "No practice assigned." in signed_in(app, "mia").get("/reps/Ana Alvarez").text
