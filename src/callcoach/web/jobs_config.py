"""Which scorer a re-score started from the browser uses: the configured default (CALLCOACH_SCORER).

A thin adapter: when the composition root offers `Container.scorer_config(name)` it is used, so
the web and `callcoach score` build scorers the same way; until then the options come from the
settings here.
"""

from __future__ import annotations

from typing import Any

from callcoach.bootstrap import Container
from callcoach.scoring.registry import ScorerConfig


def scorer_config_for(container: Container, name: str | None = None) -> ScorerConfig:
    settings = container.settings
    name = name or settings.scorer
    builder = getattr(container, "scorer_config", None)
    if callable(builder):
        config = builder(name)
        if isinstance(config, ScorerConfig):
            return config
    options: dict[str, Any] = {}
    if name == "embedded" and settings.embedding_model:
        options["embedding_model"] = settings.embedding_model
    if name == "llm":
        options = {
            "base_url": settings.llm_base_url,
            "model": settings.llm_model,
            "api_key": settings.llm_api_key,
            "timeout": settings.llm_timeout,
            "max_retries": settings.llm_max_retries,
            "concurrency": settings.llm_concurrency,
        }
    return ScorerConfig(name, options)
