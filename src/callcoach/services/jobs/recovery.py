"""Recovery: a job left running by a dead process is resumed or failed, never left running.

Run when an in-process queue starts (`callcoach serve`, and every command that uses the queue)
and then periodically; Celery workers run it for Celery jobs beside the broker's visibility
timeout. For each running job of the backend whose runner is dead (`liveness.judge_runner`):

- cancelled while it ran: it is marked cancelled;
- attempts left: it goes back to the queue (the work is idempotent: a resumed batch skips what
  the dead attempt finished), and for Celery a new message is sent;
- attempts used up: it is marked failed, with the reason.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from callcoach.domain.jobs import Job, JobBackend, JobStatus, Runner
from callcoach.services.jobs.liveness import judge_runner
from callcoach.services.jobs.runner import lost_reason
from callcoach.store.uow import Store

log = logging.getLogger(__name__)


@dataclass
class RecoveryReport:
    resumed: list[Job] = field(default_factory=list)
    failed: list[Job] = field(default_factory=list)
    cancelled: list[Job] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.resumed) + len(self.failed) + len(self.cancelled)

    def describe(self) -> str:
        parts = []
        if self.resumed:
            parts.append(f"{len(self.resumed)} resumed ({_ids(self.resumed)})")
        if self.failed:
            parts.append(f"{len(self.failed)} failed ({_ids(self.failed)})")
        if self.cancelled:
            parts.append(f"{len(self.cancelled)} cancelled ({_ids(self.cancelled)})")
        return "; ".join(parts)


def _ids(jobs: list[Job]) -> str:
    return ", ".join(str(j.id) for j in jobs)


def recover_jobs(
    store: Store,
    backend: JobBackend,
    *,
    heartbeat_s: float,
    me: Runner | None = None,
    resubmit: Callable[[Job], str | None] | None = None,
) -> RecoveryReport:
    """Resume or fail the running jobs of `backend` whose process is dead.

    `me`: this process (its own jobs are alive by definition).
    `resubmit`: sends a resumed job's message again (Celery); the in-process queue needs none,
    its queue is the table.
    """
    report = RecoveryReport()
    with store.unit_of_work() as uow:
        running = uow.jobs.running(backend)
    for job in running:
        if me is not None and job.runner == me:
            continue  # this process is alive and runs it
        verdict = judge_runner(job, heartbeat_s)
        if verdict.alive:
            continue
        with store.unit_of_work() as uow:
            if job.cancel_requested:
                if uow.jobs.end_dead(job.id, job.attempts, JobStatus.CANCELLED, "cancelled"):
                    report.cancelled.append(job)
            elif job.attempts >= job.max_attempts:
                if uow.jobs.end_dead(
                    job.id, job.attempts, JobStatus.FAILED, lost_reason(job, verdict.reason)
                ):
                    report.failed.append(job)
            elif uow.jobs.release(
                job.id,
                job.attempts,
                error=f"attempt {job.attempts} of {job.max_attempts} stopped: {verdict.reason}; "
                "resumed",
            ):
                report.resumed.append(job)
            else:
                continue  # someone else changed it meanwhile
        if resubmit is not None and job in report.resumed:
            try:
                task_id = resubmit(job)
            except Exception as exc:  # broker away: the visibility timeout redelivers later
                log.warning("job %s: resumed, but its message was not sent (%s)", job.id, exc)
                continue
            with store.unit_of_work() as uow:
                uow.jobs.set_task(job.id, task_id)
    if report.count:
        log.warning("recovered jobs left by stopped processes: %s", report.describe())
    return report
