"""The Celery app: Redis broker, late acknowledgement, one message at a time per process.

Reliability settings, and why:
- `task_acks_late`: a message is acknowledged when its task has finished, not when it starts,
  so a worker killed mid-task leaves the message to be delivered again.
- `task_reject_on_worker_lost`: when a pool process dies (killed, out of memory) its message
  goes back to the queue at once instead of being acknowledged as failed.
- `worker_prefetch_multiplier=1`: a process holds one message, not four: a long transcription
  does not hold other messages hostage, and a killed worker takes no queued work with it.
- `visibility_timeout`: a message taken by a worker that vanished entirely (machine lost,
  SIGKILL of the whole worker) is handed out again after this many seconds.
- JSON only: messages carry a job id; nothing is unpickled from the network.

The app knows nothing of bootstrap: the worker command passes a container factory in, and each
worker process builds its container (database engine, models) on its first task.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from celery import Celery

from callcoach.domain.jobs import JobKind
from callcoach.scoring.registry import ScorerConfig
from callcoach.services.common import ServiceError
from callcoach.settings import Settings
from callcoach.store.uow import Store

TASK_NAMES = {JobKind.TRANSCRIBE: "callcoach.transcribe", JobKind.SCORE: "callcoach.score"}
# One queue per kind, so machines can specialise (`callcoach worker --queues transcribe`).
QUEUES = {JobKind.TRANSCRIBE: "transcribe", JobKind.SCORE: "score"}
RESTORE_INTERVAL_S = 10  # how often a worker looks for messages of vanished workers


class WorkerContainer(Protocol):
    """What a task needs from the composition root."""

    @property
    def store(self) -> Store: ...

    @property
    def settings(self) -> Settings: ...

    def scorer_config(self, name: str | None = None, **options: Any) -> ScorerConfig:
        """The scorer as this machine's settings configure it (keys stay out of the queue)."""
        ...


@dataclass(frozen=True)
class WorkerConfig:
    """Given by the worker command: how each worker process builds what tasks use."""

    container_factory: Callable[[], WorkerContainer]
    cpu_threads: int = 0  # threads per process for transcription (0: CTranslate2 decides)


class CallcoachCelery(Celery):  # type: ignore[misc]
    """A Celery app that can hand each worker process its own container."""

    worker_config: WorkerConfig | None = None
    _container: tuple[int, WorkerContainer] | None = None
    _container_lock = threading.Lock()

    def container(self) -> WorkerContainer:
        if self.worker_config is None:
            raise RuntimeError("this Celery app was not started by `callcoach worker`")
        with self._container_lock:
            # Keyed by process id: a forked pool process must not reuse its parent's engine.
            if self._container is None or self._container[0] != os.getpid():
                self._container = (os.getpid(), self.worker_config.container_factory())
            return self._container[1]


def create_app(
    broker_url: str,
    *,
    visibility_timeout: int = 3600,
    worker_config: WorkerConfig | None = None,
) -> CallcoachCelery:
    app = CallcoachCelery("callcoach", broker=broker_url, backend=broker_url, set_as_current=False)
    transport: dict[str, Any] = {
        "visibility_timeout": visibility_timeout,
        "unacked_restore_interval": min(RESTORE_INTERVAL_S, max(1, visibility_timeout // 2)),
        "unacked_restore_throttle": 1,
    }
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_expires=24 * 3600,
        broker_transport_options=transport,
        result_backend_transport_options={"visibility_timeout": visibility_timeout},
        broker_connection_retry_on_startup=True,
        task_routes={TASK_NAMES[kind]: {"queue": QUEUES[kind]} for kind in JobKind},
        task_default_queue=QUEUES[JobKind.SCORE],
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )
    app.worker_config = worker_config
    from callcoach.jobs.tasks import register_tasks

    register_tasks(app)
    return app


class CeleryTaskQueue:
    """The services' TaskQueue port, sending to the broker of a Celery app."""

    def __init__(self, app: Celery, broker_url: str) -> None:
        self.app = app
        self.broker_url = broker_url

    def check(self) -> None:
        try:
            with self.app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=5)
        except Exception as exc:
            raise ServiceError(
                f"cannot reach the job broker at {self.broker_url} ({exc}); start Redis or set "
                "CALLCOACH_BROKER_URL, or run without --queue to do the work here"
            ) from exc

    def submit(self, kind: JobKind, job_id: int) -> str:
        result = self.app.send_task(TASK_NAMES[kind], args=[job_id], queue=QUEUES[kind])
        return str(result.id)
