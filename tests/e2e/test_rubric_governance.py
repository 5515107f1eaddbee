"""Rubric governance over HTTP and the CLI (issue 13, section 5; docs/rubrics.md).

The small organisation: East (manager mia) and West (manager wes), both reported on the default
rubric one-call-close, every call scored on its version 1.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from callcoach.cli import app as cli_app
from callcoach.store.uow import Store
from tests.e2e.web_client import app_on, page_csrf, signed_in
from tests.e2e.web_org import RUBRIC, build_small_org


@pytest.fixture
def org_app(store: Store) -> Iterator[FastAPI]:
    build_small_org(store)
    yield app_on(store)


def _document(client: TestClient, rubric: str = RUBRIC) -> dict[str, Any]:
    document: dict[str, Any] = client.get(f"/api/v1/rubrics/{rubric}").json()["rubric"]
    document["criteria"][0]["anchors"]["5"] = "A sharper top anchor, written by a manager."
    return document


def _post(client: TestClient, path: str, body: Any) -> Any:
    return client.post(path, json=body, headers={"X-CSRF-Token": page_csrf(client)})


def _form(document: dict[str, Any]) -> dict[str, str]:
    """The editor's fields for a rubric document (as the browser posts them)."""
    form = {"id": document["id"], "name": document["name"]}
    for i, crit in enumerate(document["criteria"]):
        form |= {f"c-{i}-{key}": str(crit[key]) for key in ("id", "name", "description", "weight")}
        form |= {f"c-{i}-a{level}": text for level, text in crit["anchors"].items()}
    return form


def _version(client: TestClient, rubric: str = RUBRIC) -> int:
    return int(client.get(f"/api/v1/rubrics/{rubric}").json()["version"])


def test_a_manager_cannot_change_the_rubric_another_team_is_reported_on(
    org_app: FastAPI,
) -> None:
    mia = signed_in(org_app, "mia")
    refused = _post(mia, "/api/v1/rubrics", _document(mia))
    assert refused.status_code == 403
    assert "also used by team West" in refused.json()["detail"]
    assert "save a copy for your team" in refused.json()["detail"]
    # The editor says why instead of offering the save, and a forged save is refused alike.
    page = mia.get(f"/rubrics/{RUBRIC}")
    assert 'id="rubric-refusal"' in page.text and 'id="save-rubric"' not in page.text
    assert 'id="save-copy"' in page.text and "<option>East</option>" in page.text
    assert "<option>West</option>" not in page.text
    form = _form(_document(mia)) | {"csrf_token": page_csrf(mia, f"/rubrics/{RUBRIC}")}
    saved = mia.post("/rubrics/save", data=form)
    assert saved.status_code == 403
    assert "Not saved" in saved.text and "also used by team West" in saved.text
    assert _version(mia) == 1
    # A rep changes nothing.
    ana = signed_in(org_app, "ana")
    assert _post(ana, "/api/v1/rubrics", _document(ana)).status_code == 403


def test_a_manager_saves_a_copy_for_their_team_and_then_changes_only_that(
    org_app: FastAPI,
) -> None:
    mia, wes = signed_in(org_app, "mia"), signed_in(org_app, "wes")
    copied = _post(mia, "/api/v1/rubrics/copy", {"team": "East", "document": _document(mia)})
    assert copied.status_code == 200, copied.text
    assert copied.json()["id"] == "one-call-close-east" and copied.json()["version"] == 1
    east = {t["team"]: t for t in mia.get("/api/v1/rubric-assignments").json()}
    assert east == {
        "East": {
            "team": "East",
            "rubric": "one-call-close-east",
            "rubric_name": "One-call close (East)",
            "version": 1,
            "assigned": True,
        }
    }
    west = wes.get("/api/v1/rubric-assignments").json()
    assert [(t["team"], t["rubric"], t["assigned"]) for t in west] == [("West", RUBRIC, False)]
    # East alone uses the copy: mia changes it; wes (West) may not.
    changed = _document(mia, "one-call-close-east")
    changed["criteria"][1]["anchors"]["1"] = "Asks nothing about the prospect's situation."
    assert _post(mia, "/api/v1/rubrics", changed).json()["version"] == 2
    refused = _post(wes, "/api/v1/rubrics", changed)
    assert refused.status_code == 403 and "not by yours" in refused.json()["detail"]
    # A copy for another manager's team is refused, and the shared rubric never moved.
    other = _post(mia, "/api/v1/rubrics/copy", {"team": "West", "document": _document(mia)})
    assert other.status_code == 403 and "do not manage team 'West'" in other.json()["detail"]
    assert _version(mia) == 1
    # The team page opens on the team's own rubric and lists each team's.
    page = mia.get("/")
    assert 'id="team-rubrics"' in page.text and "One-call close (East)" in page.text


