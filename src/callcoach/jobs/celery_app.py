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
- Besides it, every worker process reaps jobs whose runner is dead (stale heartbeat, or a
  process of this machine that is gone) every few heartbeats, and sends them again at once
  (`services.jobs.recovery`), so a killed worker's job does not wait for the timeout.
- JSON only: messages carry a job id; nothing is unpickled from the network.

One task runs every kind of job (`callcoach.run_job`); the message goes to the queue the kind
is registered with, so machines can specialise (`callcoach worker --queues transcribe`).

The app knows nothing of bootstrap: the worker command passes a container factory in, and each
worker process builds its container (database engine, models) after the fork.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from celery import Celery
from celery.signals import worker_process_init

from callcoach.domain.jobs import Job, JobBackend
from callcoach.services.common import ServiceError
from callcoach.services.jobs.recovery import recover_jobs
from callcoach.services.jobs.registry import JobRegistry, JobResources

log = logging.getLogger(__name__)

RUN_JOB_TASK = "callcoach.run_job"
RESTORE_INTERVAL_S = 10  # how often a worker looks for messages of vanished workers
REAP_EVERY_BEATS = 2  # a worker process looks for dead runners' jobs this often


@dataclass(frozen=True)
class WorkerConfig:
    """Given by the worker command: how each worker process builds what tasks use."""

    container_factory: Callable[[], JobResources]
    registry: JobRegistry
    cpu_threads: int = 0  # threads per process for transcription (0: CTranslate2 decides)


class CallcoachCelery(Celery):  # type: ignore[misc]
    """A Celery app that can hand each worker process its own container."""

    worker_config: WorkerConfig | None = None
    _container: tuple[int, JobResources] | None = None
    _container_lock = threading.Lock()

    def container(self) -> JobResources:
        if self.worker_config is None:
            raise RuntimeError("this Celery app was not started by `callcoach worker`")
        with self._container_lock:
            # Keyed by process id: a forked pool process must not reuse its parent's engine.
            if self._container is None or self._container[0] != os.getpid():
                self._container = (os.getpid(), self.worker_config.container_factory())
            return self._container[1]


def create_app(
    broker_url: str,
    registry: JobRegistry,
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
        task_default_queue=registry.queues[0] if registry.queues else "default",
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )
    app.worker_config = worker_config
    from callcoach.jobs.tasks import register_tasks

    register_tasks(app)
    if worker_config is not None:
        _reap_in_every_worker_process(app)
    return app


def _reap_in_every_worker_process(app: CallcoachCelery) -> None:
    """Each pool process, once forked, starts a thread that reaps dead runners' jobs."""

    def start_reaper(**_: Any) -> None:
        threading.Thread(
            target=_reap_forever, args=(app,), name="callcoach-reaper", daemon=True
        ).start()

    worker_process_init.connect(start_reaper, weak=False)


def _reap_forever(app: CallcoachCelery) -> None:
    from callcoach.services.jobs.liveness import this_process

    resources = app.container()
    settings = resources.settings
    queue = CeleryTaskQueue(app, settings.broker_url)
    stop = threading.Event()
    while True:
        try:
            recover_jobs(
                resources.store,
                JobBackend.CELERY,
                heartbeat_s=settings.job_heartbeat_interval,
                me=this_process(),
                resubmit=queue.submit,
            )
        except Exception:  # the database or broker is away: try again next time
            log.exception("reaping jobs of dead workers failed")
        if stop.wait(settings.job_heartbeat_interval * REAP_EVERY_BEATS):
            return


class CeleryTaskQueue:
    """The services' TaskQueue port, sending to the broker of a Celery app."""

    def __init__(self, app: Celery, broker_url: str) -> None:
        self.app = app
        self.broker_url = broker_url

    @property
    def backend(self) -> JobBackend:
        return JobBackend.CELERY

    def check(self) -> None:
        try:
            with self.app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=5)
        except Exception as exc:
            raise ServiceError(
                f"cannot reach the job broker at {self.broker_url} ({exc}); start Redis or set "
                "CALLCOACH_BROKER_URL, or run without --queue to do the work here"
            ) from exc

    def submit(self, job: Job) -> str:
        result = self.app.send_task(RUN_JOB_TASK, args=[job.id], queue=job.queue)
        return str(result.id)
