"""The composition root: settings in, wired objects out. Nothing connects until called."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from callcoach.scoring.registry import ScorerConfig
from callcoach.services.common import ServiceError
from callcoach.settings import Settings
from callcoach.store.db import Database
from callcoach.store.uow import Store


class DatabaseNotReadyError(ServiceError):
    pass


@dataclass
class Container:
    """Everything a command, a web request or a worker task needs, built once per process."""

    settings: Settings
    store: Store
    _cache: dict[str, Any] = field(default_factory=dict)

    def close(self) -> None:
        self.store.close()

    def scorer_config(self, name: str | None = None, **options: Any) -> ScorerConfig:
        """A picklable scorer configuration from settings; `options` override or add to them."""
        name = name or self.settings.scorer
        s = self.settings
        base: dict[str, Any] = {}
        embedded = {
            "embedding_backend": s.embedding_backend,
            **({"embedding_model": s.embedding_model} if s.embedding_model else {}),
            **({"model_cache": s.model_cache} if s.model_cache else {}),
        }
        if name == "embedded":
            base = embedded
        elif name == "llm":
            base = {
                "base_url": s.llm_base_url,
                "model": s.llm_model,
                "api_key": s.llm_api_key,
                "timeout": s.llm_timeout,
                "concurrency": s.llm_concurrency,
                "max_retries": s.llm_max_retries,
                "embedded": embedded,
            }
        return ScorerConfig(name=name, options={**base, **options})


def bootstrap(
    settings: Settings | None = None, *, require_current: bool = True, **overrides: Any
) -> Container:
    """Build the container. `overrides` replace settings (the CLI's --db, tests' URLs)."""
    settings = settings or Settings()
    if overrides:
        settings = settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})
    store = Store(Database(settings.db))
    if require_current and not store.is_current():
        store.close()
        raise DatabaseNotReadyError(
            f"the database {store.database.display_url} is not initialised or is out of date: "
            "run `callcoach init` first"
        )
    return Container(settings=settings, store=store)


def job_queue(container: Container) -> Any:
    """The queue `--queue` commands send jobs to (Celery on the broker in settings)."""
    queue = container._cache.get("job_queue")
    if queue is None:
        from callcoach.jobs.celery_app import CeleryTaskQueue, create_app

        settings = container.settings
        app = create_app(settings.broker_url, visibility_timeout=settings.job_visibility_timeout)
        queue = container._cache["job_queue"] = CeleryTaskQueue(app, settings.broker_url)
    return queue


def worker_app(settings: Settings, *, cpu_threads: int = 0) -> Any:
    """The Celery app of `callcoach worker`: each worker process bootstraps its own container."""
    from functools import partial

    from callcoach.jobs.celery_app import WorkerConfig, create_app

    config = WorkerConfig(container_factory=partial(bootstrap, settings), cpu_threads=cpu_threads)
    return create_app(
        settings.broker_url,
        visibility_timeout=settings.job_visibility_timeout,
        worker_config=config,
    )
