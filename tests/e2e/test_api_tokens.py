"""Scoped, expiring API tokens over HTTP: a read-only token can call no route that changes
anything (every API route, taken from the app's router list), an expired token gets 401, and
the account page creates, shows and revokes them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import text

from callcoach.services.accounts.tokens import create_token, list_tokens, parse_expiry
from callcoach.services.common import ServiceError
from callcoach.store.uow import Store
from callcoach.web import api
from tests.e2e.web_client import app_on, page_csrf, signed_in
from tests.e2e.web_org import build_small_org

SAFE = {"GET", "HEAD", "OPTIONS"}
OVERRIDE = {"rubric_id": "one-call-close", "criterion_id": "discovery", "level": 4}


def _api(app: FastAPI, token: str) -> TestClient:
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def _write_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every API route that is not a read, from the app's list of API routers; checked against
    the OpenAPI schema so that a route added outside that list is caught too."""
    routes = []
    for router in api.ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            for method in sorted(route.methods - SAFE):
                routes.append((method, re.sub(r":\w+\}", "}", route.path)))
    documented = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
        if path.startswith("/api/") and method.upper() not in SAFE
    }
    assert documented == set(routes)
    # Path parameters get a plausible value: the refusal must not depend on it.
    return [(method, re.sub(r"\{[^}]+\}", "ana-1", path)) for method, path in routes]


@pytest.fixture
def app(sqlite_store: Store) -> FastAPI:
    build_small_org(sqlite_store, calls_per_rep=1)
    return app_on(sqlite_store)


def test_a_read_only_token_cannot_call_any_write_route(app: FastAPI) -> None:
    store = app.state.container.store
    # An administrator's token: its owner may call every route, so only the scope refuses.
    _, token = create_token(store, "admin", "dashboard", scope="read")
    api = _api(app, token)
    routes = _write_routes(app)
    assert len(routes) >= 15, routes  # overrides, rubrics, imports, users, jobs, reviews ...
    with store.unit_of_work() as uow:
        audited_before = uow.session.execute(text("SELECT count(*) FROM audit_log")).scalar()
    for method, path in routes:
        response = api.request(method, path, json={})
        assert response.status_code == 403, (method, path, response.status_code, response.text)
        assert "read-only" in response.json()["detail"]
    with store.unit_of_work() as uow:
        audited_after = uow.session.execute(text("SELECT count(*) FROM audit_log")).scalar()
    assert audited_after == audited_before  # nothing was written
    # It still reads everything its owner may see.
    assert api.get("/api/v1/calls").status_code == 200
    assert api.get("/api/v1/users").status_code == 200
    # A read-write token of the same owner can write.
    _, writer = create_token(store, "admin", "automation", scope="write")
    assert _api(app, writer).post("/api/v1/calls/ana-1/overrides", json=OVERRIDE).status_code == 201


def test_an_expired_token_gets_401_and_a_revoked_one_too(app: FastAPI) -> None:
    store = app.state.container.store
    stored, token = create_token(
        store, "mia", "weekly", scope="write", expires_at=parse_expiry("30d")
    )
    api = _api(app, token)
    assert api.get("/api/v1/calls").status_code == 200
    with store.unit_of_work() as uow:
        uow.session.execute(
            text("UPDATE api_tokens SET expires_at = :at WHERE id = :id"),
            {"at": datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=1), "id": stored.id},
        )
    for response in (
        api.get("/api/v1/calls"),
        api.post("/api/v1/calls/ana-1/overrides", json=OVERRIDE),
    ):
        assert response.status_code == 401
        assert "expired" in response.json()["detail"]
        assert response.headers["www-authenticate"] == "Bearer"
    _, other = create_token(store, "mia", "other")
    from callcoach.services.accounts.tokens import revoke_token

    revoke_token(store, "mia", "other")
    assert _api(app, other).get("/api/v1/calls").status_code == 401
    assert _api(app, "cc_not-a-token").get("/api/v1/calls").status_code == 401


def test_expiry_and_scope_are_checked_when_a_token_is_made(app: FastAPI) -> None:
    store = app.state.container.store
    with pytest.raises(ServiceError, match="in the past"):
        parse_expiry("2020-01-01")
    with pytest.raises(ServiceError, match=r"a date .* or a duration"):
        parse_expiry("next week")
    with pytest.raises(ServiceError, match="unknown token scope"):
        create_token(store, "mia", "x", scope="admin")
    now = datetime(2026, 12, 7, 12, 0)
    assert parse_expiry("2027-01-31", now) == datetime(2027, 2, 1)  # through the end of that day
    assert parse_expiry("12h", now) == now + timedelta(hours=12)
    assert parse_expiry("", now) is None


def test_the_account_page_creates_shows_and_revokes_scoped_tokens(app: FastAPI) -> None:
    store = app.state.container.store
    mia = signed_in(app, "mia")
    expires = (datetime.now(UTC) + timedelta(days=10)).date().isoformat()
    created = mia.post(
        "/account/tokens",
        data={
            "name": "reporting",
            "scope": "read",
            "expires": expires,
            "csrf_token": page_csrf(mia),
        },
    )
    assert created.status_code == 200
    token = re.search(r'id="new-token">([^<]+)<', created.text)
    assert token
    api = _api(app, token.group(1))
    assert api.get("/api/v1/calls").status_code == 200
    assert api.post("/api/v1/calls/ana-1/overrides", json=OVERRIDE).status_code == 403
    page = mia.get("/account").text
    row = re.search(r"<tr><td>reporting</td>(.*?)</tr>", page, re.S)
    assert row
    assert "read-only" in row.group(1) and f"end of {expires} UTC" in row.group(1)
    assert "never" not in row.group(1)  # it has been used: last used shows the time
    (stored,) = list_tokens(store, "mia")
    assert stored.scope == "read" and stored.last_used_at is not None
    bad = mia.post(
        "/account/tokens",
        data={"name": "x", "scope": "read", "expires": "2001-01-01", "csrf_token": page_csrf(mia)},
    )
    assert bad.status_code == 400 and "in the past" in bad.text
    mia.post(f"/account/tokens/{stored.id}/revoke", data={"csrf_token": page_csrf(mia)})
    assert api.get("/api/v1/calls").status_code == 401
    assert "revoked" in mia.get("/account").text
