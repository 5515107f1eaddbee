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
        queue = self._cache.get("inprocess_queue")
        if queue is not None:
            queue.stop()
        self.store.close()

    def scorer_config(self, name: str | None = None, **options: Any) -> ScorerConfig:
        """A picklable scorer configuration from settings; `options` override or add to them."""
        name = name or self.settings.scorer
        s = self.settings
        base: dict[str, Any] = {}
        embedded = {
            "embedding_backend": s.embedding_backend,
            "embedding_precision": s.embedding_precision,
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


def job_registry(container: Container) -> Any:
    """The registry of job kinds (built-in kinds registered like any extension's)."""
    registry = container._cache.get("job_registry")
    if registry is None:
        from callcoach.services.jobs.kinds import default_registry

        registry = container._cache["job_registry"] = default_registry()
    return registry


def celery_queue(container: Container) -> Any:
    """The Celery queue on the broker in settings (`--queue` commands send work there)."""
    queue = container._cache.get("celery_queue")
    if queue is None:
        from callcoach.jobs.celery_app import CeleryTaskQueue, create_app

        settings = container.settings
        app = create_app(
            settings.broker_url,
            job_registry(container),
            visibility_timeout=settings.job_visibility_timeout,
        )
        queue = container._cache["celery_queue"] = CeleryTaskQueue(app, settings.broker_url)
    return queue


def inprocess_queue(container: Container, worker: str = "cli") -> Any:
    """This process's in-process queue. A server ("serve") runs its pool of job threads from
    the first job on; a command runs the jobs it starts in the foreground and leaves the rest
    queued for `callcoach jobs run` or a server."""
    queue = container._cache.get("inprocess_queue")
    if queue is None:
        from callcoach.jobs.inprocess import InProcessQueue

        settings = container.settings
        queue = container._cache["inprocess_queue"] = InProcessQueue(
            container,
            job_registry(container),
            threads=settings.job_threads,
            heartbeat_s=settings.job_heartbeat_interval,
            worker=worker,
            start_on_submit=worker == "serve",
        )
    return queue


def job_queue(container: Container, worker: str = "cli") -> Any:
    """The queue background jobs go to, as CALLCOACH_JOB_QUEUE says (inprocess or celery)."""
    if container.settings.job_queue == "celery":
        return celery_queue(container)
    return inprocess_queue(container, worker)


def queue_for_backend(container: Container, worker: str = "cli") -> Any:
    """For retrying a job on the queue that ran it."""
    from callcoach.domain.jobs import JobBackend

    def pick(backend: JobBackend) -> Any:
        if backend is JobBackend.CELERY:
            return celery_queue(container)
        return inprocess_queue(container, worker)

    return pick


def worker_app(settings: Settings, *, cpu_threads: int = 0) -> Any:
    """The Celery app of `callcoach worker`: each worker process bootstraps its own container."""
    from functools import partial

    from callcoach.jobs.celery_app import WorkerConfig, create_app
    from callcoach.services.jobs.kinds import default_registry

    registry = default_registry()
    config = WorkerConfig(
        container_factory=partial(bootstrap, settings), registry=registry, cpu_threads=cpu_threads
    )
    return create_app(
        settings.broker_url,
        registry,
        visibility_timeout=settings.job_visibility_timeout,
        worker_config=config,
    )
