"""The LLM scorer end to end against a real llama.cpp server (SmolLM2-135M-Instruct).

SmolLM2-135M judges poorly; these tests prove the protocol, the schema, quote verification,
token accounting, caching and retries against a real OpenAI-compatible server.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import pytest

from callcoach.domain.access import Scope
from callcoach.domain.calls import Call, Rep, Segment, SpeakerRole
from callcoach.domain.rubric import Rubric
from callcoach.domain.scores import CallScore, ScoreStatus
from callcoach.scoring.evidence import verify_quote
from callcoach.scoring.llm.prompt import Judgement
from callcoach.scoring.registry import ScorerConfig
from callcoach.services.scoring.runs import CallSelection, score_calls
from callcoach.store.uow import Store
from tests.integration.llm.conftest import Exchange, Proxy

EVERYONE = Scope.system("test: read the whole organisation")

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("llama-server")]

RUBRIC = Rubric.model_validate(
    {
        "id": "llm-test",
        "name": "Discovery and close",
        "criteria": [
            {
                "id": "discovery",
                "name": "Discovery",
                "weight": 50,
                "description": "Did the rep ask open questions about the prospect's problem?",
                "anchors": {
                    1: "Asks no questions.",
                    2: "Asks only closed questions.",
                    3: "Asks some open questions.",
                    4: "Asks open questions and follows up.",
                    5: "Uncovers the problem and its cost through follow-ups.",
                },
            },
            {
                "id": "close",
                "name": "Close attempt",
                "weight": 50,
                "description": "Did the rep ask for a clear next step?",
                "anchors": {
                    1: "Never asks for a commitment.",
                    2: "Asks vaguely.",
                    3: "Proposes a next step once.",
                    4: "Asks for a dated next step.",
                    5: "Secures a confirmed, dated commitment.",
                },
            },
        ],
    }
)

LINES = [
    [
        "Hi Sam, thanks for joining.",
        "Happy to.",
        "What slows your team down today?",
        "Typing orders into a spreadsheet.",
        "How many hours does that take each week?",
        "About ten hours.",
        "Can we meet Thursday at ten to plan the rollout?",
        "Yes, Thursday works.",
    ],
    [
        "Hello, thanks for your time.",
        "Sure.",
        "Let me show you our dashboard.",
        "Okay.",
        "It has reports and an API.",
        "Sounds fine.",
        "Have a think and let me know.",
        "Will do.",
    ],
]


def short_call(index: int) -> Call:
    segments = []
    for number, text in enumerate(LINES[index]):
        rep = number % 2 == 0
        segments.append(
            Segment(
                index=number,
                speaker="Dana Ortiz" if rep else "Sam Lee",
                role=SpeakerRole.REP if rep else SpeakerRole.PROSPECT,
                text=text,
                start=number * 4.0,
                end=number * 4.0 + 3.5,
            )
        )
    return Call(
        external_id=f"llm-call-{index}",
        segments=segments,
        rep="Dana Ortiz",
        date=datetime(2026, 9, 1 + index, 10, 0),
    )


@pytest.fixture
def llm_store(sqlite_store: Store) -> Store:
    with sqlite_store.unit_of_work() as uow:
        uow.rubrics.add(RUBRIC)
        rep, _ = uow.people.upsert_rep(Rep(name="Dana Ortiz"))
        for index in range(len(LINES)):
            uow.calls.save(short_call(index), rep.id, None)
    return sqlite_store


def config(proxy: Proxy, **extra: Any) -> ScorerConfig:
    options: dict[str, Any] = {
        "base_url": proxy.base_url,
        "model": "smollm2-135m",
        "max_tokens": 200,
        "max_evidence": 2,
        "quote_chars": 80,
        "rationale_chars": 100,
        "concurrency": 2,
        "timeout": 120,
        "backoff_base": 0.2,
    }
    options.update(extra)
    return ScorerConfig("llm", options)


def llm_runs(store: Store) -> dict[str, CallScore]:
    with store.unit_of_work() as uow:
        return {
            r.call_id: r for r in uow.scores.all(RUBRIC.id, scope=EVERYONE) if r.scorer == "llm"
        }


def subject(exchange: Exchange) -> tuple[str, str]:
    """(call id, criterion id) a request is about, read from its first user message."""
    user = next(m["content"] for m in exchange.request["messages"] if m["role"] == "user")
    call = re.search(r"^Call (\S+?)[,.]", user, re.MULTILINE)
    criterion = re.search(r"Score criterion (\S+) \(", user)
    assert call and criterion, user
    return call.group(1), criterion.group(1)


def answer_of(exchange: Exchange) -> str:
    assert exchange.response is not None
    content: str = exchange.response["choices"][0]["message"]["content"]
    return content


def test_scores_a_call_through_a_real_llama_cpp_server(llm_store: Store, llm_proxy: Proxy) -> None:
    calls = {"llm-call-0": short_call(0)}
    one_call = CallSelection(call_ids=tuple(calls))

    summary = score_calls(llm_store, config(llm_proxy), rubric_id=RUBRIC.id, selection=one_call)

    # Protocol: the call was answered by the server (nothing crashed or timed out).
    assert not [f for f in summary.failures if not f.stored], summary.failures
    assert summary.scored + len(summary.failures) == len(calls)
    assert summary.mode == "threads"
    first = llm_proxy.exchanges[0]
    assert first.request["response_format"]["type"] == "json_schema"
    answered = [e for e in llm_proxy.exchanges if e.status == 200]
    assert answered, [e.status for e in llm_proxy.exchanges]
    # llama-cpp-python rejects the OpenAI json_schema form; the client fell back to its own.
    assert all(
        e.request["response_format"] == {"type": "json_object", "schema": ANY_SCHEMA}
        for e in answered
    )
    for exchange in answered:
        system = exchange.request["messages"][0]["content"]
        for crit in RUBRIC.criteria:
            assert all(anchor in system for anchor in crit.anchors.values())
        user = exchange.request["messages"][1]["content"]
        assert re.search(r"^\[\d+\] 00:00:\d\d REP Dana Ortiz: ", user, re.MULTILINE)
        # Evidence-first: the embedded scorer picked the segments shown.
        assert "Excerpts of the transcript" in user
        Judgement.model_validate(json.loads(answer_of(exchange)))  # the schema held
    assert "full_transcript_fallbacks" not in summary.counters
    assert summary.counters["llm_requests"] == len(answered)

    # Quote verification, counted independently from what the server actually said.
    rejected = 0
    for exchange in answered:
        call_id, _ = subject(exchange)
        for item in json.loads(answer_of(exchange))["evidence"][:2]:
            if verify_quote(calls[call_id], item["segment"], item["quote"]) is None:
                rejected += 1
    assert summary.quotes_rejected == rejected
    runs = llm_runs(llm_store)
    assert set(runs) == set(calls)
    for run in runs.values():
        assert run.scorer_version.endswith("smollm2-135m")
        for crit in run.criteria:
            for item in crit.evidence:
                assert item.quote in calls[run.call_id].segments[item.segment].text
            if crit.level is None:
                assert crit.confidence == 0 and crit.rationale.startswith("Level withheld")
            else:
                assert crit.evidence
        if run.status is ScoreStatus.FAILED:
            assert all(c.level is None for c in run.criteria)

    # Token counts stored per criterion are what the server reported for its requests.
    usage: dict[tuple[str, str], list[int]] = {}
    for exchange in answered:
        assert exchange.response is not None
        totals = usage.setdefault(subject(exchange), [0, 0])
        totals[0] += exchange.response["usage"]["prompt_tokens"]
        totals[1] += exchange.response["usage"]["completion_tokens"]
    for run in runs.values():
        for crit in run.criteria:
            assert [crit.prompt_tokens, crit.completion_tokens] == usage[
                (run.call_id, crit.criterion_id)
            ]
    assert summary.counters["prompt_tokens_spent"] == sum(t[0] for t in usage.values())

    # Caching: only answers that passed every check were stored; scoring again serves those
    # from the cache and asks the server again only for the criteria whose answer failed.
    with llm_store.unit_of_work() as uow:
        stored = uow.llm_cache.count()
    assert stored <= len(answered)
    sent = len(llm_proxy.exchanges)
    again = score_calls(
        llm_store, config(llm_proxy), rubric_id=RUBRIC.id, rescore=True, selection=one_call
    )
    assert again.counters.get("llm_cache_hits", 0) == stored
    asked = [e for e in llm_proxy.exchanges[sent:] if e.status == 200]  # (the schema probe: 500)
    assert len(asked) == again.counters.get("llm_requests", 0)
    if stored < len(answered):
        return  # a re-asked criterion may be answered differently: nothing more to compare
    assert not asked
    rerun = llm_runs(llm_store)
    for call_id, run in runs.items():
        assert [(c.level, c.evidence, c.prompt_tokens) for c in rerun[call_id].criteria] == [
            (c.level, c.evidence, c.prompt_tokens) for c in run.criteria
        ]

    # Full-transcript mode sends every segment.
    score_calls(
        llm_store,
        config(llm_proxy, full_transcript=True),
        rubric_id=RUBRIC.id,
        rescore=True,
        selection=one_call,
    )
    full = [e for e in llm_proxy.exchanges[sent:] if e.status == 200]
    assert full
    for exchange in full:
        user = exchange.request["messages"][1]["content"]
        assert "Full transcript" in user
        assert all("] 00:00:" in line for line in user.splitlines() if line.startswith("["))
        assert sum(1 for line in user.splitlines() if line.startswith("[")) == len(LINES[0])


class _AnySchema:
    def __eq__(self, other: object) -> bool:
        return isinstance(other, dict) and other.get("type") == "object"


ANY_SCHEMA = _AnySchema()


def test_429_500_and_timeouts_are_retried_until_the_server_answers(
    llm_store: Store, llm_proxy: Proxy
) -> None:
    timeout = 20.0  # generous for a short request, even on a busy machine
    llm_proxy.script = ["429", "500", "stall"]
    llm_proxy.stall_seconds = timeout + 2

    summary = score_calls(
        llm_store,
        config(llm_proxy, timeout=timeout, concurrency=1, full_transcript=True),
        rubric_id=RUBRIC.id,
        selection=CallSelection(call_ids=("llm-call-1",)),
    )

    assert [e.action for e in llm_proxy.exchanges[:3]] == ["429", "500", "stall"]
    assert not [f for f in summary.failures if not f.stored], summary.failures
    assert summary.counters["http_retries"] >= 3
    assert summary.scored + len(summary.failures) == 1
    assert any(e.status == 200 for e in llm_proxy.forwarded)
    assert "llm-call-1" in llm_runs(llm_store)


def test_an_unreachable_endpoint_stops_the_run_with_the_reason(llm_store: Store) -> None:
    from tests.integration.llm.conftest import free_port

    dead = ScorerConfig(
        "llm",
        {
            "base_url": f"http://127.0.0.1:{free_port()}/v1",
            "model": "x",
            "max_retries": 1,
            "backoff_base": 0.05,
            "full_transcript": True,
            "concurrency": 1,
        },
    )

    summary = score_calls(llm_store, dead, rubric_id=RUBRIC.id)

    assert summary.stopped and "connection failed" in summary.stopped
    assert summary.scored == 0 and summary.failures[0].stored is False
    assert summary.remaining == len(LINES) - len(summary.failures)
    assert llm_runs(llm_store) == {}
