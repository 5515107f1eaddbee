"""A score is stored only against the transcript it read (issue 14: a score outlived its text).

A call re-imported with new text while it is being scored must not keep the score of the old
text (whose quotes are no longer in it), and a later run must score it again.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from callcoach.domain.access import Scope
from callcoach.domain.scores import CallScore, ScoreStatus
from callcoach.scoring.base import ScoringRequest
from callcoach.scoring.fake import FakeScorer
from callcoach.scoring.registry import ScorerConfig
from callcoach.services.imports.transcripts import import_calls
from callcoach.services.scoring.runs import score_calls
from callcoach.store.db import Database
from callcoach.store.uow import Store
from tests.integration.scoring_calls import add_template_rubric

EVERYONE = Scope.system("test: read the whole organisation")

RUBRIC = "one-call-close"
OLD = [
    ("Dana", "Thanks for making time today. What made you take this call?"),
    ("Sam", "We type every order into a spreadsheet and it takes most of Friday."),
    ("Dana", "You said that takes most of Friday. What does that cost the team?"),
    ("Sam", "Probably a full day of work every week, across the team."),
    ("Dana", "Shall we get you started on the annual plan today?"),
    ("Sam", "Let me check with my manager."),
]
NEW = [(speaker, text.replace("Friday", "Monday")) for speaker, text in OLD]


def write_call(path: Path, turns: list[tuple[str, str]]) -> Path:
    record = {
        "call_id": "acme-1",
        "rep_speaker": "Dana",
        "rep": "Dana Ortiz",
        "turns": [{"speaker": s, "text": t} for s, t in turns],
    }
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    return path


class ReimportingScorer(FakeScorer):
    """Scores the text it was given, but the call is re-imported with new text meanwhile
    (as a second `callcoach import calls` would do while a scoring run is under way)."""

    def __init__(self, url: str, new_file: Path) -> None:
        self.url = url
        self.new_file = new_file

    def score(self, request: ScoringRequest) -> CallScore:
        result = super().score(request)
        other = Store(Database(self.url))
        try:
            # Another process's import: its own connection, committed before we save.
            thread = threading.Thread(target=import_calls, args=(other, [self.new_file]))
            thread.start()
            thread.join()
        finally:
            other.close()
        return result


def test_a_score_of_text_replaced_while_scoring_is_not_stored_and_is_redone(
    store: Store, db_url: str, tmp_path: Path
) -> None:
    add_template_rubric(store)
    old_file = write_call(tmp_path / "old.jsonl", OLD)
    new_file = write_call(tmp_path / "new.jsonl", NEW)
    assert import_calls(store, [old_file]).ok

    summary = score_calls(
        store,
        ScorerConfig("fake"),
        rubric_id=RUBRIC,
        workers=1,
        build=lambda _config: ReimportingScorer(db_url, new_file),
    )

    assert summary.scored == 0
    assert [note.call_id for note in summary.failures] == ["acme-1"]
    assert "re-imported with a different transcript" in summary.failures[0].reason
    with store.unit_of_work() as uow:
        call = uow.calls.get("acme-1", scope=EVERYONE)
        assert call is not None and "Monday" in call.segments[1].text
        assert (
            uow.scores.for_call("acme-1", scope=EVERYONE) == []
        )  # nothing of the old text was kept

    # A later run scores the new text, and every stored quote is in it.
    again = score_calls(store, ScorerConfig("fake"), rubric_id=RUBRIC, workers=1)
    assert again.scored == 1
    with store.unit_of_work() as uow:
        call = uow.calls.get("acme-1", scope=EVERYONE)
        (score,) = uow.scores.for_call("acme-1", scope=EVERYONE)
    assert call is not None and score.status is ScoreStatus.SCORED
    for criterion in score.criteria:
        for evidence in criterion.evidence:
            assert evidence.quote in call.segments[evidence.segment].text


def test_a_score_stored_against_older_text_is_scored_again(store: Store, tmp_path: Path) -> None:
    """Even a score that reached the store against older text (written by an earlier version, or
    a path that did not check) is not taken as done: runs compare the text it read."""
    add_template_rubric(store)
    assert import_calls(store, [write_call(tmp_path / "old.jsonl", OLD)]).ok
    first = score_calls(store, ScorerConfig("fake"), rubric_id=RUBRIC, workers=1)
    assert first.scored == 1
    with store.unit_of_work() as uow:
        from sqlalchemy import update

        from callcoach.store.models import ScoreRunRow

        uow.session.execute(update(ScoreRunRow).values(content_hash="0" * 64))

    again = score_calls(store, ScorerConfig("fake"), rubric_id=RUBRIC, workers=1)
    assert again.scored == 1 and again.already_done == 0


@pytest.mark.parametrize("changed", [False, True])
def test_save_checks_the_text_the_score_read(store: Store, tmp_path: Path, changed: bool) -> None:
    from callcoach.store.repositories.scores import StaleTranscriptError

    add_template_rubric(store)
    assert import_calls(store, [write_call(tmp_path / "old.jsonl", OLD)]).ok
    with store.unit_of_work() as uow:
        call = uow.calls.get("acme-1", scope=EVERYONE)
        pk = uow.scoring_queue.call_pk("acme-1")
        stored = uow.rubrics.latest(RUBRIC)
    assert call is not None and pk is not None and stored is not None
    score = CallScore(
        call_id="acme-1",
        rubric_id=RUBRIC,
        rubric_version=stored.version,
        scorer="fake",
        scorer_version="1",
        status=ScoreStatus.NOT_SCORABLE,
        reason="test",
    )
    read = "f" * 64 if changed else call.content_hash
    with store.unit_of_work() as uow:
        if changed:
            with pytest.raises(StaleTranscriptError):
                uow.scores.save(score, pk, stored.version_pk, read)
        else:
            assert uow.scores.save(score, pk, stored.version_pk, read).content_hash == read
