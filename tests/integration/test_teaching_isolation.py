"""Teaching changes no stored score until a call is re-scored, and then only that call's.

A manager's verdicts must not silently move the scores other people already read (a scorecard,
a review): they change what the next scoring run says, for the calls it scores.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from callcoach.domain.access import Scope
from callcoach.domain.scores import CallScore, FeedbackVerdict
from callcoach.scoring.registry import ScorerConfig
from callcoach.services.imports.transcripts import import_calls
from callcoach.services.rubrics.catalog import add_rubric_text, template_text
from callcoach.services.scoring.runs import CallSelection, score_calls
from callcoach.services.scoring.teaching import record_feedback
from callcoach.store.uow import Store
from tests.integration.test_teaching import RUBRIC, conversation


def stored(store: Store) -> dict[str, tuple[Any, ...]]:
    with store.unit_of_work() as uow:
        scores: list[CallScore] = list(
            uow.scores.all(RUBRIC, scope=Scope.system("test: every stored score"))
        )
    return {
        s.call_id: (
            s.created_at,
            s.overall,
            tuple(
                (
                    c.criterion_id,
                    c.level,
                    c.confidence,
                    c.rationale,
                    tuple(e.segment for e in c.evidence),
                )
                for c in s.criteria
            ),
        )
        for s in scores
    }


def test_teaching_changes_only_the_calls_that_are_rescored(store: Store, tmp_path: Path) -> None:
    source = tmp_path / "calls.jsonl"
    source.write_text(
        "".join(json.dumps(conversation(n, n % 4)) + "\n" for n in range(12)), encoding="utf-8"
    )
    assert import_calls(store, [source]).ok
    add_rubric_text(store, template_text(RUBRIC), "template")
    embedded = ScorerConfig("embedded")
    assert score_calls(store, embedded, rubric_id=RUBRIC, workers=1).scored == 12
    before = stored(store)
    assert len(before) == 12

    # Enough verdicts for the teaching model to be fitted (5 confirmed, 5 rejected and more):
    # the asks confirmed, the small talk rejected, on calls 1-11.
    for n in range(1, 12):
        closes = n % 4
        for index in range(3):
            record_feedback(
                store,
                call_id=f"call-{n:02d}",
                criterion_id="close_attempt",
                segment=4 + 2 * index,
                verdict=FeedbackVerdict.CONFIRMED if index < closes else FeedbackVerdict.REJECTED,
                rubric_id=RUBRIC,
                rater="Maria Chen",
            )
    assert stored(store) == before  # verdicts alone re-score nothing

    # Call 00 (never judged) is re-scored with what people taught; every other call keeps the
    # score it had, word for word and with its original time.
    summary = score_calls(
        store,
        embedded,
        rubric_id=RUBRIC,
        selection=CallSelection(call_ids=("call-00",)),
        rescore=True,
        workers=1,
    )
    assert summary.scored == 1
    after = stored(store)
    assert {k: v for k, v in after.items() if k != "call-00"} == {
        k: v for k, v in before.items() if k != "call-00"
    }
    assert after["call-00"][0] != before["call-00"][0]  # a new score, stored anew
