"""`callcoach user token ...`, `user sessions`, `user sign-out` and `user disable` through the
CLI, checked against what the web app then accepts."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from callcoach.cli import app as cli_app
from callcoach.services.common import ServiceError
from callcoach.store.uow import Store
from tests.e2e.web_client import app_on, signed_in
from tests.e2e.web_org import build_small_org

OVERRIDE = {"rubric_id": "one-call-close", "criterion_id": "discovery", "level": 3}


def _cli(store: Store, *args: str) -> Result:
    return CliRunner().invoke(cli_app, ["--db", store.database.url, *args], env={"COLUMNS": "200"})


def test_tokens_from_the_cli_carry_their_scope_and_expiry(sqlite_store: Store) -> None:
    build_small_org(sqlite_store, calls_per_rep=1)
    web = app_on(sqlite_store)
    made = _cli(sqlite_store, "user", "token", "create", "mia", "--name", "bi", "--format", "json")
    assert made.exit_code == 0, made.output
    reader = json.loads(made.stdout)
    assert reader["scope"] == "read" and reader["expires_at"] is None
    made = _cli(
        sqlite_store,
        *("user", "token", "create", "mia", "--name", "sync", "--scope", "write"),
        *("--expires", "2099-12-31", "--format", "json"),
    )
    writer = json.loads(made.stdout)
    assert writer["scope"] == "write" and writer["expires_at"] == "2100-01-01T00:00:00"
    text = _cli(sqlite_store, "user", "token", "create", "mia", "--expires", "30d")
    assert "read-only" in text.stdout and "expires" in text.stdout

    def api(token: str) -> TestClient:
        return TestClient(web, headers={"Authorization": f"Bearer {token}"})

    assert (
        api(reader["token"]).post("/api/v1/calls/ana-1/overrides", json=OVERRIDE).status_code == 403
    )
    assert (
        api(writer["token"]).post("/api/v1/calls/ana-1/overrides", json=OVERRIDE).status_code == 201
    )

    listed = json.loads(
        _cli(sqlite_store, "user", "token", "list", "mia", "--format", "json").stdout
    )
    by_name = {t["name"]: t for t in listed}
    assert by_name["bi"]["scope"] == "read" and by_name["bi"]["last_used_at"]
    assert by_name["sync"]["expires_at"] == "2100-01-01T00:00:00"
    assert {t["state"] for t in listed} == {"active"}
    table = _cli(sqlite_store, "user", "token", "list", "mia").stdout
    assert "read-write" in table and "read-only" in table

    bad = _cli(sqlite_store, "user", "token", "create", "mia", "--scope", "everything")
    assert bad.exit_code != 0 and isinstance(bad.exception, ServiceError)
    assert "unknown token scope" in str(bad.exception)
    bad = _cli(sqlite_store, "user", "token", "create", "mia", "--expires", "yesterday")
    assert "a date (2027-01-31) or a duration" in str(bad.exception)


def test_sessions_are_listed_and_ended_from_the_cli(sqlite_store: Store) -> None:
    build_small_org(sqlite_store, calls_per_rep=1)
    web = app_on(sqlite_store)
    first, second = signed_in(web, "mia"), signed_in(web, "mia")
    listed = json.loads(_cli(sqlite_store, "user", "sessions", "mia", "--format", "json").stdout)
    assert len(listed) == 2 and {s["client"] for s in listed} == {"testclient"}
    assert all(s["user_agent"] == "testclient" and s["expires_at"] for s in listed)
    one = _cli(sqlite_store, "user", "sign-out", "mia", "--session", str(listed[0]["id"]))
    assert one.exit_code == 0, one.output
    still = [c.get("/calls", follow_redirects=False).status_code for c in (first, second)]
    assert sorted(still) == [200, 303]
    everywhere = _cli(sqlite_store, "user", "sign-out", "mia")
    assert "out everywhere (1 session)" in everywhere.stdout
    assert first.get("/calls", follow_redirects=False).status_code == 303
    assert second.get("/calls", follow_redirects=False).status_code == 303
    assert (
        json.loads(_cli(sqlite_store, "user", "sessions", "mia", "--format", "json").stdout) == []
    )


def test_disable_from_the_cli_ends_sessions_and_revokes_tokens_for_good(
    sqlite_store: Store,
) -> None:
    build_small_org(sqlite_store, calls_per_rep=1)
    web = app_on(sqlite_store)
    browser = signed_in(web, "cara")
    made = _cli(sqlite_store, "user", "token", "create", "cara", "--format", "json")
    api = TestClient(web, headers={"Authorization": f"Bearer {json.loads(made.stdout)['token']}"})
    assert api.get("/api/v1/calls").status_code == 200
    assert "sessions ended" in _cli(sqlite_store, "user", "disable", "cara").stdout
    assert _cli(sqlite_store, "user", "disable", "cara", "--enable").exit_code == 0
    assert browser.get("/calls", follow_redirects=False).status_code == 303
    assert api.get("/api/v1/calls").status_code == 401
    listed = json.loads(
        _cli(sqlite_store, "user", "token", "list", "cara", "--format", "json").stdout
    )
    assert [t["state"] for t in listed] == ["revoked"]
