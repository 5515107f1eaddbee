"""The worker side of a scoring run: score one call, in this process, a thread or a worker process.

Worker processes build their scorer once, from a picklable ScorerConfig, and never touch the
database: the parent reads calls and stored embeddings, and writes every result. What is the
same for every call of a run (the guidance people taught, and whatever the scorer prepared from
it, such as the embedded scorer's fitted teaching) goes to each worker once, when it starts,
instead of with every call.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from callcoach.domain.scores import CallScore
from callcoach.llm.client import LlmUnavailableError
from callcoach.scoring.base import RubricGuidance, Scorer, ScoringRequest
from callcoach.scoring.registry import ScorerConfig
from callcoach.services.scoring.stopping import exit_with_parent
from callcoach.store.uow import Store

ScorerBuilder = Callable[[ScorerConfig], Scorer]


@dataclass
class WorkItem:
    call_pk: int
    request: ScoringRequest
    embed: bool  # compute embeddings when none are stored (the scorer uses them)
    run_guidance: bool = False  # the request's guidance is the run's, held by the worker


@dataclass
class WorkResult:
    call_pk: int
    call_id: str
    score: CallScore | None = None
    new_embeddings: np.ndarray | None = None
    stats: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    stops_run: bool = False  # the error will repeat for every call (endpoint unreachable)
    pid: int = 0


def score_one(scorer: Scorer, item: WorkItem) -> WorkResult:
    """Embed if needed, then score. Errors come back as values, so one bad call stops nothing."""
    request = item.request
    result = WorkResult(item.call_pk, request.call.external_id, pid=os.getpid())
    try:
        if request.embeddings is None and item.embed:
            result.new_embeddings = scorer.embed(request.call)
            request = replace(request, embeddings=result.new_embeddings)
        with_stats = getattr(scorer, "score_with_stats", None)
        if callable(with_stats):
            result.score, result.stats = with_stats(request)
        else:
            result.score = scorer.score(request)
    except Exception as exc:
        result.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        result.stops_run = isinstance(exc, LlmUnavailableError)
    return result


_worker_scorer: Scorer | None = None
_worker_guidance: RubricGuidance | None = None


def init_worker(
    config: ScorerConfig,
    build: ScorerBuilder,
    threads: int,
    guidance: RubricGuidance | None = None,
    prepared: Any = None,
) -> None:
    """Runs once in each worker process, before any call is sent to it."""
    global _worker_scorer, _worker_guidance
    # Ctrl-C is the parent's to handle: it stops the run and reports what was saved.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with_parent()  # never left running (holding a model) after the parent is killed
    # Share the cores between workers instead of every worker's math library using all of them.
    for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[variable] = str(threads)
    _worker_scorer = build(config)
    _worker_guidance = guidance
    adopt = getattr(_worker_scorer, "adopt_prepared", None)
    if prepared is not None and callable(adopt):
        adopt(prepared)


def score_in_worker(item: WorkItem) -> WorkResult:
    if _worker_scorer is None:
        raise RuntimeError("worker used before init_worker")
    if item.run_guidance:
        item = replace(item, request=replace(item.request, guidance=_worker_guidance))
    return score_one(_worker_scorer, item)


class StoreResponseCache:
    """The LLM scorer's answer cache, kept in the database (LlmCacheRow) across runs."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, key: str) -> dict[str, Any] | None:
        with self.store.unit_of_work() as uow:
            return uow.llm_cache.get(key)

    def put(self, key: str, response: dict[str, Any]) -> None:
        with self.store.unit_of_work() as uow:
            uow.llm_cache.put(key, response)
