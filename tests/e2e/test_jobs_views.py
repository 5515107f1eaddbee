"""Jobs as users meet them: imports scored without a click, the Jobs page and API showing each
user their own jobs with live progress, cancelling and retrying. SQLite, the in-process queue
(the test client's app runs its job threads in this process)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from callcoach.cli import app as cli_app
from callcoach.domain.access import Scope
from callcoach.settings import Settings
from callcoach.store.uow import Store
from callcoach.web.background import stop_jobs
from tests.e2e.job_helpers import conversations
from tests.e2e.web_client import app_on, page_csrf, signed_in
from tests.e2e.web_org import build_small_org
from tests.worker_helpers import wait_for

EVERYONE = Scope.system("test: read the whole organisation")


@pytest.fixture
def web(sqlite_store: Store) -> Iterator[Callable[[], FastAPI]]:
    """Apps on the test's store; their job threads are stopped when the test ends."""
    apps: list[FastAPI] = []

    def make() -> FastAPI:
        apps.append(app_on(sqlite_store))
        return apps[-1]

    yield make
    for app in apps:
        stop_jobs(app.state.container)


def test_scoring_after_import_is_on_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CALLCOACH_SCORE_AFTER_IMPORT")
    assert Settings().score_after_import is True


def _scored(store: Store) -> set[str]:
    with store.unit_of_work() as uow:
        return {run.call_id for run in uow.scores.all("one-call-close", scope=EVERYONE)}


def test_calls_imported_on_the_command_line_are_scored_by_a_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_store: Store
) -> None:
    monkeypatch.setenv("CALLCOACH_SCORE_AFTER_IMPORT", "true")
    monkeypatch.setenv("CALLCOACH_SCORER", "fake")
    monkeypatch.setenv("CALLCOACH_WORKERS", "1")
    db = sqlite_store.database.url
    runner = CliRunner()
    assert runner.invoke(cli_app, ["--db", db, "init"]).exit_code == 0
    first = conversations(tmp_path / "first.jsonl", 8)
    imported = runner.invoke(cli_app, ["--db", db, "import", "calls", str(first)])
    assert imported.exit_code == 0, imported.output
    assert "Scoring of the imported calls (job 1, one-call-close, fake scorer): done" in (
        imported.output
    )
    assert _scored(sqlite_store) == {f"call-{n:04d}" for n in range(8)}
    listed = runner.invoke(cli_app, ["--db", db, "jobs", "--format", "json"])
    (job,) = json.loads(listed.stdout)["jobs"]
    assert (job["kind"], job["status"], job["owner"]) == ("score-calls", "done", None)
    assert job["result"]["scored"] == 8 and job["progress"]["done"] == 8

    # --no-score imports only; importing the same file again changes nothing to score.
    second = tmp_path / "second.jsonl"
    second.write_text(
        (tmp_path / "first.jsonl")
        .read_text()
        .replace("call-00", "later-00")
        .replace("(call ", "(later call "),
        encoding="utf-8",
    )
    quiet = runner.invoke(cli_app, ["--db", db, "import", "calls", str(second), "--no-score"])
    assert quiet.exit_code == 0 and "Scoring" not in quiet.output
    assert not any(c.startswith("later-") for c in _scored(sqlite_store))
    listed = runner.invoke(cli_app, ["--db", db, "jobs", "--format", "json"])
    assert len(json.loads(listed.stdout)["jobs"]) == 1


def _wait_job(client: TestClient, job_id: int, statuses: tuple[str, ...]) -> dict[str, object]:
    return wait_for(
        lambda: (
            (body := client.get(f"/api/v1/jobs/{job_id}").json())["status"] in statuses and body
        ),
        timeout=60,
        what=f"job {job_id} to be {' or '.join(statuses)}",
    )


