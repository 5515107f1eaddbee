"""The LLM scorer: any OpenAI-compatible chat endpoint judges each criterion, quotes are verified.

Per criterion, one request (see llm_prompt). Evidence-first mode (the default) sends only the
candidate segments the embedded scorer picks for that criterion, with a segment of context either
side; full-transcript mode sends everything.

Every quote is checked against the segment it cites (`verify_quote`). A quote that is not there
is never stored. When an answer has such a quote, no quote at all, or is not valid JSON for the
schema, the model is asked once more with the problem spelled out. What survives:

- at least one verified quote: the level is kept; dropped quotes lower the confidence in
  proportion (confidence x verified / cited) and the rationale says how many were dropped;
- no verified quote after the second answer: the level is *withheld* (stored as no level, with
  confidence 0 and a rationale giving the level the model proposed and why it is not shown). A
  level nobody can check against the call's own words is not shown to a rep, and the call's
  overall is computed from the criteria that do have a level;
- no criterion with a level: the call is marked failed with the reason (the next run retries it).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
from pydantic import ValidationError

from callcoach.domain.calls import Call
from callcoach.domain.rubric import Criterion, Rubric
from callcoach.domain.scores import CallScore, CriterionScore, Evidence, ScoreStatus
from callcoach.llm.client import ChatAnswer, ChatClient, LlmEndpoint, parse_json_content
from callcoach.scoring.base import Scorer, ScoringRequest, unscorable_reason
from callcoach.scoring.evidence import evidence_problem, verify_quote
from callcoach.scoring.llm.prompt import (
    PROMPT_VERSION,
    Judgement,
    answer_schema,
    candidate_windows,
    retry_message,
    system_message,
    user_message,
)

CandidateSelector = Callable[..., dict[str, list[int]]]


@runtime_checkable
class ResponseCache(Protocol):
    """Where answers are kept between runs (the runner plugs in the database)."""

    def get(self, key: str) -> dict[str, Any] | None: ...

    def put(self, key: str, response: dict[str, Any]) -> None: ...


class MemoryCache:
    """The default cache: this process only."""

    def __init__(self) -> None:
        self._items: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            return self._items.get(key)

    def put(self, key: str, response: dict[str, Any]) -> None:
        with self._lock:
            self._items.setdefault(key, response)


@dataclass(frozen=True)
class LlmOptions:
    """Scorer options (ScorerConfig.options), with the defaults a hosted model needs."""

    endpoint: LlmEndpoint
    full_transcript: bool = False
    per_criterion: int = 3  # candidate segments per criterion in evidence-first mode
    max_evidence: int = 3
    max_tokens: int = 800
    use_cache: bool = True  # False: ask the model again (the new valid answers are still kept)
    quote_chars: int = 300
    rationale_chars: int = 600
    embedded: dict[str, Any] = field(default_factory=dict)  # options of the candidate picker

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> LlmOptions:
        endpoint_keys = set(LlmEndpoint.__dataclass_fields__)
        own_keys = set(cls.__dataclass_fields__) - {"endpoint"}
        unknown = set(options) - endpoint_keys - own_keys
        if unknown:
            raise ValueError(f"unknown llm scorer option(s): {', '.join(sorted(unknown))}")
        endpoint = LlmEndpoint(**{k: v for k, v in options.items() if k in endpoint_keys})
        return cls(endpoint=endpoint, **{k: v for k, v in options.items() if k in own_keys})


@dataclass
class _Attempt:
    content: str
    judgement: Judgement | None
    problem: str | None
    prompt_tokens: int | None
    completion_tokens: int | None
    verified: list[Evidence] = field(default_factory=list)
    rejected: int = 0
    not_found: int = 0  # quotes not in the segments they cite
    refusals: list[str] = field(default_factory=list)  # why verbatim quotes were not evidence


def _load_candidate_selector() -> CandidateSelector | None:
    try:
        from callcoach.scoring.candidates import select_candidates
    except ImportError:
        return None
    return select_candidates


class LlmScorer:
    """Implements the Scorer protocol; `io_bound` tells the runner to use threads, not processes."""

    name = "llm"
    io_bound = True

    def __init__(
        self,
        options: LlmOptions,
        *,
        client: ChatClient | None = None,
        embedder_factory: Callable[[], Scorer | None] | None = None,
        candidate_selector: CandidateSelector | None = None,
    ) -> None:
        self.options = options
        self.client = client or ChatClient(options.endpoint)
        self.version = f"prompt {PROMPT_VERSION}, {options.endpoint.model}"[:100]
        self.concurrency = max(1, options.endpoint.concurrency)
        self._cache: ResponseCache = MemoryCache()
        self._embedder_factory = embedder_factory or self._default_embedder
        self._embedder: Scorer | None = None
        self._embedder_built = False
        self._selector = candidate_selector
        self._picker_lock = threading.Lock()  # the embedding model is not shared across threads
        self._schema = answer_schema(
            options.max_evidence, options.quote_chars, options.rationale_chars
        )

    def use_cache(self, cache: ResponseCache) -> None:
        self._cache = cache

    def close(self) -> None:
        """End the run: pending retries give up, open connections close."""
        self.client.close()

    # -- the candidate picker (the embedded scorer's embeddings) -------------------------------

    def _default_embedder(self) -> Scorer | None:
        from callcoach.scoring.registry import ScorerConfig, build_scorer

        try:
            return build_scorer(ScorerConfig("embedded", dict(self.options.embedded)))
        except KeyError:
            return None  # the embedded scorer is not installed: evidence-first falls back

    def _picker(self) -> Scorer | None:
        if self.options.full_transcript:
            return None
        with self._picker_lock:
            if not self._embedder_built:
                self._embedder = self._embedder_factory()
                self._embedder_built = True
            return self._embedder

    @property
    def embedding_model(self) -> str | None:
        picker = self._picker()
        return picker.embedding_model if picker is not None else None

    def embed(self, call: Call) -> np.ndarray | None:
        picker = self._picker()
        if picker is None:
            return None
        with self._picker_lock:
            return picker.embed(call)

    def _candidates(self, request: ScoringRequest) -> dict[str, list[int]] | None:
        """Candidate segments per criterion, or None to send the full transcript."""
        picker = self._picker()
        selector = self._selector or _load_candidate_selector()
        if picker is None or selector is None:
            return None
        embeddings = request.embeddings
        with self._picker_lock:
            if embeddings is None:
                embeddings = picker.embed(request.call)
            return selector(
                request.call,
                request.rubric,
                embeddings,
                scorer=picker,
                per_criterion=self.options.per_criterion,
                guidance=request.guidance,
            )

    # -- asking and checking ---------------------------------------------------------------------

    def _cache_key(self, call: Call, rubric: Rubric, crit: Criterion, messages: Any) -> str:
        digest = hashlib.sha256(
            json.dumps(messages, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()
        parts = {
            "transcript": call.content_hash,
            "rubric": rubric.content_hash,
            "criterion": crit.id,
            "model": self.options.endpoint.model,
            "prompt": PROMPT_VERSION,
            "messages": digest,
            "max_tokens": self.options.max_tokens,
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()

    def _ask(
        self,
        call: Call,
        rubric: Rubric,
        crit: Criterion,
        messages: list[dict[str, str]],
        stats: Counter[str],
    ) -> _Attempt:
        """One answer, checked. A stored answer is used only while it still passes every check
        (one that fails is asked again); only answers that pass are stored (a failure is never
        served from the cache)."""
        key = self._cache_key(call, rubric, crit, messages)
        cached = self._cache.get(key) if self.options.use_cache else None
        if cached is not None:
            stats["llm_cache_hits"] += 1
            answer = ChatAnswer(
                content=str(cached["content"]),
                prompt_tokens=cached.get("prompt_tokens"),
                completion_tokens=cached.get("completion_tokens"),
                finish_reason=cached.get("finish_reason"),
            )
            attempt = self._check(call, answer, Counter())
            if self._problem(attempt) is None:
                self._count(attempt, stats)
                return attempt
            stats["llm_cache_rejected"] += 1
        answer = self.client.complete(
            messages, schema=self._schema, max_tokens=self.options.max_tokens
        )
        stats["llm_requests"] += 1
        stats["http_retries"] += answer.retries
        stats["prompt_tokens_spent"] += answer.prompt_tokens or 0
        stats["completion_tokens_spent"] += answer.completion_tokens or 0
        attempt = self._check(call, answer, stats)
        self._count(attempt, stats)
        if self._problem(attempt) is None:
            self._cache.put(
                key,
                {
                    "content": answer.content,
                    "prompt_tokens": answer.prompt_tokens,
                    "completion_tokens": answer.completion_tokens,
                    "finish_reason": answer.finish_reason,
                },
            )
        return attempt

    def _check(self, call: Call, answer: ChatAnswer, stats: Counter[str]) -> _Attempt:
        attempt = _Attempt(
            content=answer.content,
            judgement=None,
            problem=None,
            prompt_tokens=answer.prompt_tokens,
            completion_tokens=answer.completion_tokens,
        )
        try:
            attempt.judgement = Judgement.model_validate(parse_json_content(answer.content))
        except (ValueError, ValidationError) as exc:
            cut = " (cut off at max_tokens)" if answer.finish_reason == "length" else ""
            attempt.problem = f"it is not valid JSON for the schema{cut}: {_short(exc)}"
            stats["invalid_answers"] += 1
        self._verify(call, attempt)
        return attempt

    def _verify(self, call: Call, attempt: _Attempt) -> None:
        if attempt.judgement is None:
            return
        seen: set[tuple[int, str]] = set()
        for item in attempt.judgement.evidence[: self.options.max_evidence]:
            evidence = verify_quote(call, item.segment, item.quote)
            refusal = None if evidence is None else evidence_problem(call, evidence)
            if evidence is None:
                attempt.rejected += 1
                attempt.not_found += 1
            elif refusal is not None:
                attempt.rejected += 1
                attempt.refusals.append(refusal)
            elif (evidence.segment, evidence.quote) not in seen:
                seen.add((evidence.segment, evidence.quote))
                attempt.verified.append(evidence)

    @staticmethod
    def _count(attempt: _Attempt, stats: Counter[str]) -> None:
        if attempt.rejected:
            stats["quotes_rejected"] += attempt.rejected
        stats["quotes_verified"] += len(attempt.verified)

    @staticmethod
    def _problem(attempt: _Attempt) -> str | None:
        if attempt.judgement is None:
            return attempt.problem
        problems = []
        if attempt.not_found:
            problems.append(
                f"{attempt.not_found} quote(s) are not in the segments they cite "
                "(a quote must be copied exactly from that one segment)"
            )
        problems.extend(dict.fromkeys(attempt.refusals))
        if problems:
            return "; ".join(problems)
        if not attempt.verified:
            return "it has no quote; every level needs at least one quote from the call"
        return None

    def _judge(
        self,
        call: Call,
        rubric: Rubric,
        crit: Criterion,
        shown: list[int] | None,
        candidates: list[int],
        stats: Counter[str],
        withheld: list[tuple[str, str]],
    ) -> CriterionScore:
        messages = [
            {"role": "system", "content": system_message(rubric, self.options.max_evidence)},
            {"role": "user", "content": user_message(call, crit, shown, candidates)},
        ]
        attempts = [self._ask(call, rubric, crit, messages, stats)]
        problem = self._problem(attempts[0])
        if problem is not None:
            stats["answers_retried"] += 1
            retry = [
                *messages,
                {"role": "assistant", "content": attempts[0].content},
                {"role": "user", "content": retry_message(problem)},
            ]
            attempts.append(self._ask(call, rubric, crit, retry, stats))
        prompt = [a.prompt_tokens for a in attempts if a.prompt_tokens is not None]
        completion = [a.completion_tokens for a in attempts if a.completion_tokens is not None]
        prompt_tokens = sum(prompt) if prompt else None
        completion_tokens = sum(completion) if completion else None
        usable = [a for a in attempts if a.judgement is not None]
        # The answer with the most verified quotes wins; on a tie the corrected (later) one.
        best = max(reversed(usable), key=lambda a: len(a.verified), default=None)
        if best is None or best.judgement is None:
            stats["levels_withheld"] += 1
            withheld.append(("invalid", attempts[-1].problem or "no answer"))
            return CriterionScore(
                criterion_id=crit.id,
                level=None,
                confidence=0.0,
                rationale=(
                    "Level withheld: the model did not give a usable answer after being asked "
                    f"twice ({attempts[-1].problem})."
                ),
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
            )
        judgement = best.judgement
        if not best.verified:
            stats["levels_withheld"] += 1
            withheld.append(("unbacked", self._problem(best) or "no quote"))
            why = (
                f"none of its {best.rejected} quote(s) can back a level ({self._problem(best)})"
                if best.rejected
                else "it quoted nothing from the call"
            )
            return CriterionScore(
                criterion_id=crit.id,
                level=None,
                confidence=0.0,
                rationale=(
                    f"Level withheld: the model proposed level {judgement.level}, but {why} "
                    f"(asked twice), so the level is not shown. Its reasoning: "
                    f"{judgement.rationale.strip()}"
                ),
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
            )
        cited = len(best.verified) + best.rejected
        rationale = judgement.rationale.strip()
        if best.rejected:
            rationale += (
                f" ({best.rejected} of the model's {cited} quotes were not found in the "
                "transcript and were dropped.)"
            )
        return CriterionScore(
            criterion_id=crit.id,
            level=judgement.level,
            confidence=round(judgement.confidence * len(best.verified) / cited, 3),
            rationale=rationale,
            evidence=best.verified,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
        )

    # -- the Scorer protocol ---------------------------------------------------------------------

    def score(self, request: ScoringRequest) -> CallScore:
        return self.score_with_stats(request)[0]

    def score_with_stats(self, request: ScoringRequest) -> tuple[CallScore, dict[str, int]]:
        """The score and what it took (requests, cache hits, rejected quotes, tokens spent)."""
        call, rubric = request.call, request.rubric
        stats: Counter[str] = Counter()
        result = CallScore(
            call_id=call.external_id,
            rubric_id=rubric.id,
            rubric_version=request.rubric_version,
            scorer=self.name,
            scorer_version=self.version,
            status=ScoreStatus.SCORED,
        )
        reason = unscorable_reason(call)
        if reason:
            result.status, result.reason = ScoreStatus.NOT_SCORABLE, reason
            return result, dict(stats)
        candidates = self._candidates(request)
        if candidates is None and not self.options.full_transcript:
            stats["full_transcript_fallbacks"] += 1
        withheld: list[tuple[str, str]] = []
        for crit in rubric.criteria:
            picked = [] if candidates is None else list(candidates.get(crit.id, []))
            shown = None if candidates is None else candidate_windows(call, picked)
            if shown is not None and not shown:
                shown = None  # no candidate at all: let the model read the whole call
            # The picker adds context turns; the rep's own turns are what the model should weigh.
            focus = [i for i in picked if 0 <= i < len(call.segments) and call.segments[i].is_rep]
            result.criteria.append(self._judge(call, rubric, crit, shown, focus, stats, withheld))
        levels = {c.criterion_id: c.level for c in result.criteria}
        result.overall = rubric.weighted_overall(dict(levels))
        if all(level is None for level in levels.values()):
            result.status = ScoreStatus.FAILED
            result.reason = _failure_reason(withheld)
        return result, dict(stats)


def _failure_reason(withheld: list[tuple[str, str]]) -> str:
    """Why no criterion got a level, by kind: an invalid answer is not "no quote found"."""
    parts = []
    for kind, label in (
        ("invalid", "answer(s) not valid for the schema"),
        ("unbacked", "answer(s) without a quote that can back a level"),
    ):
        details = [detail for k, detail in withheld if k == kind]
        if details:
            parts.append(f"{len(details)} {label} (first: {details[0]})")
    return "no criterion got a level: " + "; ".join(parts)


def _short(exc: Exception) -> str:
    text = str(exc).replace("\n", " ")
    return text if len(text) <= 200 else text[:197] + "..."


def build_llm_scorer(options: dict[str, Any]) -> LlmScorer:
    return LlmScorer(LlmOptions.from_options(options))
