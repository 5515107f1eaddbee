"""The LLM scoring path against a real HTTP server speaking the OpenAI protocol (issue 14).

The server answers from a script: answers that break the schema, quotes that cannot back a
level, an endpoint answering 500 to everything. Also: two concurrent re-scores of the same calls.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

import pytest

from callcoach.domain.access import Scope
from callcoach.domain.calls import Call, Rep, Segment, SpeakerRole
from callcoach.domain.rubric import Rubric
from callcoach.domain.scores import CallScore, ScoreStatus
from callcoach.scoring.base import ScoringRequest
from callcoach.scoring.fake import FakeScorer
from callcoach.scoring.registry import ScorerConfig
from callcoach.services.scoring.runs import score_calls
from callcoach.store.uow import Store
from tests.integration.openai_script import Reply, judgement, scripted_endpoint

EVERYONE = Scope.system("test: read the whole organisation")

RUBRIC = Rubric.model_validate(
    {
        "id": "llm-faults",
        "name": "Discovery and close",
        "criteria": [
            {
                "id": crit,
                "name": crit.title(),
                "weight": weight,
                "description": f"How well the rep handles {crit}.",
                "anchors": {n: f"{crit} level {n}." for n in range(1, 6)},
            }
            for crit, weight in (("discovery", 60), ("close", 40))
        ],
    }
)
LINES = [
    "Hi Sam, thanks for joining today.",
    "Typing orders into a spreadsheet takes us all Friday.",
    "How many hours does that take each week?",
    "About ten hours.",
    "Can we meet Thursday at ten to plan the rollout?",
    "Yes, Thursday works.",
]
DISCOVERY_QUOTE = (2, "How many hours does that take each week?")
CLOSE_QUOTE = (4, "Can we meet Thursday at ten")


def make_call(index: int) -> Call:
    segments = [
        Segment(
            n,
            "Dana Ortiz" if n % 2 == 0 else "Sam Lee",
            SpeakerRole.REP if n % 2 == 0 else SpeakerRole.PROSPECT,
            text if n else f"{text} (call {index})",
            n * 4.0,
            n * 4.0 + 3.5,
        )
        for n, text in enumerate(LINES)
    ]
    return Call(f"call-{index}", segments, rep="Dana Ortiz", date=datetime(2026, 9, 1 + index))


def add_calls(store: Store, count: int) -> None:
    with store.unit_of_work() as uow:
        uow.rubrics.add(RUBRIC)
        rep, _ = uow.people.upsert_rep(Rep(name="Dana Ortiz"))
        for index in range(count):
            uow.calls.save(make_call(index), rep.id, None)


def config(base_url: str, **extra: Any) -> ScorerConfig:
    options = {
        "base_url": base_url,
        "model": "scripted",
        "full_transcript": True,
        "concurrency": 1,
        "max_retries": 1,
        "backoff_base": 0.01,
        "timeout": 20,
        **extra,
    }
    return ScorerConfig("llm", options)


def criterion_of(body: dict[str, Any]) -> str:
    first_user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    return "discovery" if "criterion discovery" in first_user else "close"


def stored(store: Store, call_id: str = "call-0") -> CallScore:
    with store.unit_of_work() as uow:
        (score,) = [s for s in uow.scores.for_call(call_id, scope=EVERYONE) if s.scorer == "llm"]
    return score


def cached_answers(store: Store) -> int:
    with store.unit_of_work() as uow:
        return uow.llm_cache.count()


def test_quotes_of_the_prospect_or_of_one_word_back_no_level_and_are_never_cached(
    sqlite_store: Store,
) -> None:
    add_calls(sqlite_store, 1)
    answers = {
        "discovery": judgement(5, [(1, "Typing orders into a spreadsheet")]),  # the prospect's
        "close": judgement(5, [(4, "Thursday")]),  # the rep's, but one word
    }

    def script(body: dict[str, Any]) -> Reply:
        return 200, answers[criterion_of(body)]

    with scripted_endpoint(script) as endpoint:
        first = score_calls(sqlite_store, config(endpoint.base_url), rubric_id=RUBRIC.id)
        score = stored(sqlite_store)
        assert first.scored == 0 and score.status is ScoreStatus.FAILED
        assert [c.level for c in score.criteria] == [None, None]
        assert "Sam Lee's, not the rep's" in (score.reason or "")
        assert "must have at least 3 words" in score.criteria[1].rationale
        assert cached_answers(sqlite_store) == 0  # a failed answer is never kept

        # The model now quotes the rep properly: the failed call is asked again, not served
        # its old answer from the cache.
        answers.update(discovery=judgement(4, [DISCOVERY_QUOTE]), close=judgement(3, [CLOSE_QUOTE]))
        asked = len(endpoint.requests)
        second = score_calls(sqlite_store, config(endpoint.base_url), rubric_id=RUBRIC.id)
        assert second.scored == 1 and len(endpoint.requests) == asked + 2
        assert [c.level for c in stored(sqlite_store).criteria] == [4, 3]
        assert cached_answers(sqlite_store) == 2


def test_level_true_is_an_invalid_answer_and_the_reason_says_so(sqlite_store: Store) -> None:
    add_calls(sqlite_store, 1)

    def script(body: dict[str, Any]) -> Reply:
        quote = DISCOVERY_QUOTE if criterion_of(body) == "discovery" else CLOSE_QUOTE
        return 200, judgement(True, [quote])

    with scripted_endpoint(script) as endpoint:
        summary = score_calls(sqlite_store, config(endpoint.base_url), rubric_id=RUBRIC.id)
    score = stored(sqlite_store)
    assert summary.scored == 0 and score.status is ScoreStatus.FAILED
    assert [c.level for c in score.criteria] == [None, None]  # never stored as level 1
    reason = score.reason or ""
    assert "2 answer(s) not valid for the schema" in reason and "level" in reason
    assert "quote" not in reason.split("(first:")[0]


def test_no_cache_asks_the_model_again(sqlite_store: Store) -> None:
    add_calls(sqlite_store, 1)
    level = {"now": 2}

    def script(body: dict[str, Any]) -> Reply:
        quote = DISCOVERY_QUOTE if criterion_of(body) == "discovery" else CLOSE_QUOTE
        return 200, judgement(level["now"], [quote])

    with scripted_endpoint(script) as endpoint:
        score_calls(sqlite_store, config(endpoint.base_url), rubric_id=RUBRIC.id)
        level["now"] = 4
        cached = score_calls(
            sqlite_store, config(endpoint.base_url), rubric_id=RUBRIC.id, rescore=True
        )
        assert cached.counters["llm_cache_hits"] == 2
        assert [c.level for c in stored(sqlite_store).criteria] == [2, 2]
        fresh = score_calls(
            sqlite_store,
            config(endpoint.base_url, use_cache=False),
            rubric_id=RUBRIC.id,
            rescore=True,
        )
        assert fresh.counters.get("llm_cache_hits", 0) == 0
        assert [c.level for c in stored(sqlite_store).criteria] == [4, 4]


def test_an_endpoint_answering_500_to_everything_stops_the_run(sqlite_store: Store) -> None:
    add_calls(sqlite_store, 8)
    with scripted_endpoint(lambda body: (500, "internal error")) as endpoint:
        summary = score_calls(sqlite_store, config(endpoint.base_url), rubric_id=RUBRIC.id)
    assert summary.stopped and "taken to be down" in summary.stopped
    assert "HTTP 500" in summary.stopped
    # Two requests gave up (two attempts each), then the run stopped: not 8 calls x 2 attempts.
    assert len(endpoint.requests) == 4
    # The calls already handed to the pool fail without a request; the rest wait for a new run.
    assert summary.scored == 0 and summary.remaining >= 8 - 2 * 2
    with sqlite_store.unit_of_work() as uow:
        assert uow.scores.for_call("call-7", scope=EVERYONE) == []  # left for the next run


class BarrierScorer(FakeScorer):
    """Two runs score each call at the same moment, so their saves of it overlap."""

    barrier = threading.Barrier(2)

    def score(self, request: ScoringRequest) -> CallScore:
        result = super().score(request)
        try:
            self.barrier.wait(timeout=10)
        except threading.BrokenBarrierError:
            self.barrier.reset()
        return result


@pytest.mark.postgres
def test_two_concurrent_rescores_report_no_false_failures(store: Store) -> None:
    from tests.integration.scoring_calls import add_template_rubric, sales_call, store_calls

    add_template_rubric(store)
    store_calls(store, [sales_call(i) for i in range(12)])
    assert score_calls(store, ScorerConfig("fake"), rubric_id="one-call-close").scored == 12
    summaries = []

    def rescore() -> None:
        summaries.append(
            score_calls(
                store,
                ScorerConfig("fake"),
                rubric_id="one-call-close",
                rescore=True,
                workers=1,
                build=lambda _config: BarrierScorer(),
            )
        )

    threads = [threading.Thread(target=rescore) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [s.failures for s in summaries] == [[], []]
    assert [s.scored for s in summaries] == [12, 12]
    with store.unit_of_work() as uow:
        assert (
            len([s for s in uow.scores.all("one-call-close", scope=EVERYONE) if s.scorer == "fake"])
            == 12
        )
