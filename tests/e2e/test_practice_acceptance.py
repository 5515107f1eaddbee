"""Issue 17 acceptance on the demo org, offline: a scored demo call's level-2 moment cut into a
scenario, a text session in the CLI scored on the same criterion (the embedded scorer) with
quotes from the practice lines, the coach citing them, a retry kept as a new attempt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from callcoach.cli import app
from callcoach.domain.access import Scope
from callcoach.store.uow import Store

EVERYONE = Scope.system("test: read the whole organisation")

pytestmark = pytest.mark.slow


def cli(db: str, *args: str, stdin: str | None = None) -> str:
    result = CliRunner().invoke(app, ["--db", db, *args], input=stdin, env={"COLUMNS": "200"})
    assert result.exit_code == 0 and result.exception is None, result.output
    return result.output


def test_a_level_2_demo_moment_practised_offline(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    cli(db, "demo", "--scale", "48", "--transcripts", "short", "--end", "2026-11-23",
        "--scorer-workers", "1")  # fmt: skip
    store = Store.from_url(db)
    with store.unit_of_work() as uow:
        moment = next(
            (call_id, crit.criterion_id, crit.evidence[0].segment)
            for call_id in uow.calls.external_ids(scope=EVERYONE)
            for score in uow.scores.for_call(call_id, scope=EVERYONE)
            for crit in score.criteria
            if crit.level == 2 and crit.evidence
        )
    store.close()
    call_id, criterion, segment = moment
    scenario = json.loads(
        cli(
            db,
            "practice",
            "create",
            "--call",
            call_id,
            "--criterion",
            criterion,
            "--segment",
            str(segment),
            "-f",
            "json",
        )
    )
    assert scenario["original"]["level"] == 2
    lines = [
        "I hear you, and that matters. What would it cost you if this stays as it is for "
        "another quarter?",
        "Teams your size usually save two days at every month end; would that answer it?",
        "Those two days go back into selling, so the tool pays for itself in the first quarter.",
    ]
    script = [*lines, "/end", "The second one, a 3", "Ask about the cost first", "/retry",
              "What would you need to see to feel sure about it?", "/end", "/finish"]  # fmt: skip
    out = cli(db, "practice", "session", str(scenario["id"]), stdin="\n".join(script) + "\n")
    assert "Before you see the score" in out and "You gave yourself 3" in out
    # The demo has practice history of its own: this scenario's session is the one to read.
    (session,) = json.loads(
        cli(db, "practice", "list", "--sessions", "--scenario", str(scenario["id"]), "-f", "json")
    )
    transcript = json.loads(cli(db, "practice", "transcript", str(session["id"]), "-f", "json"))
    first, second = transcript["session"]["attempts"]
    assert first["score"]["criterion_id"] == criterion
    assert first["score"]["scorer"] == "embedded"
    assert {e["quote"] for e in first["score"]["evidence"]} <= set(lines)
    coach = [s for m in first["debrief"]["messages"] for s in m.get("sentences", [])]
    assert any("[line-" in s["text"] for s in coach)
    assert all(s["check"] != "flagged" for s in coach)
    assert second["number"] == 2 and second["status"] in ("scored", "not_scorable")