def test_only_an_administrator_assigns_a_rubric_to_a_team(org_app: FastAPI) -> None:
    mia, admin = signed_in(org_app, "mia"), signed_in(org_app, "admin")
    body = {"rubric": "complex-b2b"}
    headers = {"X-CSRF-Token": page_csrf(mia)}
    refused = mia.put("/api/v1/rubric-assignments/East", json=body, headers=headers)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "only an administrator assigns rubrics to teams"
    form = {"csrf_token": page_csrf(admin, "/rubrics"), "team": "West", "rubric": "complex-b2b"}
    assert admin.post("/rubrics/assign", data=form, follow_redirects=False).status_code == 303
    listed = {t["team"]: t for t in admin.get("/api/v1/rubric-assignments").json()}
    assert listed["West"]["rubric"] == "complex-b2b" and listed["West"]["assigned"]
    assert listed["East"]["rubric"] == RUBRIC and not listed["East"]["assigned"]
    # Now East alone uses the default rubric: its manager may change it.
    assert _post(mia, "/api/v1/rubrics", _document(mia)).json()["version"] == 2
    # Back to the default.
    back = admin.put(
        "/api/v1/rubric-assignments/West",
        json={"rubric": None},
        headers={"X-CSRF-Token": page_csrf(admin)},
    )
    assert {t["team"]: t["assigned"] for t in back.json()} == {"East": False, "West": False}


def test_reports_name_the_rubric_and_the_version_of_their_scores(org_app: FastAPI) -> None:
    mia = signed_in(org_app, "mia")
    cards = mia.get("/api/v1/scorecards", params={"rubric": RUBRIC}).json()
    priorities = mia.get("/api/v1/priorities", params={"rubric": RUBRIC}).json()
    for report in (cards, priorities):
        assert report["rubric"] == RUBRIC and report["rubric_name"] == "One-call close"
        assert report["rubric_version"] == 1 and report["scored_versions"] == [1]
    page = mia.get("/")
    assert "rubric One-call close (one-call-close) v1" in page.text
    rep_page = mia.get("/reps/Ana%20Alvarez")
    assert "rubric One-call close (one-call-close) v1" in rep_page.text
    # After a new version, reports say the counted scores are still on version 1.
    admin = signed_in(org_app, "admin")
    assert _post(admin, "/api/v1/rubrics", _document(admin)).json()["version"] == 2
    cards = mia.get("/api/v1/scorecards", params={"rubric": RUBRIC}).json()
    assert cards["rubric_version"] == 2 and cards["scored_versions"] == [1]
    assert "scores on v1" in mia.get("/").text


def _cli(db: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli_app, ["--db", db, *args])
    message = str(result.exception) if result.exception and result.exit_code == 0 else ""
    return result.exit_code, result.output + message


def test_the_rubric_commands_refuse_a_manager_and_show_each_teams_rubric(
    sqlite_store: Store, tmp_path: Path
) -> None:
    build_small_org(sqlite_store)
    db = sqlite_store.database.url
    code, shown = _cli(db, "rubric", "show", RUBRIC, "--yaml")
    assert code == 0
    document = yaml.safe_load(shown)
    document["criteria"][0]["anchors"][5] = "A sharper top anchor, from the command line."
    path = tmp_path / "edited.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")

    code, said = _cli(db, "rubric", "add", str(path), "--as", "mia")
    assert code == 1 and "also used by team West" in said
    code, said = _cli(db, "rubric", "assign", "East", "complex-b2b", "--as", "mia")
    assert code == 1 and "only an administrator assigns rubrics" in said
    code, said = _cli(db, "rubric", "copy", str(path), "--team", "East", "--as", "mia")
    assert code == 0, said
    assert "Team East is now reported on one-call-close-east" in said
    code, said = _cli(db, "rubric", "teams", "--format", "json")
    assert code == 0
    assert json.loads(said) == [
        {
            "team": "East",
            "rubric": "one-call-close-east",
            "name": "One-call close (East)",
            "version": 1,
            "assigned": True,
        },
        {
            "team": "West",
            "rubric": RUBRIC,
            "name": "One-call close",
            "version": 1,
            "assigned": False,
        },
    ]
    # The command line itself acts as an administrator.
    code, said = _cli(db, "rubric", "assign", "West", "complex-b2b")
    assert code == 0 and "Team West is now reported on complex-b2b" in said
    code, said = _cli(db, "scorecard", "--rubric", RUBRIC, "--format", "json")
    assert code == 0, said
    report = json.loads(said)
    assert report["rubric_name"] == "One-call close" and report["scored_versions"] == [1]
    code, said = _cli(db, "priorities", "--rubric", RUBRIC, "--format", "json")
    assert code == 0, said
    report = json.loads(said)
    assert report["rubric_name"] == "One-call close" and report["rubric_version"] == 1


def test_imported_calls_are_scored_on_their_teams_rubric(store: Store) -> None:
    from callcoach.domain.access import SYSTEM
    from callcoach.services.jobs.scoring import imported_calls_requests
    from callcoach.services.rubrics.governance import assign_rubric

    build_small_org(store)
    assign_rubric(store, "West", "complex-b2b", SYSTEM)
    requests = imported_calls_requests(
        store, ["ana-1", "cara-1", "dev-2"], default_rubric=RUBRIC, scorer="fake", owner=None
    )
    jobs = {r.payload["rubric"]: r.payload["selection"]["call_ids"] for r in requests}
    assert jobs == {"complex-b2b": ["cara-1", "dev-2"], RUBRIC: ["ana-1"]}
    # Without assignments, one job on the default rubric, as before.
    assign_rubric(store, "West", None, SYSTEM)
    requests = imported_calls_requests(
        store, ["ana-1", "cara-1"], default_rubric=RUBRIC, scorer="fake", owner=None
    )
    assert [(r.payload["rubric"], r.payload["selection"]["call_ids"]) for r in requests] == [
        (RUBRIC, ["ana-1", "cara-1"])
    ]
