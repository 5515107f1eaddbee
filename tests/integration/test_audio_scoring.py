"""Acceptance: a stereo call recorded with two voices is imported from audio and scored, through
the commands a user types (`init`, `import audio`, `score`, `export`-free checks on the store)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from callcoach.cli import app
from callcoach.domain.access import Scope
from callcoach.domain.calls import SpeakerRole
from callcoach.domain.scores import ScoreStatus
from callcoach.store.uow import Store
from tests.audio_helpers import require_tools, stereo_call

EVERYONE = Scope.system("test: read the whole organisation")

pytestmark = pytest.mark.slow


def test_a_stereo_recording_is_imported_with_speakers_and_scored_by_the_default_scorer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_tools()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    script = stereo_call(tmp_path, "dana-jordan")
    db = str(tmp_path / "callcoach.db")
    runner = CliRunner()

    assert runner.invoke(app, ["--db", db, "init"]).exit_code == 0
    imported = runner.invoke(
        app,
        [
            "--db",
            db,
            "import",
            "audio",
            str(script.path),
            "--rep",
            "Dana Ortiz",
            "--report",
            "json",
        ],
    )
    assert imported.exit_code == 0, imported.output
    report = json.loads(imported.stdout)
    assert [f["result"] for f in report["files"]] == ["imported"]
    call_id = report["files"][0]["call_id"]

    scored = runner.invoke(app, ["--db", db, "score", "--format", "json"])
    assert scored.exit_code == 0, scored.output
    summary = json.loads(scored.stdout)
    assert summary["scored"] == 1 and summary["scorer"] == "embedded", summary

    store = Store.from_url(db)
    try:
        with store.unit_of_work() as uow:
            call = uow.calls.get(call_id, scope=EVERYONE)
            scores = uow.scores.for_call(call_id, scope=EVERYONE)
            rubric = uow.rubrics.latest(summary["rubric"])
    finally:
        store.close()
    assert call is not None and rubric is not None
    # Speakers from the channels, times within a second of where the lines were placed.
    assert [s.role for s in call.segments] == [
        SpeakerRole.REP if line.speaker == "rep" else SpeakerRole.PROSPECT for line in script.lines
    ]
    for segment, line in zip(call.segments, script.lines, strict=True):
        assert abs((segment.start or 0) - line.start) <= 1.0
        assert abs((segment.end or 0) - line.end) <= 1.0
    (score,) = scores
    assert score.status is ScoreStatus.SCORED
    assert {c.criterion_id for c in score.criteria} == {c.id for c in rubric.rubric.criteria}
    for criterion in score.criteria:
        assert criterion.level is not None and 1 <= criterion.level <= 5
        for evidence in criterion.evidence:
            segment = call.segments[evidence.segment]
            assert evidence.quote in segment.text  # verbatim, from the transcribed audio
            assert evidence.start == segment.start


def test_a_recording_imported_on_the_command_line_is_scored_without_a_score_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CALLCOACH_SCORE_AFTER_IMPORT (on by default): `import audio` scores what it imported as
    a job, in the foreground, with the default rubric and scorer."""
    require_tools()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("CALLCOACH_SCORE_AFTER_IMPORT", "true")
    script = stereo_call(tmp_path, "dana-jordan")
    db = str(tmp_path / "callcoach.db")
    runner = CliRunner()
    assert runner.invoke(app, ["--db", db, "init"]).exit_code == 0
    imported = runner.invoke(
        app, ["--db", db, "import", "audio", str(script.path), "--rep", "Dana Ortiz"]
    )
    assert imported.exit_code == 0, imported.output
    assert "Scoring of the imported calls (job 1, one-call-close, embedded scorer): done" in (
        imported.output
    )
    listed = json.loads(runner.invoke(app, ["--db", db, "jobs", "--format", "json"]).stdout)
    (job,) = listed["jobs"]
    assert (job["kind"], job["status"], job["result"]["scored"]) == ("score-calls", "done", 1)
    store = Store.from_url(db)
    try:
        with store.unit_of_work() as uow:
            (call_id,) = uow.calls.external_ids(scope=EVERYONE)
            (score,) = uow.scores.for_call(call_id, scope=EVERYONE)
    finally:
        store.close()
    assert score.status is ScoreStatus.SCORED and score.scorer == "embedded"
