"""Administrators link accounts to the roster (web, API, CLI; audited), and every way of
setting a password refuses a weak one (web, API, CLI) with the estimator's reason."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from callcoach.cli import app as cli_app
from callcoach.services.accounts.passwords import WeakPasswordError
from callcoach.services.accounts.users import audit_log, get_user
from callcoach.store.uow import Store
from tests.e2e.web_client import app_on, page_csrf, signed_in
from tests.e2e.web_org import PASSWORD, build_small_org


def _cli(store: Store, *args: str) -> Result:
    return CliRunner().invoke(cli_app, ["--db", store.database.url, *args], env={"COLUMNS": "200"})


def _calls_seen(client: TestClient) -> set[str]:
    return {c["rep"] for c in client.get("/api/v1/calls").json()["items"]}


def test_admin_edits_a_managers_teams_and_a_reps_roster_link_on_the_web(
    sqlite_store: Store,
) -> None:
    build_small_org(sqlite_store, calls_per_rep=1)
    web = app_on(sqlite_store)
    admin = signed_in(web, "admin")
    csrf = page_csrf(admin, "/admin/users")
    page = admin.get("/admin/users").text
    assert 'action="/admin/users/mia/links"' in page and 'aria-label="Teams mia manages"' in page
    mia = signed_in(web, "mia")
    assert _calls_seen(mia) == {"Ana Alvarez", "Ben Brooks"}
    changed = admin.post(
        "/admin/users/mia/links", data={"teams": ["East", "West"], "csrf_token": csrf}
    )
    assert changed.status_code == 200 and "mia now sees teams East, West" in changed.text
    assert _calls_seen(mia) == {"Ana Alvarez", "Ben Brooks", "Cara Chen", "Dev Desai"}
    relinked = admin.post("/admin/users/ana/links", data={"rep": "Ben Brooks", "csrf_token": csrf})
    assert "ana now sees rep Ben Brooks" in relinked.text
    assert _calls_seen(signed_in(web, "ana")) == {"Ben Brooks"}
    # A manager with no team is refused, and nothing changes.
    empty = admin.post("/admin/users/wes/links", data={"csrf_token": csrf})
    assert empty.status_code == 400 and "at least one --team" in empty.text
    assert get_user(sqlite_store, "wes").teams == ("West",)
    # Only administrators may do it.
    refused = mia.post(
        "/admin/users/wes/links", data={"teams": ["East"], "csrf_token": page_csrf(mia)}
    )
    assert refused.status_code == 403
    updates = [e for e in audit_log(sqlite_store) if e.action == "user.update"]
    assert [(e.actor, e.target) for e in updates] == [("admin", "ana"), ("admin", "mia")]
    mia_entry = updates[1]
    assert mia_entry.detail["teams"] == ["East", "West"]
    assert mia_entry.detail["before"]["teams"] == ["East"]


def test_admin_edits_links_from_the_api_and_the_cli(sqlite_store: Store) -> None:
    build_small_org(sqlite_store, calls_per_rep=1)
    web = app_on(sqlite_store)
    admin = signed_in(web, "admin")
    csrf = {"X-CSRF-Token": page_csrf(admin)}
    patched = admin.patch("/api/v1/users/wes", json={"teams": ["East"]}, headers=csrf)
    assert patched.status_code == 200 and patched.json()["teams"] == ["East"]
    unknown = admin.patch("/api/v1/users/wes", json={"teams": ["Nowhere"]}, headers=csrf)
    assert unknown.status_code == 400 and "no team 'Nowhere'" in unknown.json()["detail"]

    ran = _cli(sqlite_store, "user", "update", "cara", "--rep", "Dev Desai", "--format", "json")
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.stdout)["rep"] == "Dev Desai"
    ran = _cli(sqlite_store, "user", "update", "mia", "--team", "West", "--team", "East")
    assert ran.exit_code == 0 and "now sees teams East, West" in ran.stdout
    wrong = _cli(sqlite_store, "user", "update", "mia", "--rep", "Ana Alvarez")
    assert wrong.exit_code != 0 and "--rep links a rep account" in str(wrong.exception)
    actions = [(e.actor, e.action, e.target) for e in audit_log(sqlite_store)]
    assert ("admin", "user.update", "wes") in actions
    assert ("cli", "user.update", "cara") in actions


def test_weak_passwords_are_refused_everywhere(sqlite_store: Store) -> None:
    build_small_org(sqlite_store, calls_per_rep=1)
    web = app_on(sqlite_store)
    admin = signed_in(web, "admin")
    csrf = page_csrf(admin, "/admin/users")
    created = admin.post(
        "/admin/users",
        data={
            "username": "nina",
            "role": "manager",
            "password": "Password123!",
            "teams": ["West"],
            "csrf_token": csrf,
        },
    )
    assert created.status_code == 400
    assert "too easy to guess" in created.text and "commonly used password" in created.text
    api = admin.post(
        "/api/v1/users",
        json={
            "username": "nina",
            "role": "manager",
            "password": "nina.west2026",
            "teams": ["West"],
            "email": "nina.west@example.com",
        },
        headers={"X-CSRF-Token": csrf},
    )
    assert api.status_code == 400 and "username, name or email" in api.json()["detail"]
    reset = admin.post(
        "/admin/users/wes/password", data={"password": "qwertyuiop12", "csrf_token": csrf}
    )
    assert reset.status_code == 400 and "too easy to guess" in reset.text
    mia = signed_in(web, "mia")
    own: dict[str, Any] = {
        "current_password": PASSWORD,
        "new_password": "iloveyou2024",
        "confirm_password": "iloveyou2024",
        "csrf_token": page_csrf(mia),
    }
    changed = mia.post("/account/password", data=own)
    assert changed.status_code == 400 and "too easy to guess" in changed.text
    ran = _cli(sqlite_store, "user", "add", "zed", "--role", "admin", "--password", "admin12345")
    assert ran.exit_code != 0 and isinstance(ran.exception, WeakPasswordError)
    ran = _cli(sqlite_store, "user", "set-password", "ana", "--password", "ana.alvarez1")
    assert ran.exit_code != 0 and "username, name or email" in str(ran.exception)
    # Nothing was created or changed: the old password still signs in.
    assert "nina" not in {u["username"] for u in admin.get("/api/v1/users").json()}
    signed_in(web, "wes")
    signed_in(web, "ana")
    # A strong one is taken.
    ran = _cli(
        sqlite_store, "user", "add", "zed", "--role", "admin", "--password", "vellum kestrel quay"
    )
    assert ran.exit_code == 0, ran.output
