"""The tasks: thin wrappers that run one job through the services.

A task receives a job id, never the work itself: the job row (payload, state, attempts) is the
truth, the message only says "look at job N". `services.jobs.run_job` claims the row, skips a
job already finished, runs the work and records the outcome; a failed attempt comes back here
as a delay, and the message is sent again after it (exponential backoff).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from callcoach.domain.jobs import Job, JobKind
from callcoach.services.jobs.queue import backoff_seconds, run_job, score_work, transcribe_work

if TYPE_CHECKING:
    from callcoach.jobs.celery_app import CallcoachCelery, WorkerContainer

log = logging.getLogger(__name__)

Work = Callable[[Job], dict[str, Any]]


def _run(
    app: CallcoachCelery, task: Any, job_id: int, make_work: Callable[[WorkerContainer], Work]
) -> dict[str, Any]:
    container = app.container()
    max_attempts = container.settings.job_max_attempts
    try:
        outcome = run_job(
            container.store,
            job_id,
            make_work(container),
            task_id=task.request.id,
            worker=task.request.hostname,
            max_attempts=max_attempts,
        )
    except Exception as exc:
        # The job's state could not even be read or written (database down): try the message
        # again later; the job row still says where it stands.
        retries = int(task.request.retries or 0)
        log.warning("job %s: could not record its state (%s); retrying", job_id, exc)
        raise task.retry(
            exc=exc, countdown=backoff_seconds(retries + 1), max_retries=max_attempts
        ) from exc
    if outcome.retry_in is not None:
        raise task.retry(countdown=outcome.retry_in, max_retries=None)
    return {
        "job_id": job_id,
        "status": outcome.status.value,
        "ran": outcome.ran,
        "error": outcome.error,
    }


def register_tasks(app: CallcoachCelery) -> None:
    def transcribe_job(container: WorkerContainer) -> Work:
        threads = app.worker_config.cpu_threads if app.worker_config else 0
        return transcribe_work(container.store, container.settings.whisper_model, threads)

    def score_job(container: WorkerContainer) -> Work:
        return score_work(container.store, container.scorer_config)

    from callcoach.jobs.celery_app import TASK_NAMES

    @app.task(bind=True, name=TASK_NAMES[JobKind.TRANSCRIBE])  # type: ignore[untyped-decorator]
    def transcribe(self: Any, job_id: int) -> dict[str, Any]:
        """Transcribe and import one recording."""
        return _run(app, self, job_id, transcribe_job)

    @app.task(bind=True, name=TASK_NAMES[JobKind.SCORE])  # type: ignore[untyped-decorator]
    def score(self: Any, job_id: int) -> dict[str, Any]:
        """Score one call against one rubric with one scorer."""
        return _run(app, self, job_id, score_job)
