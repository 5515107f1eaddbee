"""Server-side sessions over HTTP: sign-out, disable, timeouts, the session list, sign out
everywhere. A cookie the server has ended is refused by pages and by the API alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from callcoach.services.accounts.users import audit_log
from callcoach.store.uow import Store
from tests.e2e.web_client import app_on, csrf_of, page_csrf, signed_in
from tests.e2e.web_org import build_small_org

COOKIE = "callcoach_session"


def _replay(app: FastAPI, cookie: str) -> TestClient:
    """A different client sending a copied cookie, as an attacker replaying it would."""
    return TestClient(app, cookies={COOKIE: cookie})


def _refused(app: FastAPI, cookie: str) -> bool:
    client = _replay(app, cookie)
    page = client.get("/calls", follow_redirects=False)
    api = client.get("/api/v1/calls")
    return (
        page.status_code == 303
        and page.headers["location"].startswith("/login")
        and (api.status_code == 401)
    )


def _accepted(app: FastAPI, cookie: str) -> bool:
    client = _replay(app, cookie)
    return (
        client.get("/calls", follow_redirects=False).status_code == 200
        and client.get("/api/v1/calls").status_code == 200
    )


def _cookie(client: TestClient) -> str:
    value = client.cookies.get(COOKIE)
    assert value
    return value


def _age_sessions(store: Store, *, created: timedelta, seen: timedelta) -> None:
    """Move every session's sign-in and last request into the past (the clock is the server's)."""
    with store.unit_of_work() as uow:
        uow.session.execute(
            text(
                "UPDATE web_sessions SET created_at = :created, last_seen_at = :seen "
                "WHERE ended_at IS NULL"
            ),
            {
                "created": _utc_now() - created,
                "seen": _utc_now() - seen,
            },
        )


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def test_a_cookie_replayed_after_logout_is_refused(sqlite_store: Store) -> None:
    build_small_org(sqlite_store, calls_per_rep=1)
    app = app_on(sqlite_store)
    client = signed_in(app, "mia")
    cookie = _cookie(client)
    assert _accepted(app, cookie)
    out = client.post("/logout", data={"csrf_token": page_csrf(client)}, follow_redirects=False)
    assert out.status_code == 303
    assert f"{COOKIE}=;" in out.headers["set-cookie"]
    assert _refused(app, cookie)
    with sqlite_store.unit_of_work() as uow:
        reason = uow.session.execute(text("SELECT end_reason FROM web_sessions")).scalar_one()
    assert reason == "signed out"


def test_disabling_ends_sessions_for_good(sqlite_store: Store) -> None:
    build_small_org(sqlite_store, calls_per_rep=1)
    app = app_on(sqlite_store)
    wes = signed_in(app, "wes")
    cookie = _cookie(wes)
    admin = signed_in(app, "admin")
    csrf = page_csrf(admin, "/admin/users")
    disabled = admin.post("/admin/users/wes/active", data={"active": "0", "csrf_token": csrf})
    assert "sessions ended" in disabled.text
    assert _refused(app, cookie)
    admin.post("/admin/users/wes/active", data={"active": "1", "csrf_token": csrf})
    # Enabled again: the old session stays dead, a new sign-in works.
    assert _refused(app, cookie)
    again = signed_in(app, "wes")
    assert _accepted(app, _cookie(again))
    entry = next(e for e in audit_log(sqlite_store) if e.action == "user.disable")
    assert entry.detail["sessions_ended"] == 1


def test_idle_and_absolute_timeouts_end_a_session(sqlite_store: Store) -> None:
    build_small_org(sqlite_store, calls_per_rep=1)
    app = app_on(sqlite_store, session_idle_minutes=30, session_max_hours=8)
    first = signed_in(app, "mia")
    cookie = _cookie(first)
    # Used 20 minutes ago, signed in 7 hours ago: still live, and the request renews last seen.
    _age_sessions(sqlite_store, created=timedelta(hours=7), seen=timedelta(minutes=20))
    assert _accepted(app, cookie)
    # 31 minutes without a request: ended by the idle timeout.
    _age_sessions(sqlite_store, created=timedelta(hours=1), seen=timedelta(minutes=31))
    assert _refused(app, cookie)

    second = signed_in(app, "mia")
    cookie = _cookie(second)
    # Active a minute ago, but signed in 8 hours and a minute ago: too old, however active.
    _age_sessions(sqlite_store, created=timedelta(hours=8, minutes=1), seen=timedelta(minutes=1))
    assert _refused(app, cookie)
    with sqlite_store.unit_of_work() as uow:
        reasons = uow.session.execute(
            text("SELECT end_reason FROM web_sessions ORDER BY id")
        ).scalars()
        assert list(reasons) == ["idle timeout", "session too old"]
    # The cookie's lifetime follows the absolute timeout.
    third = TestClient(app)
    login = third.post(
        "/login",
        data={
            "username": "mia",
            "password": "correct horse battery",
            "csrf_token": csrf_of(third.get("/login").text),
        },
        follow_redirects=False,
    )
    assert f"Max-Age={8 * 3600}" in login.headers["set-cookie"]


def test_the_owner_sees_their_sessions_and_ends_one_or_all(sqlite_store: Store) -> None:
    build_small_org(sqlite_store, calls_per_rep=1)
    app = app_on(sqlite_store)
    laptop = signed_in(app, "mia")
    laptop.headers["user-agent"] = "Laptop Firefox/140"
    phone = TestClient(app, headers={"user-agent": "Phone Safari/19"})
    phone.post(
        "/login",
        data={
            "username": "mia",
            "password": "correct horse battery",
            "csrf_token": csrf_of(phone.get("/login").text),
        },
    )
    page = laptop.get("/account").text
    assert "Phone Safari/19" in page and "(this browser)" in page
    assert "testclient" in page  # the address each session signed in from
    # Nobody else sees or ends mia's sessions.
    with sqlite_store.unit_of_work() as uow:
        ids = uow.session.execute(text("SELECT id FROM web_sessions ORDER BY id")).scalars().all()
    laptop_id, phone_id = ids
    wes = signed_in(app, "wes")
    assert "Phone Safari" not in wes.get("/account").text
    stolen = wes.post(f"/account/sessions/{phone_id}/end", data={"csrf_token": page_csrf(wes)})
    assert stolen.status_code == 404
    assert _accepted(app, _cookie(phone))
    # The owner ends the phone's session from the list.
    ended = laptop.post(f"/account/sessions/{phone_id}/end", data={"csrf_token": page_csrf(laptop)})
    assert ended.status_code == 200 and "Phone Safari" not in ended.text
    assert _refused(app, _cookie(phone))
    # Sign out other sessions keeps this one; sign out everywhere ends this one too.
    tablet = signed_in(app, "mia")
    others = laptop.post("/account/sessions/end-others", data={"csrf_token": page_csrf(laptop)})
    assert "Signed out 1 other session." in others.text
    assert _refused(app, _cookie(tablet)) and _accepted(app, _cookie(laptop))
    cookie = _cookie(laptop)
    everywhere = laptop.post(
        "/account/sessions/end-all",
        data={"csrf_token": page_csrf(laptop)},
        follow_redirects=False,
    )
    assert everywhere.headers["location"] == "/login"
    assert _refused(app, cookie)
    assert laptop_id  # the laptop's own row was the first
    assert any(e.action == "user.session.end_all" for e in audit_log(sqlite_store))


def test_sign_in_rotates_the_session_and_its_csrf_token(sqlite_store: Store) -> None:
    build_small_org(sqlite_store, calls_per_rep=1)
    app = app_on(sqlite_store)
    client = TestClient(app)
    before = csrf_of(client.get("/login").text)
    client.post(
        "/login",
        data={"username": "ana", "password": "correct horse battery", "csrf_token": before},
    )
    first_cookie = _cookie(client)
    after = page_csrf(client)
    assert after != before
    # The pre-sign-in token does not authorise a signed-in form.
    refused = client.post("/logout", data={"csrf_token": before}, follow_redirects=False)
    assert refused.status_code == 403
    # Signing in again from the same browser replaces (ends) the earlier session.
    client.post(
        "/login",
        data={"username": "ana", "password": "correct horse battery", "csrf_token": after},
    )
    assert _cookie(client) != first_cookie
    assert _refused(app, first_cookie)
