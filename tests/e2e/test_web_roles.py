"""Role isolation over HTTP: what each role can reach by page, API, export and search."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi import FastAPI

from callcoach.store.uow import Store
from tests.e2e.web_client import app_on, page_csrf, signed_in
from tests.e2e.web_org import SmallOrg, build_small_org


@pytest.fixture
def org_app(store: Store) -> Iterator[tuple[FastAPI, SmallOrg]]:
    org = build_small_org(store)
    yield app_on(store), org


def test_a_rep_cannot_reach_another_reps_call_by_page_api_export_or_search(
    org_app: tuple[FastAPI, SmallOrg],
) -> None:
    app, org = org_app
    client = signed_in(app, "ana")
    own, other, teammate = org.calls_by_rep["Ana Alvarez"][0], "cara-1", "ben-1"

    assert client.get(f"/calls/{own}").status_code == 200
    for call in (other, teammate):
        page = client.get(f"/calls/{call}")
        assert page.status_code == 404
        assert "Ben" not in page.text and "Cara" not in page.text
        api = client.get(f"/api/v1/calls/{call}")
        assert api.status_code == 404
        # Exactly the answer for a call that does not exist: nothing tells it apart.
        assert api.json() == {"detail": f"no call '{call}'"}
        assert client.get(f"/api/v1/calls/{call}/scores").status_code == 404
        assert client.get(f"/calls/{call}/audio").status_code == 404

    listed = client.get("/api/v1/calls").json()
    assert {c["id"] for c in listed["items"]} == set(org.calls_by_rep["Ana Alvarez"])
    assert listed["total"] == len(org.calls_by_rep["Ana Alvarez"])

    # Search for words only in Cara's and Ben's transcripts finds nothing.
    for word in ("zebracara", "zebraben"):
        assert client.get("/api/v1/calls", params={"q": word}).json()["total"] == 0
        assert "No calls" in client.get("/calls", params={"q": word}).text
    assert client.get("/api/v1/calls", params={"q": "zebraana"}).json()["total"] == 3
    # Filtering by another rep's name does not widen the scope.
    assert client.get("/api/v1/calls", params={"rep": "Cara Chen"}).json()["total"] == 0

    export = client.get("/api/v1/scores/export", params={"format": "jsonl"}).text.splitlines()
    assert export and all('"call_id": "ana-' in line for line in export)
    csv_export = client.get("/api/v1/scores/export", params={"format": "csv"}).text
    assert "ana-1" in csv_export and "cara-" not in csv_export and "ben-" not in csv_export
    scores = client.get("/api/v1/scores").json()
    assert {s["call_id"] for s in scores} == set(org.calls_by_rep["Ana Alvarez"])

    # Another rep's scorecard is as unknown as a rep who does not exist.
    assert client.get("/reps/" + quote("Cara Chen")).status_code == 404
    assert client.get("/reps/" + quote("Ana Alvarez")).status_code == 200


def test_a_manager_sees_their_teams_and_not_another_team(
    org_app: tuple[FastAPI, SmallOrg],
) -> None:
    app, org = org_app
    client = signed_in(app, "mia")  # manages East: Ana and Ben
    east, west = org.calls_of_team("East"), org.calls_of_team("West")
    listed = client.get("/api/v1/calls", params={"limit": 200}).json()
    assert {c["id"] for c in listed["items"]} == set(east)
    for call in east[:2]:
        assert client.get(f"/calls/{call}").status_code == 200
    for call in west:
        assert client.get(f"/calls/{call}").status_code == 404
        assert client.get(f"/api/v1/calls/{call}").status_code == 404
    assert client.get("/api/v1/calls", params={"team": "West"}).json()["total"] == 0
    assert client.get("/api/v1/calls", params={"q": "zebracara"}).json()["total"] == 0
    assert client.get("/reps/" + quote("Dev Desai")).status_code == 404
    export = client.get("/api/v1/scores/export").text
    assert "cara-" not in export and "dev-" not in export and "ben-1" in export
    # Overriding a score on another team's call is refused as if the call did not exist.
    response = client.post(
        "/api/v1/calls/cara-1/overrides",
        json={"rubric_id": "one-call-close", "criterion_id": "discovery", "level": 5},
        headers={"X-CSRF-Token": page_csrf(client)},
    )
    assert response.status_code == 404


def test_admin_sees_every_team(org_app: tuple[FastAPI, SmallOrg]) -> None:
    app, org = org_app
    client = signed_in(app, "admin")
    total = sum(len(c) for c in org.calls_by_rep.values())
    assert client.get("/api/v1/calls").json()["total"] == total
    assert client.get("/calls/cara-1").status_code == 200
    assert client.get("/admin/users").status_code == 200


def test_admin_pages_and_user_api_are_for_administrators_only(
    org_app: tuple[FastAPI, SmallOrg],
) -> None:
    app, _ = org_app
    for username in ("mia", "ana"):
        client = signed_in(app, username)
        assert client.get("/admin/users").status_code == 403
        assert client.get("/admin/audit").status_code == 403
        assert client.get("/import").status_code == 403
        assert client.get("/api/v1/users").status_code == 403


def test_a_rep_cannot_override_or_edit_rubrics(org_app: tuple[FastAPI, SmallOrg]) -> None:
    app, _ = org_app
    client = signed_in(app, "ana")
    csrf = page_csrf(client)
    override = client.post(
        "/api/v1/calls/ana-1/overrides",
        json={"rubric_id": "one-call-close", "criterion_id": "discovery", "level": 5},
        headers={"X-CSRF-Token": csrf},
    )
    assert override.status_code == 403
    rubric = client.get("/api/v1/rubrics/one-call-close").json()["rubric"]
    saved = client.post("/api/v1/rubrics", json=rubric, headers={"X-CSRF-Token": csrf})
    assert saved.status_code == 403
    rescore = client.post("/api/v1/rubrics/one-call-close/rescore", headers={"X-CSRF-Token": csrf})
    assert rescore.status_code == 403


def test_pages_need_a_sign_in_and_the_api_a_token(org_app: tuple[FastAPI, SmallOrg]) -> None:
    from fastapi.testclient import TestClient

    app, _ = org_app
    client = TestClient(app)
    response = client.get("/calls/ana-1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/calls/ana-1"
    api = client.get("/api/v1/calls")
    assert api.status_code == 401
    assert api.headers["www-authenticate"] == "Bearer"
    assert (
        client.get("/api/v1/calls", headers={"Authorization": "Bearer cc_nope"}).status_code == 401
    )


def test_scorecards_and_priorities_api_follow_the_roles(
    org_app: tuple[FastAPI, SmallOrg],
) -> None:
    app, _ = org_app
    manager = signed_in(app, "mia").get("/api/v1/scorecards").json()
    assert {c["rep"] for c in manager["reps"]} == {"Ana Alvarez", "Ben Brooks"}
    assert [t["team"] for t in manager["teams"]] == ["East"]
    rep = signed_in(app, "ana")
    assert {c["rep"] for c in rep.get("/api/v1/scorecards").json()["reps"]} == {"Ana Alvarez"}
    assert rep.get("/api/v1/priorities", params={"rep": "Cara Chen"}).status_code == 404
    priorities = rep.get("/api/v1/priorities").json()
    assert [r["rep"] for r in priorities["reps"]] == ["Ana Alvarez"]
    admin = signed_in(app, "admin").get("/api/v1/scorecards").json()
    assert len(admin["reps"]) == 4


def test_team_pages_recompute_as_soon_as_scores_change(org_app: tuple[FastAPI, SmallOrg]) -> None:
    app, _ = org_app
    cache = app.state.report_cache
    client = signed_in(app, "mia")
    client.get("/")
    client.get("/")
    assert (cache.misses, cache.hits) == (1, 1)
    response = client.post(
        "/api/v1/calls/ana-1/overrides",
        json={"rubric_id": "one-call-close", "criterion_id": "discovery", "level": 5},
        headers={"X-CSRF-Token": page_csrf(client)},
    )
    assert response.status_code == 201
    client.get("/")
    assert cache.misses == 2
    # Another manager never gets mia's cached view.
    signed_in(app, "wes").get("/")
    assert cache.misses == 3
