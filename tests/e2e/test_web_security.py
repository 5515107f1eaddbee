"""Sign-in, sessions, CSRF, rate limiting, API tokens and the audit trail, over HTTP."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from callcoach.services.accounts.tokens import create_token
from callcoach.services.accounts.users import MAX_LOGIN_FAILURES, audit_log
from callcoach.services.calls.review import review_call
from callcoach.store.uow import Store
from tests.e2e.web_client import app_on, csrf_of, page_csrf, signed_in
from tests.e2e.web_org import PASSWORD, build_small_org


@pytest.fixture
def app(sqlite_store: Store) -> Iterator[FastAPI]:
    build_small_org(sqlite_store)
    yield app_on(sqlite_store)


def test_session_cookie_is_opaque_httponly_and_samesite(app: FastAPI) -> None:
    client = TestClient(app)
    login = client.get("/login")
    token = csrf_of(login.text)
    response = client.post(
        "/login",
        data={"username": "mia", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http here; https requests get Secure
    https = TestClient(app, base_url="https://testserver").get("/login").headers["set-cookie"]
    assert "Secure" in https
    # The cookie is a random id that says nothing about the user; the server keeps its hash.
    value = client.cookies.get("callcoach_session")
    assert value and len(value) >= 43 and "mia" not in value
    with app.state.container.store.unit_of_work() as uow:
        stored = uow.session.execute(text("SELECT token_hash FROM web_sessions")).scalars().all()
    assert stored == [hashlib.sha256(value.encode()).hexdigest()]
    # A tampered cookie is no session at all.
    forged = TestClient(app, cookies={"callcoach_session": value[:-3] + "abc"})
    assert forged.get("/calls", follow_redirects=False).status_code == 303


def test_forms_and_session_api_calls_need_the_csrf_token(app: FastAPI) -> None:
    client = signed_in(app, "mia")
    form = {"rubric_id": "one-call-close", "criterion_id": "discovery", "level": "4"}
    assert client.post("/calls/ana-1/override", data=form).status_code == 403
    wrong = client.post("/calls/ana-1/override", data={**form, "csrf_token": "forged"})
    assert wrong.status_code == 403
    assert client.post("/logout").status_code == 403
    api = {"rubric_id": "one-call-close", "criterion_id": "discovery", "level": 4}
    assert client.post("/api/v1/calls/ana-1/overrides", json=api).status_code == 403
    # Nothing was written by the refused requests.
    assert not review_call(app.state.container.store, "ana-1").ratings
    ok = client.post(
        "/calls/ana-1/override",
        data={**form, "csrf_token": page_csrf(client)},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    # Sign-in itself is protected too (no login CSRF).
    fresh = TestClient(app)
    fresh.get("/login")
    assert fresh.post("/login", data={"username": "mia", "password": PASSWORD}).status_code == 403


def test_login_is_rate_limited_per_username_and_client(app: FastAPI) -> None:
    client = TestClient(app)
    token = csrf_of(client.get("/login").text)
    for _ in range(MAX_LOGIN_FAILURES):
        bad = client.post(
            "/login", data={"username": "mia", "password": "wrong password", "csrf_token": token}
        )
        assert bad.status_code == 401
        assert "wrong username or password" in bad.text
    blocked = client.post(
        "/login", data={"username": "mia", "password": PASSWORD, "csrf_token": token}
    )
    assert blocked.status_code == 429
    assert "too many failed sign-ins" in blocked.text
    assert int(blocked.headers["retry-after"]) > 0
    # Another account from the same client is not locked out.
    other = client.post(
        "/login",
        data={"username": "wes", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert other.status_code == 303


def test_unknown_user_and_wrong_password_read_the_same(app: FastAPI) -> None:
    client = TestClient(app)
    token = csrf_of(client.get("/login").text)
    unknown = client.post(
        "/login", data={"username": "nobody", "password": "x" * 12, "csrf_token": token}
    )
    wrong = client.post(
        "/login", data={"username": "mia", "password": "x" * 12, "csrf_token": token}
    )
    assert unknown.status_code == wrong.status_code == 401
    assert (
        "wrong username or password" in unknown.text and "wrong username or password" in wrong.text
    )


def test_logout_ends_the_session(app: FastAPI) -> None:
    client = signed_in(app, "mia")
    assert client.get("/calls", follow_redirects=False).status_code == 200
    client.post("/logout", data={"csrf_token": page_csrf(client)})
    assert client.get("/calls", follow_redirects=False).status_code == 303


def test_api_tokens_see_what_their_owner_sees_and_stop_when_revoked(app: FastAPI) -> None:
    store = app.state.container.store
    _, token = create_token(store, "ana", "script", scope="write")
    api = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    calls = api.get("/api/v1/calls").json()
    assert {c["rep"] for c in calls["items"]} == {"Ana Alvarez"}
    assert api.get("/api/v1/calls/cara-1").status_code == 404
    # Bearer requests carry no cookie, so they need no CSRF token; roles still apply.
    refused = api.post(
        "/api/v1/calls/ana-1/overrides",
        json={"rubric_id": "one-call-close", "criterion_id": "discovery", "level": 5},
    )
    assert refused.status_code == 403

    client = signed_in(app, "ana")
    account = client.get("/account")
    assert "script" in account.text
    token_id = store_token_id(store, "ana")
    client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_of(account.text)})
    assert api.get("/api/v1/calls").status_code == 401


def store_token_id(store: Store, username: str) -> int:
    from callcoach.services.accounts.tokens import list_tokens

    return next(t.id for t in list_tokens(store, username) if not t.revoked)


def test_a_manager_token_can_override_and_the_override_is_audited(app: FastAPI) -> None:
    store = app.state.container.store
    _, token = create_token(store, "mia", "ci", scope="write")
    api = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    before = api.get("/api/v1/calls/ana-1").json()
    machine = next(s for s in before["scores"] if s["rubric_id"] == "one-call-close")
    level = next(c["level"] for c in machine["criteria"] if c["id"] == "discovery")
    new_level = 5 if level != 5 else 1
    response = api.post(
        "/api/v1/calls/ana-1/overrides",
        json={
            "rubric_id": "one-call-close",
            "criterion_id": "discovery",
            "level": new_level,
            "note": "asked three layered questions",
        },
    )
    assert response.status_code == 201
    after = api.get("/api/v1/calls/ana-1").json()
    override = [r for r in after["ratings"] if r["source"] == "override"]
    assert [(r["rater"], r["level"], r["note"]) for r in override] == [
        ("mia", new_level, "asked three layered questions")
    ]
    assert override[0]["created_at"]
    # The machine score stays as it was.
    assert after["scores"] == before["scores"]
    entry = audit_log(store, action_prefix="score.")[0]
    assert entry.actor == "mia" and entry.action == "score.override"
    assert entry.target == "ana-1 one-call-close/discovery"
    assert entry.detail["level"] == new_level and entry.detail["machine_level"] == level


def test_user_changes_and_rubric_versions_are_audited(app: FastAPI) -> None:
    store = app.state.container.store
    admin = signed_in(app, "admin")
    csrf = page_csrf(admin, "/admin/users")
    created = admin.post(
        "/api/v1/users",
        json={
            "username": "nina",
            "role": "manager",
            "password": "a long password",
            "teams": ["West"],
        },
        headers={"X-CSRF-Token": csrf},
    )
    assert created.status_code == 201 and created.json()["teams"] == ["West"]
    admin.post("/admin/users/nina/active", data={"active": "0", "csrf_token": csrf})
    rubric = admin.get("/api/v1/rubrics/one-call-close").json()
    document = rubric["rubric"]
    document["criteria"][0]["description"] += " Including follow-up questions."
    saved = admin.post("/api/v1/rubrics", json=document, headers={"X-CSRF-Token": csrf})
    assert saved.json() == {
        "id": "one-call-close",
        "version": rubric["version"] + 1,
        "new_version": True,
        "warnings": [],
    }
    actions = [(e.actor, e.action, e.target) for e in audit_log(store)]
    assert ("admin", "user.add", "nina") in actions
    assert ("admin", "user.disable", "nina") in actions
    assert ("admin", "rubric.version", f"one-call-close v{rubric['version'] + 1}") in actions
    page = admin.get("/admin/audit").text
    assert "user.disable" in page and "rubric.version" in page
    # The disabled user cannot sign in.
    client = TestClient(app)
    token = csrf_of(client.get("/login").text)
    denied = client.post(
        "/login", data={"username": "nina", "password": "a long password", "csrf_token": token}
    )
    assert denied.status_code == 401


def test_a_password_change_signs_out_other_sessions(app: FastAPI) -> None:
    first = signed_in(app, "wes")
    second = signed_in(app, "wes")
    response = first.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "another long password",
            "confirm_password": "another long password",
            "csrf_token": page_csrf(first),
        },
    )
    assert "Password changed" in response.text
    assert first.get("/calls", follow_redirects=False).status_code == 200
    assert second.get("/calls", follow_redirects=False).status_code == 303


def test_openapi_schema_is_served_and_docs_need_no_network(app: FastAPI) -> None:
    client = TestClient(app)
    schema = client.get("/api/openapi.json").json()
    assert "/api/v1/calls/{call_id}" in schema["paths"]
    assert "CallDetailOut" in schema["components"]["schemas"]
    assert client.get("/docs").status_code == 404  # the CDN-backed docs page is off
    plotly = client.get("/static/plotly.min.js")
    assert plotly.status_code == 200 and len(plotly.content) > 1_000_000
    page = client.get("/login").text
    assert "http://" not in page and "https://" not in page
