"""The default path for real: the embedded scorer (bundled MiniLM) in worker processes."""

from __future__ import annotations

import numpy as np
import pytest

from callcoach.domain.access import Scope
from callcoach.domain.scores import ScoreStatus
from callcoach.scoring.registry import ScorerConfig
from callcoach.services.rubrics.catalog import add_rubric_text, template_text
from callcoach.services.scoring.runs import score_calls
from callcoach.store.uow import Store
from tests.integration.scoring_calls import add_template_rubric, sales_call, short_call, store_calls

EVERYONE = Scope.system("test: read the whole organisation")

pytestmark = pytest.mark.slow
RUBRIC = "one-call-close"


def test_embedded_scorer_in_worker_processes_stores_and_reuses_embeddings(
    sqlite_store: Store,
) -> None:
    add_template_rubric(sqlite_store)
    calls = {c.external_id: c for c in [*map(sales_call, range(4)), short_call(0)]}
    store_calls(sqlite_store, list(calls.values()))
    embedded = ScorerConfig("embedded")

    first = score_calls(sqlite_store, embedded, rubric_id=RUBRIC, workers=2)

    assert first.mode == "processes" and not first.failures
    assert (first.scored, len(first.not_scorable)) == (4, 1)
    assert (first.embeddings_computed, first.embeddings_reused) == (4, 0)
    with sqlite_store.unit_of_work() as uow:
        for call_id in ("call-000", "call-003"):
            pk = uow.scoring_queue.call_pk(call_id)
            assert pk is not None
            matrix = uow.embeddings.load(pk, "all-MiniLM-L6-v2", calls[call_id].content_hash)
            assert matrix is not None and matrix.shape == (len(calls[call_id].segments), 384)
            assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-3)
        runs = [r for r in uow.scores.all(RUBRIC, scope=EVERYONE) if r.status is ScoreStatus.SCORED]
    for run in runs:
        for crit in run.criteria:
            assert crit.level is not None and crit.evidence
            for item in crit.evidence:
                assert item.quote in calls[run.call_id].segments[item.segment].text

    edited = (
        template_text(RUBRIC)
        .replace("weight: 20\n", "weight: 15\n", 1)
        .replace("weight: 10\n", "weight: 15\n", 1)
    )
    assert add_rubric_text(sqlite_store, edited, "edited").stored.version == 2
    second = score_calls(sqlite_store, embedded, rubric_id=RUBRIC, workers=1)

    assert second.rubric_version == 2 and second.scored == 4
    assert (second.embeddings_computed, second.embeddings_reused) == (0, 4)
