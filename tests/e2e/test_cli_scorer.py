"""`callcoach scorer ...` as a manager runs it: feedback verdicts and calibration."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from callcoach.cli import app

ASK = "Can we get the agreement signed today so your team starts on Monday?"


def call_record(number: int, asks: int) -> dict[str, Any]:
    turns = [
        {
            "speaker": "rep",
            "text": f"Hi, thanks for joining call number {number}. How is the quarter?",
        },
        {"speaker": "buyer", "text": "Busy. Scheduling is a mess and we lose clients over it."},
        {"speaker": "rep", "text": "How many appointments slipped last month, roughly?"},
        {"speaker": "buyer", "text": "Maybe thirty, which costs us real money."},
    ]
    for index in range(3):
        text = ASK if index < asks else "Our tool has a calendar view that people like a lot."
        turns += [{"speaker": "rep", "text": text}, {"speaker": "buyer", "text": "I see."}]
    return {"call_id": f"c{number:02d}", "rep_speaker": "rep", "rep": "Dana Ortiz", "turns": turns}


@pytest.fixture
def cli(tmp_path: Path) -> Any:
    runner = CliRunner()
    db = str(tmp_path / "cli.db")

    def run(*args: str) -> Result:
        return runner.invoke(app, ["--db", db, *args], env={"COLUMNS": "200"})

    assert run("init").exit_code == 0
    calls = tmp_path / "calls.jsonl"
    calls.write_text("".join(json.dumps(call_record(n, n % 4)) + "\n" for n in range(10)))
    imported = run("import", "calls", str(calls))
    assert imported.exit_code == 0, imported.output
    return run


def test_feedback_confirm_reject_and_list(cli: Any) -> None:
    confirmed = cli(
        "scorer", "feedback", "confirm", "c01", "close_attempt", "4",
        "--rubric", "one-call-close", "--rater", "Maria Chen", "--note", "direct ask",
    )  # fmt: skip
    assert confirmed.exit_code == 0, confirmed.output
    assert "Confirmed" in confirmed.stdout and ASK in " ".join(confirmed.stdout.split())
    rejected = cli(
        "scorer", "feedback", "reject", "c02", "close_attempt", "6",
        "--rubric", "one-call-close", "--rater", "Maria Chen", "--format", "json",
    )  # fmt: skip
    assert rejected.exit_code == 0, rejected.output
    data = json.loads(rejected.stdout)
    assert data["verdict"] == "rejected" and data["segment"] == 6 and data["new"] is True

    listed = cli("scorer", "feedback", "list", "--format", "json")
    rows = json.loads(listed.stdout)
    assert [(r["call_id"], r["verdict"], r["rater"]) for r in rows] == [
        ("c01", "confirmed", "Maria Chen"),
        ("c02", "rejected", "Maria Chen"),
    ]
    table = cli("scorer", "feedback", "list", "--rubric", "one-call-close")
    assert table.exit_code == 0
    assert "1 confirmed, 1 rejected" in table.stdout


def test_feedback_errors_name_the_problem_and_write_nothing(cli: Any) -> None:
    unknown_call = cli("scorer", "feedback", "confirm", "zz", "close_attempt", "4")
    assert unknown_call.exit_code == 1
    assert "no call 'zz'" in unknown_call.output
    bad_segment = cli("scorer", "feedback", "reject", "c01", "close_attempt", "40")
    assert bad_segment.exit_code == 1
    assert "no segment 40" in bad_segment.output
    bad_criterion = cli("scorer", "feedback", "reject", "c01", "closing", "4")
    assert bad_criterion.exit_code == 1
    assert "no criterion 'closing'" in bad_criterion.output
    assert json.loads(cli("scorer", "feedback", "list", "--format", "json").stdout) == []


@pytest.mark.slow
def test_calibrate_reports_agreement_before_and_after(cli: Any, tmp_path: Path) -> None:
    refused = cli("scorer", "calibrate", "--rubric", "one-call-close")
    assert refused.exit_code == 1
    assert "calibration needs at least" in refused.output

    ratings = tmp_path / "ratings.csv"
    lines = ["call_id,rater,criterion_id,level"]
    lines += [f"c{n:02d},Maria Chen,close_attempt,{[1, 3, 4, 5][n % 4]}" for n in range(10)]
    ratings.write_text("\n".join(lines) + "\n")
    imported = cli("import", "ratings", str(ratings), "--rubric", "one-call-close")
    assert imported.exit_code == 0, imported.output

    result = cli("scorer", "calibrate", "--rubric", "one-call-close", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ratings"] == 10 and data["calls"] == 10
    for side in ("before", "after"):
        assert 0 <= data["report"][side]["exact"] <= 1
        assert data["report"][side]["within_one"] >= data["report"][side]["exact"]
    table = cli("scorer", "calibrate", "--rubric", "one-call-close")
    assert table.exit_code == 0
    text = " ".join(table.stdout.replace("│", " ").split())
    assert "Machine vs manager" in text and "weighted kappa" in text and "close_attempt" in text
