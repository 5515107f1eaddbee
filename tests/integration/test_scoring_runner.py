"""The batch runner on both backends: parallel workers, resume, rescore, versions, embeddings."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from callcoach.domain.access import Role, Scope, Viewer
from callcoach.domain.calls import Call, SpeakerRole
from callcoach.domain.scores import CallScore, Evidence, ScoreStatus
from callcoach.scoring.base import Scorer, ScoringRequest
from callcoach.scoring.fake import FakeScorer
from callcoach.scoring.registry import ScorerConfig, build_scorer
from callcoach.services.common import NotFoundError
from callcoach.services.rubrics.catalog import add_rubric_text, rubric_yaml, template_text
from callcoach.services.scoring.runs import CallSelection, score_calls
from callcoach.store.uow import Store
from tests.integration.scoring_calls import add_template_rubric, sales_call, short_call, store_calls

EVERYONE = Scope.system("test: read the whole organisation")

RUBRIC = "one-call-close"
FAKE = ScorerConfig("fake")


# -- scorers for the tests (module level: worker processes import them by name) --------------------


class RendezvousScorer(FakeScorer):
    """Waits on its first call until two worker processes have checked in, so both get work."""

    def __init__(self, directory: str) -> None:
        self.directory = Path(directory)
        self.checked_in = False

    def score(self, request: ScoringRequest) -> CallScore:
        if not self.checked_in:
            (self.directory / str(os.getpid())).touch()
            deadline = time.monotonic() + 60
            while len(list(self.directory.iterdir())) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            self.checked_in = True
        return super().score(request)


class DyingScorer(FakeScorer):
    """Kills its own process on its Nth call, as the OOM killer would (no cleanup, no result)."""

    def __init__(self, after: int) -> None:
        self.after = after
        self.calls = 0

    def score(self, request: ScoringRequest) -> CallScore:
        self.calls += 1
        if self.calls >= self.after:
            os._exit(1)
        return super().score(request)


def build_test_scorer(config: ScorerConfig) -> Scorer:
    if config.name == "rendezvous":
        return RendezvousScorer(config.options["directory"])
    if config.name == "dying":
        return DyingScorer(config.options["after"])
    return build_scorer(config)


class InterruptingScorer(FakeScorer):
    """Ctrl-C arrives while the Nth call is being scored."""

    def __init__(self, after: int) -> None:
        self.after = after
        self.calls = 0

    def score(self, request: ScoringRequest) -> CallScore:
        self.calls += 1
        if self.calls >= self.after:
            raise KeyboardInterrupt
        return super().score(request)


class EmbeddingScorer(FakeScorer):
    """A scorer that uses stored utterance embeddings, counting how often it computes them."""

    embed_calls: ClassVar[int] = 0

    def __init__(self) -> None:
        self.received: dict[str, np.ndarray | None] = {}

    @property
    def embedding_model(self) -> str | None:
        return "test-embedding-model"

    def embed(self, call: Call) -> np.ndarray | None:
        type(self).embed_calls += 1
        seed = int(hashlib.sha256(call.content_hash.encode()).hexdigest()[:8], 16)
        return np.random.default_rng(seed).standard_normal((len(call.segments), 8)).astype("f4")

    def score(self, request: ScoringRequest) -> CallScore:
        self.received[request.call.external_id] = request.embeddings
        return super().score(request)


class FlakyScorer(FakeScorer):
    """Fails on one call; every other call scores normally."""

    def __init__(self, bad_call: str) -> None:
        self.bad_call = bad_call

    def score(self, request: ScoringRequest) -> CallScore:
        if request.call.external_id == self.bad_call:
            raise RuntimeError("model crashed on this transcript")
        return super().score(request)


class MisquotingScorer(FakeScorer):
    """Returns one quote that is not in its segment: the runner must never store it."""

    def score(self, request: ScoringRequest) -> CallScore:
        result = super().score(request)
        first = result.criteria[0]
        first.evidence = [
            *first.evidence,
            Evidence(segment=0, quote="words nobody said", speaker="Dana Ortiz"),
        ]
        return result


# -- helpers -----------------------------------------------------------------------------------------


def runs(store: Store, rubric: str = RUBRIC) -> list[CallScore]:
    with store.unit_of_work() as uow:
        return list(uow.scores.all(rubric, scope=EVERYONE))


def seeded(store: Store, n: int = 10, short: int = 1) -> list[Call]:
    add_template_rubric(store)
    calls = [sales_call(i) for i in range(n)] + [short_call(i) for i in range(short)]
    store_calls(store, calls, team="East")
    return calls


def assert_one_run_per_call(store: Store, expected: int, version: int = 1) -> None:
    stored = [r for r in runs(store) if r.rubric_version == version]
    ids = [r.call_id for r in stored]
    assert len(ids) == len(set(ids)) == expected


# -- tests -------------------------------------------------------------------------------------------


def test_scores_every_call_on_parallel_worker_processes(store: Store, tmp_path: Path) -> None:
    calls = seeded(store, n=8, short=1)
    directory = tmp_path / "pids"
    directory.mkdir()
    config = ScorerConfig("rendezvous", {"directory": str(directory)})

    summary = score_calls(store, config, rubric_id=RUBRIC, workers=2, build=build_test_scorer)

    assert summary.mode == "processes"
    assert len(summary.worker_pids) == 2 and os.getpid() not in summary.worker_pids
    assert summary.scored == 8
    assert [n.call_id for n in summary.not_scorable] == ["short-000"]
    assert "too short to judge" in summary.not_scorable[0].reason
    assert not summary.failures and summary.remaining == 0
    assert summary.calls_per_second > 0
    assert_one_run_per_call(store, len(calls))
    rubric = store_rubric(store)
    for run in runs(store):
        if run.status is ScoreStatus.SCORED:
            levels = {c.criterion_id: c.level for c in run.criteria}
            assert run.overall == pytest.approx(rubric.weighted_overall(dict(levels)))
            assert {c.criterion_id for c in run.criteria} == set(rubric.criterion_ids)

    again = score_calls(store, FAKE, rubric_id=RUBRIC, workers=2)
    assert (again.scored, again.already_done, again.attempted) == (0, 9, 0)


def store_rubric(store: Store) -> Any:
    with store.unit_of_work() as uow:
        stored = uow.rubrics.latest(RUBRIC)
        assert stored is not None
        return stored.rubric


def test_interrupted_run_resumes_where_it_stopped(store: Store) -> None:
    seeded(store, n=8, short=0)
    interrupting = InterruptingScorer(after=4)

    first = score_calls(store, FAKE, rubric_id=RUBRIC, workers=1, build=lambda c: interrupting)

    assert first.interrupted and first.scored == 3 and first.remaining == 5
    assert_one_run_per_call(store, 3)
    second = score_calls(store, FAKE, rubric_id=RUBRIC, workers=1)
    assert (second.scored, second.already_done) == (5, 3)
    assert_one_run_per_call(store, 8)


def test_a_killed_worker_process_loses_nothing_saved(store: Store) -> None:
    seeded(store, n=10, short=0)

    first = score_calls(
        store,
        ScorerConfig("dying", {"after": 3}),
        rubric_id=RUBRIC,
        workers=2,
        build=build_test_scorer,
    )

    assert first.stopped and "died" in first.stopped
    assert first.scored < 10
    assert any("died" in f.reason for f in first.failures)
    assert_one_run_per_call(store, first.scored)
    second = score_calls(store, FAKE, rubric_id=RUBRIC, workers=2)
    assert second.scored == 10 - first.scored and not second.failures
    assert_one_run_per_call(store, 10)


def test_rescore_replaces_the_earlier_scores(store: Store) -> None:
    seeded(store, n=4, short=1)
    score_calls(store, FAKE, rubric_id=RUBRIC, workers=1)
    before = {r.call_id: r.created_at for r in runs(store)}

    again = score_calls(store, FAKE, rubric_id=RUBRIC, workers=1, rescore=True)

    assert again.scored == 4 and len(again.not_scorable) == 1 and again.already_done == 0
    after = runs(store)
    assert len(after) == 5
    assert all(r.created_at and r.created_at >= before[r.call_id] for r in after)


def test_a_rubric_edit_is_scored_as_a_new_version_and_old_scores_stay(store: Store) -> None:
    seeded(store, n=3, short=0)
    score_calls(store, FAKE, rubric_id=RUBRIC, workers=1)
    edited = template_text(RUBRIC).replace(
        "Asks no questions about the prospect's situation",
        "Asks no question at all about the prospect's situation",
    )
    added = add_rubric_text(store, edited, "edited rubric")
    assert added.stored.version == 2

    summary = score_calls(store, FAKE, rubric_id=RUBRIC, workers=1)

    assert summary.rubric_version == 2 and summary.scored == 3
    versions = sorted(r.rubric_version for r in runs(store))
    assert versions == [1, 1, 1, 2, 2, 2]


def test_embeddings_are_stored_once_and_reused_after_a_rubric_edit(store: Store) -> None:
    seeded(store, n=4, short=1)
    scorer = EmbeddingScorer()
    EmbeddingScorer.embed_calls = 0

    first = score_calls(store, FAKE, rubric_id=RUBRIC, workers=1, build=lambda c: scorer)

    assert EmbeddingScorer.embed_calls == 4  # the short call is not scorable: never embedded
    assert (first.embeddings_computed, first.embeddings_reused) == (4, 0)
    with store.unit_of_work() as uow:
        assert uow.embeddings.count("test-embedding-model") == 4
    computed = dict(scorer.received)

    rubric = store_rubric(store)
    rubric.criteria[0].anchors[1] = "Never asks about the prospect's situation."
    add_rubric_text(store, rubric_yaml(rubric), "edited")
    scorer.received.clear()
    second = score_calls(store, FAKE, rubric_id=RUBRIC, workers=1, build=lambda c: scorer)

    assert second.rubric_version == 2 and second.scored == 4
    assert EmbeddingScorer.embed_calls == 4  # nothing embedded again
    assert (second.embeddings_computed, second.embeddings_reused) == (0, 4)
    for call_id, matrix in scorer.received.items():
        assert matrix is not None
        np.testing.assert_array_equal(matrix, computed[call_id])

    # A re-imported call with a changed transcript is embedded afresh.
    changed = sales_call(0)
    changed.segments[0] = type(changed.segments[0])(
        0,
        "Dana Ortiz",
        SpeakerRole.REP,
        "A different opening line entirely, about budgets.",
        0.0,
        3.0,
    )
    store_calls(store, [changed])
    third = score_calls(store, FAKE, rubric_id=RUBRIC, workers=1, build=lambda c: scorer)
    assert third.scored == 1 and third.embeddings_computed == 1
    assert EmbeddingScorer.embed_calls == 5


def test_a_failing_call_is_reported_not_stored_and_retried_next_run(store: Store) -> None:
    seeded(store, n=4, short=0)

    first = score_calls(
        store, FAKE, rubric_id=RUBRIC, workers=1, build=lambda c: FlakyScorer("call-002")
    )

    assert first.scored == 3
    assert [(f.call_id, f.stored) for f in first.failures] == [("call-002", False)]
    assert "model crashed on this transcript" in first.failures[0].reason
    second = score_calls(store, FAKE, rubric_id=RUBRIC, workers=1)
    assert second.scored == 1 and second.already_done == 3


def test_a_quote_not_in_its_segment_is_never_stored(store: Store) -> None:
    calls = {c.external_id: c for c in seeded(store, n=3, short=0)}

    summary = score_calls(
        store, FAKE, rubric_id=RUBRIC, workers=1, build=lambda c: MisquotingScorer()
    )

    assert summary.evidence_dropped == 3
    for run in runs(store):
        for crit in run.criteria:
            for item in crit.evidence:
                assert item.quote in calls[run.call_id].segments[item.segment].text


def test_filters_and_visibility_choose_the_calls(store: Store) -> None:
    add_template_rubric(store)
    store_calls(store, [sales_call(i, rep="Dana Ortiz") for i in range(3)], team="East")
    store_calls(store, [sales_call(i + 10, rep="Lee Park") for i in range(3)], team="West")

    by_rep = score_calls(
        store, FAKE, rubric_id=RUBRIC, workers=1, selection=CallSelection(rep="lee park")
    )
    assert by_rep.selected == 3 and by_rep.scored == 3
    # Dates: call-000 is on 2026-09-01, one call per day after it; --until includes its day.
    dated = score_calls(
        store,
        FAKE,
        rubric_id=RUBRIC,
        workers=1,
        selection=CallSelection(
            since=__import__("datetime").date(2026, 9, 2),
            until=__import__("datetime").date(2026, 9, 3),
        ),
    )
    assert dated.selected == 2
    manager = Viewer("erin", Role.MANAGER, teams=frozenset({"East"}))
    scoped = score_calls(store, FAKE, rubric_id=RUBRIC, workers=1, viewer=manager)
    assert scoped.selected == 3  # the West team's calls are not this manager's to score
    with pytest.raises(NotFoundError, match="did you mean 'Dana Ortiz'"):
        score_calls(store, FAKE, rubric_id=RUBRIC, selection=CallSelection(rep="Dana Ortis"))
    with pytest.raises(NotFoundError, match="unknown call id"):
        score_calls(store, FAKE, rubric_id=RUBRIC, selection=CallSelection(call_ids=("nope",)))
    with pytest.raises(NotFoundError, match="no rubric"):
        score_calls(store, FAKE, rubric_id="no-such-rubric")
    by_id = score_calls(
        store,
        FAKE,
        rubric_id=RUBRIC,
        workers=1,
        rescore=True,
        selection=CallSelection(call_ids=("call-011",)),
    )
    assert by_id.selected == 1 and by_id.scored == 1


def test_show_call_picks_the_newest_version_and_hides_calls_the_viewer_may_not_see(
    store: Store,
) -> None:
    from callcoach.services.calls.detail import show_call

    add_template_rubric(store)
    store_calls(store, [sales_call(0, rep="Dana Ortiz")], team="East")
    store_calls(store, [sales_call(1, rep="Lee Park")], team="West")
    score_calls(store, FAKE, rubric_id=RUBRIC, workers=1)
    edited = template_text(RUBRIC).replace("Asks no questions", "Asks no question at all")
    add_rubric_text(store, edited, "edited")
    score_calls(store, FAKE, rubric_id=RUBRIC, workers=1)

    detail = show_call(store, "call-000", default_rubric=RUBRIC)
    assert detail.rubric_version == 2 and [r.scorer for r in detail.runs] == ["fake"]
    assert detail.rubric is not None and "Asks no question at all" in str(detail.rubric.criteria)
    assert {(r.rubric_version, r.scorer) for r in detail.available} == {(1, "fake"), (2, "fake")}
    cited = detail.evidence_segments()
    assert cited and all(detail.call.segments[s].is_rep for s in cited)

    dana = Viewer("dana", Role.REP, rep="Dana Ortiz")
    assert show_call(store, "call-000", viewer=dana).call.external_id == "call-000"
    with pytest.raises(NotFoundError, match="no call 'call-001'"):
        show_call(store, "call-001", viewer=dana)  # a colleague's call: as if unknown
    with pytest.raises(NotFoundError, match="no call 'nope'"):
        show_call(store, "nope")
    with pytest.raises(NotFoundError, match="no rubric"):
        show_call(store, "call-000", rubric_id="no-such-rubric")


def test_a_call_deleted_while_being_scored_fails_alone(store: Store) -> None:
    from sqlalchemy import delete

    from callcoach.store.models import CallRow

    seeded(store, n=3, short=0)

    class DeletingScorer(FakeScorer):
        def score(self, request: ScoringRequest) -> CallScore:
            if request.call.external_id == "call-001":
                with store.unit_of_work() as uow:
                    uow.session.execute(delete(CallRow).where(CallRow.external_id == "call-001"))
            return super().score(request)

    summary = score_calls(
        store, FAKE, rubric_id=RUBRIC, workers=1, build=lambda c: DeletingScorer()
    )

    assert summary.scored == 2
    assert [f.call_id for f in summary.failures] == ["call-001"]
    assert "could not save the score" in summary.failures[0].reason
    assert_one_run_per_call(store, 2)
