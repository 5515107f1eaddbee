"""Issue 13's account acceptance, against a real `callcoach serve` over real HTTP: a cookie
replayed after logout is refused by pages and the API, a session from before a disable stays
dead after re-enabling, a read-only token cannot write, a weak password is refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from callcoach.services.accounts.tokens import create_token
from callcoach.store.db import Database
from callcoach.store.uow import Store
from tests.e2e.live_server import live_server
from tests.e2e.web_org import PASSWORD, build_small_org

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
COOKIE = "callcoach_session"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Store]]:
    database = Database(str(tmp_path / "web.db"))
    database.migrate()
    store = Store(database)
    build_small_org(store, calls_per_rep=2)
    with live_server(tmp_path / "web.db", tmp_path / "server.log") as url:
        yield url, store
    store.close()


def _csrf(client: httpx.Client, path: str) -> str:
    found = _CSRF.search(client.get(path).text)
    assert found, path
    return found.group(1)


def _sign_in(url: str, username: str, password: str = PASSWORD) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=30)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": _csrf(client, "/login")},
    )
    assert response.status_code == 303, response.text
    return client


def _with_cookie(url: str, cookie: str) -> httpx.Client:
    """Another client that only has a copy of the cookie, as one replaying it would."""
    return httpx.Client(base_url=url, cookies={COOKIE: cookie}, timeout=30)


def _refused(url: str, cookie: str) -> None:
    replay = _with_cookie(url, cookie)
    page = replay.get("/calls")
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert replay.get("/api/v1/calls").status_code == 401
    assert replay.get("/account").status_code == 303


def test_replayed_cookies_tokens_and_weak_passwords_against_a_real_server(
    served: tuple[str, Store],
) -> None:
    url, store = served
    # Logout ends the session on the server: a copy of the cookie is refused afterwards.
    mia = _sign_in(url, "mia")
    cookie = mia.cookies[COOKIE]
    assert _with_cookie(url, cookie).get("/api/v1/calls").status_code == 200
    mia.post("/logout", data={"csrf_token": _csrf(mia, "/account")})
    _refused(url, cookie)

    # Disabling ends wes's session; re-enabling does not bring it back.
    wes = _sign_in(url, "wes")
    cookie = wes.cookies[COOKIE]
    admin = _sign_in(url, "admin")
    csrf = _csrf(admin, "/admin/users")
    admin.post("/admin/users/wes/active", data={"active": "0", "csrf_token": csrf})
    _refused(url, cookie)
    admin.post("/admin/users/wes/active", data={"active": "1", "csrf_token": csrf})
    _refused(url, cookie)
    assert _sign_in(url, "wes").get("/calls").status_code == 200

    # A read-only token reads, and cannot write.
    _, token = create_token(store, "mia", "dashboard", scope="read")
    api = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert api.get("/api/v1/calls").status_code == 200
    override = {"rubric_id": "one-call-close", "criterion_id": "discovery", "level": 2}
    refused = api.post("/api/v1/calls/ana-1/overrides", json=override)
    assert refused.status_code == 403 and "read-only" in refused.json()["detail"]
    assert not api.get("/api/v1/calls/ana-1").json()["ratings"]

    # A weak password is refused, with the estimator's reason.
    weak = admin.post(
        "/api/v1/users",
        json={"username": "nina", "role": "rep", "password": "Password123!", "rep": "Dev Desai"},
        headers={"X-CSRF-Token": csrf},
    )
    assert weak.status_code == 400
    assert "commonly used password" in weak.json()["detail"]
