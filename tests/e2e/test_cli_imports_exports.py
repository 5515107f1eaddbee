"""The import and export commands as a user runs them: exit codes, reports, error messages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from callcoach.cli import app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "transcripts"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    # Files inside the working directory are shown relative to it, so the table stays narrow.
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    db = str(tmp_path / "cli.db")

    def run(*args: str) -> Result:
        return runner.invoke(app, ["--db", db, *args], env={"COLUMNS": "160"})

    assert run("init").exit_code == 0
    return run


def report(result: Result) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def words(text: str) -> str:
    """Output with table borders and line folds removed, for phrase checks."""
    return " ".join(text.replace("│", " ").replace("┃", " ").split())


def test_acceptance_conversation_file_import_reimport_and_truncation(
    cli: Any, shared_data: Path, tmp_path: Path
) -> None:
    source = shared_data / "persuasionforgood-dev.jsonl"
    first = cli("import", "calls", str(source), "--report", "json")
    assert first.exit_code == 0, first.output
    assert (report(first)["created"], report(first)["updated"]) == (498, 0)
    second = cli("import", "calls", str(source), "--report", "json")
    assert (report(second)["created"], report(second)["updated"]) == (0, 498)

    lines = source.read_text().splitlines(keepends=True)
    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(lines[:300]) + lines[300][:500])
    extra = tmp_path / "extra.jsonl"
    extra.write_text(
        json.dumps(
            {
                "call_id": "extra-1",
                "rep_speaker": "rep",
                "turns": [{"speaker": "rep", "text": "Hi"}, {"speaker": "buyer", "text": "Hello"}],
            }
        )
        + "\n"
    )
    third = cli("import", "calls", str(cut), str(extra))
    assert third.exit_code == 1
    text = words(third.stdout)
    assert "cut.jsonl conversation-jsonl rejected (line 301) 0 0" in text
    assert "extra.jsonl conversation-jsonl imported 1 0" in text
    assert "rejected cut.jsonl, line 301: invalid JSON: Unterminated string" in text
    assert "1 new and 0 updated calls from 1 of 2 file(s); 1 file(s) rejected whole" in text
    counted = cli("import", "calls", str(source), "--report", "json")
    assert (report(counted)["created"], report(counted)["updated"]) == (0, 498)


def test_transcripts_with_the_roster_identify_reps(cli: Any, tmp_path: Path) -> None:
    roster = tmp_path / "reps.csv"
    roster.write_text("name,email,team\nDana Ortiz,dana@brightline.io,West\n")
    assert cli("import", "reps", str(roster)).exit_code == 0
    result = cli(
        "import", "calls", str(FIXTURES / "zoom-discovery.vtt"), str(FIXTURES / "renewal-call.srt")
    )
    assert result.exit_code == 0
    text = words(result.stdout)
    assert f"Import calls from {FIXTURES}/" in text  # the folder once, then bare file names
    assert "zoom-discovery.vtt webvtt imported 1 0" in text
    assert "renewal-call.srt srt imported ! 1 0" in text
    assert (
        "warning renewal-call.srt: rep not identified; speakers: Chris Novak, Aisha Bello" in text
    )
    assert "note: Where the rep was not identified" in text
    forced = cli(
        "import",
        "calls",
        str(FIXTURES / "renewal-call.srt"),
        "--rep-speaker",
        "Chris Novak",
        "--rep",
        "Chris Novak",
        "--report",
        "json",
    )
    data = report(forced)
    assert data["files"][0]["warnings"] == [] and data["updated"] == 1 and data["new_reps"] == 1
    # Imports from the command line are in the audit log, as web imports are.
    from callcoach.services.accounts.users import audit_log
    from callcoach.store.uow import Store

    store = Store.from_url(str(tmp_path / "cli.db"))
    try:
        entries = [(e.actor, e.action, e.target) for e in audit_log(store)]
    finally:
        store.close()
    assert ("cli", "import.reps", str(roster.resolve())) in entries
    imported = [
        target for actor, action, target in entries if (actor, action) == ("cli", "import.calls")
    ]
    assert str(FIXTURES / "zoom-discovery.vtt") in imported
    assert imported.count(str(FIXTURES / "renewal-call.srt")) == 2  # imported, then updated


def test_unknown_format_and_missing_manifest_are_clear_errors(cli: Any, tmp_path: Path) -> None:
    result = cli("import", "calls", str(FIXTURES / "zoom-discovery.vtt"), "--format", "docx")
    assert result.exit_code == 1
    assert "unknown format 'docx'; known formats: conversation-jsonl, webvtt" in words(
        result.output
    )
    missing = cli("import", "calls", str(FIXTURES), "--manifest", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 1
    assert "nope.csv: cannot read file" in words(missing.output)


def test_crm_csv_errors_name_file_line_and_column(cli: Any, tmp_path: Path) -> None:
    good = tmp_path / "deals.csv"
    good.write_text("deal_id,account,amount,outcome\nD-1,Acme,1000,won\n")
    bad = tmp_path / "hubspot.csv"
    bad.write_text(
        "Record ID,Deal Name,Deal Stage,Close Date,Amount\n"
        "101,Initech,Closed won,2026-03-12,18000\n"
        "102,Umbrella,Contract sent,2026-13-45,42000\n"
    )
    result = cli("import", "deals", str(good), str(bad))
    assert result.exit_code == 1
    text = words(result.stdout)
    assert "deals.csv callcoach CSV imported 1 0" in text
    assert "hubspot.csv HubSpot CSV rejected (line 3) 0 0" in text
    assert (
        "rejected hubspot.csv, line 3: column 'Close Date': '2026-13-45' is not a valid date"
        in text
    )
    json_result = cli("import", "deals", str(bad), "--report", "json")
    failed = report(json_result)["files"][0]
    assert (failed["line"], failed["column"], failed["ok"]) == (3, "Close Date", False)
    again = cli("import", "deals", str(good), "--report", "json")
    assert again.exit_code == 0 and report(again)["updated"] == 1


def test_ratings_import_and_export_commands(cli: Any, tmp_path: Path) -> None:
    assert (
        cli(
            "import", "calls", str(FIXTURES / "zoom-discovery.vtt"), "--rep-speaker", "Dana Ortiz"
        ).exit_code
        == 0
    )
    ratings = tmp_path / "ratings.csv"
    ratings.write_text(
        "call_id,rater,criterion_id,level,evidence_segment,note\n"
        "zoom-discovery,Maria Chen,discovery,4,2,Quantified the cost of double bookings\n"
    )
    unknown = cli("import", "ratings", str(ratings), "--rubric", "nope")
    assert unknown.exit_code == 1
    assert "no rubric 'nope' (rubrics: complex-b2b, one-call-close, review-conversation)" in words(
        unknown.output
    )
    assert cli("import", "ratings", str(ratings)).exit_code == 0

    out = tmp_path / "exported.csv"
    exported = cli("export", "ratings", "--out", str(out))
    assert exported.exit_code == 0
    assert "Exported 1 rating(s) of 1 call(s) to" in words(exported.output)
    assert out.read_text().splitlines() == [
        "call_id,rubric_id,rater,criterion_id,level,evidence_segment,note",
        "zoom-discovery,one-call-close,Maria Chen,discovery,4,2,Quantified the cost of double bookings",
    ]
    back = cli("import", "ratings", str(out), "--report", "json")
    assert (report(back)["created"], report(back)["updated"]) == (0, 1)


def test_export_calls_to_a_file_or_stdout_and_refusals(cli: Any, tmp_path: Path) -> None:
    cli(
        "import",
        "calls",
        str(FIXTURES / "zoom-discovery.vtt"),
        "--rep",
        "Dana Ortiz",
        "--date",
        "2026-03-02T15:00:00",
    )
    cli(
        "import",
        "calls",
        str(FIXTURES / "renewal-call.srt"),
        "--rep",
        "Chris Novak",
        "--date",
        "2026-03-09",
    )
    out = tmp_path / "calls.csv"
    result = cli("export", "calls", "--format", "csv", "--out", str(out), "--since", "2026-03-03")
    assert result.exit_code == 0
    assert "Exported 1 call(s) (5 segment rows)" in words(result.output)
    assert (
        out.read_text().splitlines()[1].startswith("renewal-call,2026-03-09T00:00:00,Chris Novak")
    )
    stdout = cli("export", "calls", "--rep", "Dana Ortiz")
    assert stdout.exit_code == 0
    assert [json.loads(line)["call_id"] for line in stdout.stdout.splitlines()] == [
        "zoom-discovery"
    ]

    refused = tmp_path / "refused.jsonl"
    nobody = cli("export", "calls", "--rep", "Nobody", "--out", str(refused))
    assert nobody.exit_code == 1
    assert "no rep 'Nobody'" in words(nobody.output)
    assert not refused.exists() and list(tmp_path.glob(".refused*")) == []
    bad_date = cli("export", "calls", "--since", "last week")
    assert bad_date.exit_code == 1
    assert "--since 'last week' is not a date" in words(bad_date.output)
