"""`callcoach practice rehearse` through the real CLI on a real SQLite file: a scripted rehearsal
as JSON, an interactive one typed line by line with a retry, bad input, and --as a rep."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from callcoach.cli import app
from callcoach.domain.access import SYSTEM
from callcoach.services.accounts.users import add_user
from callcoach.services.reviews.lifecycle import self_assess
from callcoach.store.db import Database
from callcoach.store.uow import Store
from tests.integration.review_org import EAST, build_org, prepare
from tests.integration.test_rehearsal import BAD, GOOD, SELF


@pytest.fixture
def db(tmp_path: Path) -> tuple[str, int]:
    url = str(tmp_path / "cli.db")
    database = Database(url)
    database.migrate()
    store = Store(database)
    build_org(store)
    review = prepare(store, viewer=EAST)
    self_assess(store, review, SELF, SYSTEM)
    add_user(store, "mia", "manager", "correct horse battery", teams=["East"])
    add_user(store, "ben", "rep", "correct horse battery", rep="Ben Ode")
    store.close()
    return url, review


def run(db: str, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(
        app, ["--db", db, "practice", "rehearse", *args], input=input, env={"COLUMNS": "160"}
    )


def test_a_scripted_rehearsal_is_scored_and_debriefed_as_json(
    db: tuple[str, int], tmp_path: Path
) -> None:
    url, review = db
    script = tmp_path / "lines.txt"
    script.write_text("# my opening\n" + "\n\n".join(GOOD) + "\n", encoding="utf-8")
    result = run(
        url,
        "--review",
        str(review),
        "--script",
        str(script),
        "--as",
        "mia",
        "--self-judgement",
        "too fast",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    attempt = data["attempts"][0]
    said = [t["text"] for t in attempt["turns"] if t["speaker"] == "practitioner"]
    assert said == GOOD and data["manager"] == "mia" and data["rep"] == "Ben Ode"
    assert attempt["status"] == "scored" and attempt["self_judgement"] == "too fast"
    assert {c["criterion_id"] for c in attempt["score"]["criteria"]} >= {"anchors_to_calls"}
    persona = [t for t in attempt["turns"] if t["speaker"] == "persona"]
    assert all(t["source"]["sources"] for t in persona)  # every persona line says its source


def test_an_interactive_rehearsal_with_a_retry(db: tuple[str, int]) -> None:
    url, review = db
    typed = "\n".join(
        [
            GOOD[0],
            "",
            GOOD[3],
            "/end",
            "I rushed the plan",
            "y",
            *BAD,
            "/end",
            "",
            "n",
        ]
    )
    result = run(url, "--review", str(review), input=typed + "\n")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Disputes output" in out and "Disputes skill" in out
    assert "The line is empty" in out  # an empty line is not a turn
    assert "Attempt 1: overall" in out and "Attempt 2: overall" in out
    assert "You said: I rushed the plan" in out
    assert "You opened with your own view (line 1)" in out


def test_bad_input_and_a_rep_get_clear_messages(db: tuple[str, int], tmp_path: Path) -> None:
    url, review = db
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n\n", encoding="utf-8")
    result = run(url, "--review", str(review), "--script", str(empty))
    assert result.exit_code != 0 and "no line to say" in result.output
    missing = run(url, "--review", str(review), "--script", str(tmp_path / "none.txt"))
    assert missing.exit_code != 0 and "cannot read" in missing.output
    as_rep = run(url, "--review", str(review), "--as", "ben", input="/quit\n")
    # (the `callcoach` entry point prints these service errors as "error: ..." and exits 1)
    assert f"no review {review} to rehearse" in str(as_rep.exception)
    unknown = run(url, "--review", "999", input="/quit\n")
    assert "no review 999" in str(unknown.exception)
