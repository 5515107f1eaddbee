"""`callcoach practice` on the command line: cut a scenario from a low moment, hold a text
session against the offline prospect (the bundled MiniLM), be scored and coached, retry; bad
input and another rep's data refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from callcoach.cli import app
from callcoach.store.uow import Store
from tests.e2e.web_org import build_small_org

pytestmark = pytest.mark.slow


@pytest.fixture
def db(sqlite_store: Store) -> str:
    build_small_org(sqlite_store, calls_per_rep=3)
    return sqlite_store.database.url


def run(db: str, *args: str, stdin: str | None = None, ok: bool = True) -> str:
    result = CliRunner().invoke(
        app,
        ["--db", db, *args],
        input=stdin,
        env={"COLUMNS": "200", "CALLCOACH_SCORER": "fake", "CALLCOACH_PRACTICE_LLM": "false"},
    )
    # A ServiceError leaves the app (`callcoach` prints it as `error: ...` and exits with 1).
    failed = result.exception is not None or result.exit_code != 0
    assert failed is not ok, result.output
    return result.output + (str(result.exception) if result.exception else "")


def test_a_text_session_is_scored_coached_and_retried(db: str, tmp_path: Path) -> None:
    created = json.loads(
        run(db, "practice", "create", "--call", "ana-1", "--criterion", "discovery", "-f", "json")
    )
    assert created["original"]["level"] == 1 and created["rep"] == "Ana Alvarez"
    scenario = str(created["id"])
    lines = [
        "What does losing those two days at month end cost your team today?",
        "",
        "Who else feels it when the report is late, and what happens to them then?",
        "/end",
        "The first line, I would give it a 3",
        "I would ask who owns the report first",
        "/retry",
        "What made you look at this now rather than next quarter?",
        "/finish",
    ]
    out = run(db, "practice", "session", scenario, "--as", "ana", stdin="\n".join(lines) + "\n")
    assert "Your goal (Discovery, level 4)" in out
    assert "the line is empty" in out
    assert "Before you see the score" in out
    assert "You gave yourself 3; the scorer gave level" in out and "[line-" in out
    assert "Your plan: “I would ask who owns the report first”" in out
    assert "Again, from the same moment." in out and "finished" in out

    transcript = json.loads(run(db, "practice", "transcript", "1", "-f", "json"))
    attempts = transcript["session"]["attempts"]
    assert [a["number"] for a in attempts] == [1, 2]
    quotes = {e["quote"] for e in attempts[0]["score"]["evidence"]}
    assert quotes and quotes <= {lines[0], lines[2]}
    listed = json.loads(run(db, "practice", "list", "--sessions", "-f", "json", "--as", "ana"))
    assert [s["attempts"] for s in listed] == [2]
    assert json.loads(run(db, "practice", "list", "-f", "json", "--as", "cara")) == []
    refused = run(db, "practice", "transcript", "1", "--as", "cara", ok=False)
    assert "no practice session 1" in refused


def test_bad_input_is_refused_with_a_clear_message(db: str) -> None:
    assert "no call 'nope'" in run(
        db, "practice", "create", "--call", "nope", "--criterion", "discovery", ok=False
    )
    assert "has no criterion 'nope'" in run(
        db, "practice", "create", "--call", "ana-1", "--criterion", "nope", ok=False
    )
    assert "the prospect says nothing before it" in run(
        db, "practice", "create", "--call", "ana-1", "--criterion", "discovery",
        "--segment", "0", ok=False,
    )  # fmt: skip
    assert "give --call CALL --criterion C, --rep REP [--priority N], or --assignment ID" in run(
        db, "practice", "create", ok=False
    )
    assert "No practice scenarios." in run(db, "practice", "list")


def test_a_scenario_for_an_objection_assignment_counts_towards_it(db: str) -> None:
    objection = "The price seems high compared to what we pay now."
    given = json.loads(
        run(db, "practice", "assign", "--rep", "Ana Alvarez", "--objection", objection,
            "--sessions", "1", "--as", "mia", "-f", "json")
    )[0]  # fmt: skip
    assignment = str(given["id"])
    # Another rep, or another team's manager: the assignment does not exist for them.
    for other in ("cara", "wes"):
        refused = run(db, "practice", "create", "--assignment", assignment, "--as", other,
                      ok=False)  # fmt: skip
        assert f"no practice assignment {assignment}" in refused
    assert "--assignment chooses the moment itself" in run(
        db, "practice", "create", "--assignment", assignment, "--call", "ana-1", ok=False
    )
    shown = run(db, "practice", "create", "--assignment", assignment, "--as", "ana")
    assert f"for practice assignment #{assignment} ({objection})" in shown
    assert "cut from call ana-2" in shown  # her lost deal's call (tests/e2e/web_org.py)
    created = json.loads(run(db, "practice", "show", "1", "-f", "json", "--as", "ana"))
    assert created["origin"]["objection"] == objection
    assert created["goal"]["criterion_id"] == "objection_handling"
    lines = [
        "Compared to two lost days every month end, what is the current tool costing you?",
        "If the month end closed on time, what would that be worth to your finance team?",
        "/end",
        "/finish",
    ]
    run(db, "practice", "session", "1", "--as", "ana", stdin="\n".join(lines) + "\n")
    progress = json.loads(run(db, "practice", "assignments", "--as", "ana", "-f", "json"))
    assert [(p["id"], p["sessions_done"]) for p in progress] == [(given["id"], 1)]
