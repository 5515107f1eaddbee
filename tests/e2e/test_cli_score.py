"""`callcoach score` and `callcoach show call` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from callcoach.cli import app
from tests.integration.scoring_calls import sales_call, short_call

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "transcripts"


def conversation_line(call: Any) -> str:
    return json.dumps(
        {
            "call_id": call.external_id,
            "rep": call.rep,
            "rep_speaker": call.rep,
            "date": call.date.isoformat(),
            "turns": [
                {"speaker": s.speaker, "text": s.text, "start": s.start, "end": s.end}
                for s in call.segments
            ],
        }
    )


@pytest.fixture
def cli(tmp_path: Path) -> Any:
    runner = CliRunner()
    db = str(tmp_path / "cli.db")

    def run(*args: str) -> Result:
        return runner.invoke(app, ["--db", db, *args], env={"COLUMNS": "120"})

    assert run("init").exit_code == 0
    calls = tmp_path / "calls.jsonl"
    calls.write_text(
        "\n".join(conversation_line(c) for c in [*map(sales_call, range(4)), short_call(0)]) + "\n"
    )
    assert run("import", "calls", str(calls)).exit_code == 0
    imported = run(
        "import",
        "calls",
        str(FIXTURES / "zoom-discovery.vtt"),
        "--rep-speaker",
        "Dana Ortiz",
        "--rep",
        "Dana Ortiz",
        "--date",
        "2026-09-20T10:00:00",
    )
    assert imported.exit_code == 0, imported.output
    return run


def test_score_prints_a_summary_and_resumes(cli: Any) -> None:
    first = cli("score", "--scorer", "fake", "--workers", "1", "--format", "json")
    assert first.exit_code == 0, first.output
    summary = json.loads(first.stdout)
    assert summary["scored"] == 5 and summary["not_scorable"] == 1
    assert list(summary["not_scorable_by_reason"]) == ["too short to judge"]
    assert summary["rubric"] == "one-call-close" and summary["rubric_version"] == 1

    again = cli("score", "--scorer", "fake")
    assert again.exit_code == 0
    text = " ".join(again.stdout.split())
    assert "0 calls scored" in text
    assert "6 calls already done on this rubric version and skipped (--rescore" in text

    rescored = cli(
        "score",
        "--scorer",
        "fake",
        "--rescore",
        "--since",
        "2026-09-02",
        "--until",
        "2026-09-03",
        "--format",
        "json",
    )
    assert json.loads(rescored.stdout)["scored"] == 2  # call-001 and call-002: --until is inclusive


def test_show_call_reads_like_a_review(cli: Any) -> None:
    assert cli("score", "--scorer", "fake", "--workers", "1").exit_code == 0

    shown = cli("show", "call", "zoom-discovery")

    assert shown.exit_code == 0, shown.output
    text = " ".join(shown.stdout.split())
    assert "Call zoom-discovery" in text and "rep Dana Ortiz" in text
    assert "One-call close (one-call-close, version 1)" in text
    assert "overall" in text and "Discovery (20%)" in text and "level " in text
    assert "Transcript" in text
    assert "[4] 0:28 Dana Ortiz (rep): What does a lost truck day cost you?" in text
    assert "◀" in text  # evidence segments are marked in the transcript

    data = json.loads(cli("show", "call", "zoom-discovery", "--format", "json").stdout)
    transcript = data["transcript"]
    assert transcript[0]["start"] == pytest.approx(1.14)
    quoted = 0
    for run in data["runs"]:
        for crit in run["criteria"]:
            assert crit["anchor"] and crit["name"]
            for item in crit["evidence"]:
                segment = transcript[item["segment"]]
                assert item["quote"] in segment["text"]
                assert item["speaker"] == segment["speaker"]
                assert crit["criterion_id"] in segment["evidence_for"]
                quoted += 1
                assert " ".join(item["quote"].split())[:30] in text
    assert quoted >= 5


def test_show_call_explains_calls_without_scores(cli: Any) -> None:
    unscored = cli("show", "call", "call-000")
    assert unscored.exit_code == 0
    assert "Not scored" in unscored.stdout and "callcoach score" in unscored.stdout

    cli("score", "--scorer", "fake", "--workers", "1")
    short = cli("show", "call", "short-000")
    assert "not scorable" in short.stdout and "too short to judge" in short.stdout

    missing = cli("show", "call", "no-such-call")
    assert missing.exit_code == 1 and "no call 'no-such-call'" in missing.output


def test_score_rejects_bad_input_clearly(cli: Any) -> None:
    rep = cli("score", "--scorer", "fake", "--rep", "Dana Ortis")
    assert rep.exit_code == 1 and "no rep named 'Dana Ortis'" in rep.output
    assert "did you mean 'Dana Ortiz'" in rep.output
    date = cli("score", "--scorer", "fake", "--since", "last tuesday")
    assert date.exit_code == 2 and "not a date" in date.output
    scorer = cli("score", "--scorer", "gpt")
    assert scorer.exit_code == 1 and "unknown scorer 'gpt'" in scorer.output
    full = cli("score", "--scorer", "fake", "--full-transcript")
    assert full.exit_code == 1 and "llm scorer only" in full.output
    rubric = cli("score", "--scorer", "fake", "--rubric", "nope")
    assert rubric.exit_code == 1 and "no rubric 'nope'" in rubric.output