def test_calls_uploaded_on_the_web_are_scored_by_a_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_store: Store, web: Callable[[], FastAPI]
) -> None:
    monkeypatch.setenv("CALLCOACH_SCORE_AFTER_IMPORT", "true")
    build_small_org(sqlite_store)
    admin = signed_in(web(), "admin")
    upload = conversations(tmp_path / "upload.jsonl", 5).read_bytes()
    response = admin.post(
        "/api/v1/imports/calls",
        files=[("files", ("calls.jsonl", upload, "application/jsonl"))],
        data={"rep_speaker": "Dana"},
        headers={"X-CSRF-Token": page_csrf(admin)},
    )
    assert response.status_code == 200, response.text
    job_id = response.json()["scoring_job"]
    assert isinstance(job_id, int)
    done = _wait_job(admin, job_id, ("done", "failed"))
    assert done["status"] == "done" and done["owner"] == "admin", done
    assert done["kind"] == "score-calls" and done["total"] == 5
    assert {f"call-{n:04d}" for n in range(5)} <= _scored(sqlite_store)
    # The Import page says so, and links the job.
    page = admin.post(
        "/import",
        data={"kind": "calls", "csrf_token": page_csrf(admin, "/import")},
        files=[
            (
                "files",
                (
                    "more.jsonl",
                    upload.replace(b"call-", b"more-").replace(b"(call ", b"(more call "),
                    "text/plain",
                ),
            )
        ],
    )
    assert page.status_code == 200
    assert "being scored in the background" in page.text and "/jobs#job-" in page.text


def test_each_user_sees_their_own_jobs_and_an_admin_every_job(
    sqlite_store: Store, web: Callable[[], FastAPI]
) -> None:
    build_small_org(sqlite_store)
    app = web()
    mia, wes, admin, ana = (signed_in(app, u) for u in ("mia", "wes", "admin", "ana"))
    started = mia.post(
        "/api/v1/rubrics/one-call-close/rescore",
        params={"everything": True},
        headers={"X-CSRF-Token": page_csrf(mia)},
    )
    assert started.status_code == 202, started.text
    job_id = started.json()["id"]
    done = _wait_job(mia, job_id, ("done", "failed"))
    assert done["status"] == "done" and done["result"]["scored"] == 6  # type: ignore[index]
    assert done["message"].startswith("6 call(s) scored")  # type: ignore[union-attr]

    assert [j["id"] for j in mia.get("/api/v1/jobs").json()["jobs"]] == [job_id]
    assert f'id="job-{job_id}"' in mia.get("/jobs").text
    # Another manager, and a rep, do not see it: it is reported exactly like no job at all.
    assert wes.get("/api/v1/jobs").json()["jobs"] == []
    assert wes.get(f"/api/v1/jobs/{job_id}").status_code == 404
    assert (
        wes.post(
            f"/api/v1/jobs/{job_id}/retry", headers={"X-CSRF-Token": page_csrf(wes)}
        ).status_code
        == 404
    )
    assert f'id="job-{job_id}"' not in wes.get("/jobs").text
    assert ana.get("/api/v1/jobs").json() == {
        "counts": {s: 0 for s in ("queued", "running", "done", "failed", "cancelled")},
        "jobs": [],
    }
    everyone = admin.get("/api/v1/jobs").json()["jobs"]
    assert [(j["id"], j["owner"]) for j in everyone] == [(job_id, "mia")]
    assert "Started by" in admin.get("/jobs").text


def test_a_running_rescore_is_cancelled_and_retried(
    sqlite_store: Store, web: Callable[[], FastAPI]
) -> None:
    # Enough calls that the re-score is still running when the cancel is seen (the job notices
    # it at its next progress write, at most half a second on): 1,200 in Mia's two reps.
    build_small_org(sqlite_store, calls_per_rep=600)
    total = 1200
    mia = signed_in(web(), "mia")
    csrf = {"X-CSRF-Token": page_csrf(mia)}
    job_id = mia.post(
        "/api/v1/rubrics/one-call-close/rescore", params={"everything": True}, headers=csrf
    ).json()["id"]
    wait_for(
        lambda: mia.get(f"/api/v1/jobs/{job_id}").json()["done"] >= 10,
        timeout=60,
        every=0.05,
        what="the re-score under way",
    )
    asked = mia.post(f"/api/v1/jobs/{job_id}/cancel", headers=csrf)
    assert asked.status_code == 200 and asked.json()["cancel_requested"] is True
    cancelled = _wait_job(mia, job_id, ("cancelled", "done", "failed"))
    assert cancelled["status"] == "cancelled", cancelled
    assert 10 <= cancelled["done"] < total  # type: ignore[operator]
    # Retried, it does the rest (what it re-scored before the cancel is kept) and ends done.
    again = mia.post(f"/api/v1/jobs/{job_id}/retry", headers=csrf)
    assert again.status_code == 202 and again.json()["status"] in ("queued", "running")
    done = _wait_job(mia, job_id, ("done", "failed"))
    assert done["status"] == "done", done
    result = done["result"]
    assert isinstance(result, dict) and result["already_done"] >= 10
    assert result["already_done"] + result["scored"] == total
