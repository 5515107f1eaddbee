"""The real `callcoach` command against broken databases and bad rubric files (issue 14).

Each case printed a Python traceback; each now prints one clear error line and exits 1. Run as
subprocesses, exactly as a user runs the command.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PG_URL
from tests.worker_helpers import free_port

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "transcripts"


def callcoach(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CALLCOACH_SCORE_AFTER_IMPORT": "false", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-c", "from callcoach.cli import main; main()", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def refused(result: subprocess.CompletedProcess[str], *phrases: str) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    said = result.stdout + result.stderr  # `rubric` prints its findings on stdout
    for phrase in phrases:
        assert phrase in said, said


def test_a_database_path_in_a_missing_folder(tmp_path: Path) -> None:
    db = tmp_path / "no" / "such" / "callcoach.db"
    refused(
        callcoach("--db", str(db), "rubric", "list", cwd=tmp_path),
        f"the folder {db.parent} does not exist",
    )


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    db = tmp_path / "notes.db"
    db.write_text("these are my notes, not a database\n" * 100)
    for command in (["rubric", "list"], ["init"]):
        refused(callcoach("--db", str(db), *command, cwd=tmp_path), "is not a callcoach database")


def test_an_unreachable_postgresql_server(tmp_path: Path) -> None:
    url = f"postgresql://127.0.0.1:{free_port()}/callcoach"
    refused(
        callcoach("--db", url, "rubric", "list", cwd=tmp_path),
        "cannot reach the PostgreSQL server at 127.0.0.1:",
    )


def test_a_missing_postgresql_database(tmp_path: Path) -> None:
    import psycopg

    try:
        psycopg.connect(PG_URL, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        from tests.conftest import missing_service

        missing_service(f"PostgreSQL not reachable at {PG_URL}: {exc}")
    base = PG_URL.rsplit("/", 1)[0]
    refused(
        callcoach("--db", f"{base}/callcoach_no_such_db", "rubric", "list", cwd=tmp_path),
        "the PostgreSQL database 'callcoach_no_such_db' does not exist",
        "createdb callcoach_no_such_db",
    )


@pytest.fixture
def read_only_db(tmp_path: Path) -> Iterator[str]:
    """An initialised database the command may read but not write: an immutable file where
    `chattr` works (root ignores permission bits), else SQLite's own read-only mode."""
    db = tmp_path / "callcoach.db"
    result = callcoach("--db", str(db), "init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    immutable = shutil.which("chattr") is not None and (
        subprocess.run(["chattr", "+i", str(db)], capture_output=True).returncode == 0
    )
    try:
        yield str(db) if immutable else f"sqlite:///file:{db}?mode=ro&uri=true"
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(db)], check=True)


def test_a_read_only_database_reads_and_refuses_writes_clearly(
    read_only_db: str, tmp_path: Path
) -> None:
    listed = callcoach("--db", read_only_db, "rubric", "list", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "one-call-close" in listed.stdout
    shown = callcoach(
        "--db", read_only_db, "rubric", "show", "one-call-close", "--yaml", cwd=tmp_path
    )
    assert shown.returncode == 0, shown.stderr
    rubric = tmp_path / "copy.yaml"
    rubric.write_text(shown.stdout.replace("id: one-call-close", "id: a-copy", 1))
    transcript = tmp_path / "call.srt"
    shutil.copy(FIXTURES / "renewal-call.srt", transcript)
    for command in (
        ["import", "calls", str(transcript)],
        ["rubric", "add", str(rubric)],
        ["user", "add", "boss", "--role", "admin", "--password", "correct-horse-battery"],
    ):
        result = callcoach("--db", read_only_db, *command, cwd=tmp_path)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr, (command, result.stderr)
        assert "is read-only" in result.stderr, (command, result.stderr)


def test_rubric_files_that_are_not_utf8_or_nest_too_deeply(tmp_path: Path) -> None:
    db = str(tmp_path / "callcoach.db")
    assert callcoach("--db", db, "init", cwd=tmp_path).returncode == 0
    latin = tmp_path / "latin1.yaml"
    latin.write_bytes("id: caf\xe9\nname: Caf\xe9\n".encode("latin-1"))
    nested = tmp_path / "nested.yaml"
    nested.write_text("id: deep\ncriteria: " + "[" * 20_000 + "]" * 20_000 + "\n")
    for command in ("add", "validate"):
        refused(callcoach("--db", db, "rubric", command, str(latin), cwd=tmp_path), "not UTF-8")
        refused(
            callcoach("--db", db, "rubric", command, str(nested), cwd=tmp_path),
            "nested too deeply",
        )


def test_a_nan_weight_is_refused(tmp_path: Path) -> None:
    db = str(tmp_path / "callcoach.db")
    assert callcoach("--db", db, "init", cwd=tmp_path).returncode == 0
    shown = callcoach("--db", db, "rubric", "show", "one-call-close", "--yaml", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout.replace("id: one-call-close", "id: nan-weights", 1)
    first_weight = next(line for line in text.splitlines() if "weight:" in line)
    path = tmp_path / "nan.yaml"
    path.write_text(text.replace(first_weight, first_weight.split(":")[0] + ": .nan", 1))
    refused(
        callcoach("--db", db, "rubric", "add", str(path), cwd=tmp_path),
        "weight must be a percent from above 0 to 100, got nan",
    )


def test_show_call_with_an_infinite_duration(tmp_path: Path) -> None:
    """An older import could store an infinite duration; `show call` must still show the call."""
    db = tmp_path / "callcoach.db"
    assert callcoach("--db", str(db), "init", cwd=tmp_path).returncode == 0
    imported = callcoach(
        "--db", str(db), "import", "calls", str(FIXTURES / "renewal-call.srt"), cwd=tmp_path
    )
    assert imported.returncode == 0, imported.stderr
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE calls SET duration_s = 9e999")
    shown = callcoach("--db", str(db), "show", "call", "renewal-call", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "renewal-call" in shown.stdout
