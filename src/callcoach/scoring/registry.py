"""The registry of scorers. A new scorer is one module plus one line in `_FACTORIES`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from callcoach.scoring.base import Scorer


@dataclass(frozen=True)
class ScorerConfig:
    """Plain, picklable settings a scorer is built from (in this process or a worker)."""

    name: str
    options: dict[str, Any] = field(default_factory=dict)


def _fake(config: ScorerConfig) -> Scorer:
    from callcoach.scoring.fake import FakeScorer

    return FakeScorer()


def _llm(config: ScorerConfig) -> Scorer:
    from callcoach.scoring.llm.scorer import build_llm_scorer

    return build_llm_scorer(config.options)


def _embedded(config: ScorerConfig) -> Scorer:
    from callcoach.scoring.embedded import EmbeddedScorer

    return EmbeddedScorer(
        model_path=config.options.get("embedding_model"),
        backend=config.options.get("embedding_backend"),
        model_cache=config.options.get("model_cache"),
        precision=config.options.get("embedding_precision"),
    )


_FACTORIES: dict[str, Callable[[ScorerConfig], Scorer]] = {
    "embedded": _embedded,
    "fake": _fake,
    "llm": _llm,
}


def scorer_names() -> list[str]:
    return sorted(_FACTORIES)


def build_scorer(config: ScorerConfig) -> Scorer:
    try:
        factory = _FACTORIES[config.name]
    except KeyError:
        raise KeyError(
            f"unknown scorer {config.name!r}; scorers: {', '.join(scorer_names())}"
        ) from None
    return factory(config)
