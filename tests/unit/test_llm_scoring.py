"""The LLM scorer's rules, on answers scripted through httpx's MockTransport (no server needed):
retries and backoff, JSON-form fallback, quote verification with one retry, withheld levels,
candidate windows and the answer cache. The real-server tests are in tests/integration/llm/."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import numpy as np
import pytest

from callcoach.domain.calls import Call, Segment, SpeakerRole
from callcoach.domain.rubric import Rubric
from callcoach.domain.scores import ScoreStatus
from callcoach.llm.client import (
    ChatClient,
    LlmEndpoint,
    LlmError,
    LlmUnavailableError,
    retry_after_seconds,
)
from callcoach.scoring.base import ScoringRequest
from callcoach.scoring.llm.scorer import LlmOptions, LlmScorer, MemoryCache

RUBRIC = Rubric.model_validate(
    {
        "id": "r",
        "name": "R",
        "criteria": [
            {
                "id": crit,
                "name": crit.title(),
                "weight": 50,
                "description": f"{crit} behaviour",
                "anchors": {level: f"{crit} anchor {level}" for level in range(1, 6)},
            }
            for crit in ("discovery", "close")
        ],
    }
)
TEXTS = [
    "Thanks for joining today.",
    "Sure, happy to.",
    "What slows your team down when orders come in?",
    "Typing everything into a spreadsheet by hand.",
    "How many hours a week does that take?",
    "About ten, maybe more.",
    "Shall we book Thursday at ten to plan the rollout?",
    "Yes, Thursday works for us.",
]
CALL = Call(
    external_id="c1",
    segments=[
        Segment(
            i,
            "Dana" if i % 2 == 0 else "Sam",
            SpeakerRole.REP if i % 2 == 0 else SpeakerRole.PROSPECT,
            text,
            i * 5.0,
            i * 5.0 + 4,
        )
        for i, text in enumerate(TEXTS)
    ],
    rep="Dana",
)
ENDPOINT = LlmEndpoint(base_url="http://llm.test/v1", model="m", max_retries=3, backoff_base=0.5)


def completion(
    content: str | dict[str, Any], prompt: int = 100, completion: int = 20
) -> httpx.Response:
    text = content if isinstance(content, str) else json.dumps(content)
    return httpx.Response(
        200,
        json={
            "choices": [
                {"message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion},
        },
    )


def answer(level: int, *quotes: tuple[int, str], confidence: float = 0.8) -> dict[str, Any]:
    return {
        "evidence": [{"segment": s, "quote": q} for s, q in quotes],
        "rationale": f"matched anchor {level}",
        "level": level,
        "confidence": confidence,
    }


class Script:
    """Answers requests in order; records every request body."""

    def __init__(self, *responses: httpx.Response | Callable[[dict[str, Any]], httpx.Response]):
        self.responses = list(responses)
        self.requests: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.requests.append(body)
        item = self.responses.pop(0)
        return item(body) if callable(item) else item


def client(script: Script, endpoint: LlmEndpoint = ENDPOINT) -> tuple[ChatClient, list[float]]:
    waits: list[float] = []
    return ChatClient(endpoint, transport=httpx.MockTransport(script), sleep=waits.append), waits


def scorer(script: Script, **options: Any) -> LlmScorer:
    chat, _ = client(script)
    settings = LlmOptions(endpoint=ENDPOINT, full_transcript=True, **options)
    return LlmScorer(settings, client=chat)


def request() -> ScoringRequest:
    return ScoringRequest(call=CALL, rubric=RUBRIC, rubric_version=1)


# -- the client --------------------------------------------------------------------------------------


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    now = datetime(2026, 9, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Tue, 01 Sep 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_429_waits_as_told_and_5xx_backs_off_exponentially() -> None:
    script = Script(
        httpx.Response(429, headers={"Retry-After": "3"}, json={"error": {"message": "slow down"}}),
        httpx.Response(503, json={"error": {"message": "overloaded"}}),
        httpx.Response(502, text="bad gateway"),
        completion("{}"),
    )
    chat, waits = client(script)

    result = chat.complete([{"role": "user", "content": "hi"}], schema={}, max_tokens=10)

    assert result.content == "{}" and result.retries == 3
    assert waits[0] == 3.0  # Retry-After honoured
    assert 0.5 <= waits[1] <= 1.0 and 1.0 <= waits[2] <= 2.0  # base x 2^attempt, with jitter
    assert chat.stats.requests == 4 and chat.stats.retries == 3


def test_client_errors_are_not_retried_and_retries_are_bounded() -> None:
    chat, waits = client(Script(httpx.Response(401, json={"error": {"message": "bad key"}})))
    with pytest.raises(LlmError, match="401: bad key"):
        chat.complete([], schema={}, max_tokens=10)
    assert waits == []

    failing = Script(*[httpx.Response(500, text="boom")] * 4)
    chat, waits = client(failing)
    with pytest.raises(LlmError, match="gave up after 4 attempt"):
        chat.complete([], schema={}, max_tokens=10)
    assert len(waits) == 3


def test_an_unreachable_endpoint_is_reported_as_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    chat = ChatClient(ENDPOINT, transport=httpx.MockTransport(refuse), sleep=lambda s: None)
    with pytest.raises(LlmUnavailableError, match="connection failed"):
        chat.complete([], schema={}, max_tokens=10)


def test_the_json_form_falls_back_until_the_server_accepts_one() -> None:
    unsupported = httpx.Response(
        422, json={"detail": "response_format: Input should be 'text' or 'json_object'"}
    )
    script = Script(unsupported, completion("{}"), completion("{}"))
    chat, waits = client(script)

    chat.complete([], schema={"type": "object"}, max_tokens=10)
    chat.complete([], schema={"type": "object"}, max_tokens=10)

    assert script.requests[0]["response_format"]["type"] == "json_schema"
    assert script.requests[1]["response_format"] == {
        "type": "json_object",
        "schema": {"type": "object"},
    }
    assert script.requests[2]["response_format"]["type"] == "json_object"  # remembered
    assert waits == []  # a form the server does not speak is not a transient failure


def test_the_api_key_is_sent_as_a_bearer_token_and_never_printed() -> None:
    keyed = LlmEndpoint(base_url="http://llm.test/v1/", model="m", api_key="sk-secret")
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        assert str(request.url) == "http://llm.test/v1/chat/completions"
        return completion("{}")

    ChatClient(keyed, transport=httpx.MockTransport(handler)).complete([], schema={}, max_tokens=1)
    assert seen == ["Bearer sk-secret"]
    assert "sk-secret" not in repr(keyed)


# -- the scorer --------------------------------------------------------------------------------------


def test_verified_quotes_are_stored_as_the_calls_own_words() -> None:
    script = Script(
        completion(answer(4, (2, "what slows your team down"), (4, "How many hours"))),
        completion(answer(3, (6, "Shall we book Thursday at ten"))),
    )

    score, stats = scorer(script).score_with_stats(request())

    discovery, close = score.criteria
    assert discovery.level == 4 and discovery.confidence == 0.8
    assert [e.quote for e in discovery.evidence] == ["What slows your team down", "How many hours"]
    assert discovery.evidence[0].speaker == "Dana" and discovery.evidence[0].start == 10.0
    assert (discovery.prompt_tokens, discovery.completion_tokens) == (100, 20)
    assert close.level == 3
    assert score.status is ScoreStatus.SCORED and score.overall == 3.5
    assert "quotes_rejected" not in stats and stats["llm_requests"] == 2
    system, user = script.requests[0]["messages"]
    assert all(f"discovery anchor {level}" in system["content"] for level in range(1, 6))
    assert "[2] 00:00:10 REP Dana: What slows your team down" in user["content"]


def test_a_made_up_quote_is_asked_again_once_then_dropped() -> None:
    script = Script(
        # discovery: one real quote, one invented; asked again, the model repeats itself
        completion(answer(4, (2, "What slows your team down"), (2, "and your budget?"))),
        completion(answer(4, (2, "What slows your team down"), (2, "and your budget?"))),
        # close: invented, then corrected
        completion(answer(5, (6, "Let's sign the contract today"))),
        completion(answer(3, (6, "book Thursday at ten")), prompt=150),
    )

    score, stats = scorer(script).score_with_stats(request())

    discovery, close = score.criteria
    assert discovery.level == 4
    assert [e.quote for e in discovery.evidence] == ["What slows your team down"]
    assert discovery.confidence == pytest.approx(0.4)  # 1 of the 2 cited quotes held
    assert "1 of the model's 2 quotes were not found" in discovery.rationale
    assert close.level == 3 and close.evidence[0].quote == "book Thursday at ten"
    assert (close.prompt_tokens, close.completion_tokens) == (250, 40)  # both requests count
    assert stats["quotes_rejected"] == 3 and stats["answers_retried"] == 2
    retry = script.requests[1]["messages"]
    assert [m["role"] for m in retry] == ["system", "user", "assistant", "user"]
    assert "not in the segments they cite" in retry[3]["content"]


def test_a_level_without_any_verified_quote_is_withheld() -> None:
    invented = completion(answer(5, (2, "We guarantee results")))
    script = Script(invented, invented, completion("not json"), completion(answer(2)))

    score, stats = scorer(script).score_with_stats(request())

    discovery, close = score.criteria
    assert discovery.level is None and discovery.confidence == 0 and not discovery.evidence
    assert discovery.rationale.startswith("Level withheld: the model proposed level 5")
    assert close.level is None and "quoted nothing" in close.rationale
    assert score.status is ScoreStatus.FAILED and score.overall is None
    assert stats["levels_withheld"] == 2 and stats["invalid_answers"] == 1


def test_evidence_first_sends_only_the_candidate_windows() -> None:
    script = Script(
        completion(answer(4, (2, "What slows your team down"))),
        completion(answer(3, (6, "Shall we book Thursday"))),
    )
    picked: dict[str, list[int]] = {"discovery": [2], "close": [6]}

    class Embedder:
        name, version, embedding_model = "embedded", "1", "model-x"

        def embed(self, call: Call) -> np.ndarray:
            return np.zeros((len(call.segments), 4), dtype=np.float32)

    chat, _ = client(script)
    llm = LlmScorer(
        LlmOptions(endpoint=ENDPOINT),
        client=chat,
        embedder_factory=lambda: Embedder(),  # type: ignore[return-value]
        candidate_selector=lambda *args, **kwargs: picked,
    )
    assert llm.embedding_model == "model-x"

    score, _ = llm.score_with_stats(request())

    user = script.requests[0]["messages"][1]["content"]
    assert "Excerpts of the transcript (8 segments in all)" in user
    assert [line[:3] for line in user.splitlines() if line.startswith("[")] == ["[1]", "[2]", "[3]"]
    assert "(... segments 0-0 not shown ...)" in user and "segments 4-7 not shown" in user
    assert score.criteria[0].level == 4


def test_answers_come_from_the_cache_the_second_time() -> None:
    script = Script(
        completion(answer(4, (2, "What slows your team down"))),
        completion(answer(3, (6, "Shall we book Thursday"))),
    )
    cache = MemoryCache()
    first = scorer(script)
    first.use_cache(cache)
    first.score(request())

    second = scorer(Script())  # any request would fail: the script is empty
    second.use_cache(cache)
    score, stats = second.score_with_stats(request())

    assert stats == {"llm_cache_hits": 2, "quotes_verified": 2}
    assert [c.level for c in score.criteria] == [4, 3]
    assert score.criteria[0].prompt_tokens == 100  # what the answer cost when it was made


def test_confidence_given_as_a_percentage_or_out_of_range_is_read_sensibly() -> None:
    from callcoach.scoring.llm.prompt import Judgement

    def confidence(value: Any) -> float:
        return Judgement.model_validate(answer(3, confidence=value)).confidence

    assert confidence(80) == 0.8
    assert confidence(1.5) == 1.0
    assert confidence(-0.2) == 0.0
    assert confidence(0.35) == 0.35


def test_closing_the_client_stops_retrying_at_once() -> None:
    script = Script(*[httpx.Response(503, text="busy")] * 5)
    chat = ChatClient(ENDPOINT, transport=httpx.MockTransport(script))
    # The first backoff wait is where Ctrl-C lands: the run closes the client.
    chat._sleep = lambda seconds: chat.close()

    with pytest.raises(LlmError, match="stopped"):
        chat.complete([], schema={}, max_tokens=10)
    assert len(script.requests) == 1
