"""The task: a thin wrapper that runs one job, of any registered kind, through the services.

A task receives a job id, never the work itself: the job row (payload, state, attempts) is the
truth, the message only says "look at job N". `services.jobs.runner.run_job` claims the row,
skips a job finished or running in a live process, runs the kind's work with progress and a
heartbeat, and records the outcome; a failed attempt comes back here as a delay, and the
message is sent again after it (exponential backoff).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from callcoach.domain.jobs import Job
from callcoach.services.jobs.liveness import this_process
from callcoach.services.jobs.queue import submit_job
from callcoach.services.jobs.registry import JobRequest
from callcoach.services.jobs.runner import RunOptions, backoff_seconds, run_job

if TYPE_CHECKING:
    from callcoach.jobs.celery_app import CallcoachCelery

log = logging.getLogger(__name__)


def _run(app: CallcoachCelery, task: Any, job_id: int) -> dict[str, Any]:
    container = app.container()
    config = app.worker_config
    assert config is not None
    settings = container.settings
    options = RunOptions(
        runner=this_process(),
        worker=str(task.request.hostname or "celery"),
        heartbeat_s=settings.job_heartbeat_interval,
        cpu_threads=config.cpu_threads,
        parallel=False,
        follow_up=lambda request: _follow_up(app, request),
    )
    try:
        outcome = run_job(container, config.registry, job_id, options, task_id=task.request.id)
    except Exception as exc:
        # The job's state could not even be read or written (database down): try the message
        # again later; the job row still says where it stands.
        retries = int(task.request.retries or 0)
        log.warning("job %s: could not record its state (%s); retrying", job_id, exc)
        raise task.retry(
            exc=exc, countdown=backoff_seconds(retries + 1), max_retries=settings.job_max_attempts
        ) from exc
    if outcome.retry_in is not None:
        raise task.retry(countdown=outcome.retry_in, max_retries=None)
    return {
        "job_id": job_id,
        "status": outcome.status.value,
        "ran": outcome.ran,
        "error": outcome.error,
    }


def _follow_up(app: CallcoachCelery, request: JobRequest) -> Job:
    from callcoach.jobs.celery_app import CeleryTaskQueue

    container = app.container()
    config = app.worker_config
    assert config is not None
    queue = CeleryTaskQueue(app, container.settings.broker_url)
    job, _ = submit_job(
        container.store,
        queue,
        config.registry,
        request,
        default_attempts=container.settings.job_max_attempts,
    )
    return job


def register_tasks(app: CallcoachCelery) -> None:
    from callcoach.jobs.celery_app import RUN_JOB_TASK

    @app.task(bind=True, name=RUN_JOB_TASK)  # type: ignore[untyped-decorator]
    def run(self: Any, job_id: int) -> dict[str, Any]:
        """Run one job of any registered kind."""
        return _run(app, self, job_id)
