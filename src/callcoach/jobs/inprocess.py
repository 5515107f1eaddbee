"""The in-process queue: jobs run by a pool of threads inside this process, for one machine.

The queue is the `jobs` table itself: submitting writes a queued row and wakes the pool; any
process with a pool (`callcoach serve`, `callcoach jobs run`) claims queued rows with a
compare-and-set, so jobs queued by a process that died are picked up by the next one. A command
that starts a job runs it itself, in the foreground with progress (`run_here`).

When the pool starts, and then every `RECOVERY_EVERY_BEATS` heartbeats, recovery resumes or
fails the jobs of processes that died (see `services.jobs.recovery`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from callcoach.domain.jobs import Job, JobBackend, JobStatus
from callcoach.services.common import Progress
from callcoach.services.jobs.liveness import now_utc, this_process
from callcoach.services.jobs.queue import claim_here, submit_job
from callcoach.services.jobs.recovery import RecoveryReport, recover_jobs
from callcoach.services.jobs.registry import JobRegistry, JobRequest, JobResources
from callcoach.services.jobs.runner import JobOutcome, RunOptions, execute

log = logging.getLogger(__name__)

IDLE_POLL_S = 2.0  # an idle pool looks for jobs queued by other processes this often
RECOVERY_EVERY_BEATS = 2


class InProcessQueue:
    """The TaskQueue port on threads of this process."""

    def __init__(
        self,
        resources: JobResources,
        registry: JobRegistry,
        *,
        threads: int,
        heartbeat_s: float,
        worker: str,
        cpu_threads: int = 0,
        idle_poll_s: float = IDLE_POLL_S,
        start_on_submit: bool = False,
    ) -> None:
        self.resources = resources
        self.registry = registry
        self.threads = max(1, threads)
        self.heartbeat_s = heartbeat_s
        self.worker = worker
        self.idle_poll_s = idle_poll_s
        # A server runs what is submitted to it; a command only queues it (it exits soon):
        # `callcoach jobs run` or a server picks it up.
        self.start_on_submit = start_on_submit
        self.runner = this_process()
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._pool: list[threading.Thread] = []
        self.options = RunOptions(
            runner=self.runner,
            worker=worker,
            heartbeat_s=heartbeat_s,
            cpu_threads=cpu_threads,
            stopping=self._stopping,
            follow_up=self.follow_up,
        )

    @property
    def backend(self) -> JobBackend:
        return JobBackend.INPROCESS

    @property
    def started(self) -> bool:
        return bool(self._pool)

    def check(self) -> None:
        return None  # nothing to reach: the queue is the database

    def submit(self, job: Job) -> str | None:
        if self.start_on_submit:
            self.start()
        self._wake.set()
        return None

    def follow_up(self, request: JobRequest) -> Job:
        """Queue a job a running job asks for (the scoring of a call it imported)."""
        job, _ = submit_job(
            self.resources.store,
            self,
            self.registry,
            request,
            default_attempts=self.resources.settings.job_max_attempts,
        )
        return job

    # --- the pool ------------------------------------------------------------------------

    def start(self) -> None:
        """Recover what dead processes left, then start the pool (once)."""
        with self._lock:
            if self._pool:
                return
            self.recover()
            self._stopping.clear()
            for number in range(self.threads):
                self._spawn(self._work, f"callcoach-jobs-{number + 1}")
            self._spawn(self._maintain, "callcoach-jobs-recovery")

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._pool.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        """Ask running jobs to stop at their next progress report (they go back to the queue,
        their attempt not counted) and wait for the pool."""
        self._stopping.set()
        self._wake.set()
        deadline = time.monotonic() + timeout
        for thread in self._pool:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        self._pool = []

    def recover(self) -> RecoveryReport:
        return recover_jobs(
            self.resources.store,
            JobBackend.INPROCESS,
            heartbeat_s=self.heartbeat_s,
            me=self.runner,
        )

    def _claim(self) -> Job | None:
        with self.resources.store.unit_of_work() as uow:
            return uow.jobs.claim_next(JobBackend.INPROCESS, self.runner, worker=self.worker)

    def _work(self) -> None:
        while not self._stopping.is_set():
            try:
                job = self._claim()
                if job is not None:
                    execute(self.resources, self.registry, job, self.options)
                    continue
            except Exception:  # a database hiccup must not end the pool
                log.exception("in-process job queue: claiming or running a job failed")
            self._wake.wait(self.idle_poll_s)
            self._wake.clear()

    def _maintain(self) -> None:
        while not self._stopping.wait(self.heartbeat_s * RECOVERY_EVERY_BEATS):
            try:
                if self.recover().resumed:
                    self._wake.set()
            except Exception:
                log.exception("in-process job queue: recovery failed")

    # --- commands running a job in the foreground ----------------------------------------

    def run_here(self, request: JobRequest, echo: Progress | None = None) -> JobOutcome:
        """Run the job in this thread, as a command does: recover first, then claim it (a job
        with the same key left by a killed command is continued) and run it to its end.
        A failure is final here (no automatic retry): the command reports it."""
        self.recover()
        settings = self.resources.settings
        job, claimed = claim_here(
            self.resources.store,
            self.registry,
            request,
            self.runner,
            worker=self.worker,
            heartbeat_s=self.heartbeat_s,
            default_attempts=settings.job_max_attempts,
        )
        if not claimed:
            detail = (
                f"already running in {job.runner.describe()}"
                if job.status is JobStatus.RUNNING and job.runner
                else f"already {job.status.value}"
            )
            return JobOutcome(job.status, ran=False, error=detail, job_id=job.id)
        options = RunOptions(
            runner=self.runner,
            worker=self.worker,
            heartbeat_s=self.heartbeat_s,
            cpu_threads=self.options.cpu_threads,
            retry=False,
            follow_up=self.follow_up,
        )
        return execute(self.resources, self.registry, job, options, echo=echo)

    def drain(self, echo: Callable[[Job], Progress | None] | None = None) -> list[JobOutcome]:
        """Run every queued in-process job here, one after another, until none is left
        (waiting out retry backoffs); `callcoach jobs run`."""
        self.recover()
        outcomes: list[JobOutcome] = []
        while True:
            job = self._claim()
            if job is None:
                wait = self._next_retry_in()
                if wait is None:
                    return outcomes
                time.sleep(min(wait, self.idle_poll_s))
                continue
            outcomes.append(
                execute(
                    self.resources,
                    self.registry,
                    job,
                    self.options,
                    echo=echo(job) if echo else None,
                )
            )

    def _next_retry_in(self) -> float | None:
        with self.resources.store.unit_of_work() as uow:
            queued = [
                j for j in uow.jobs.list([JobStatus.QUEUED]) if j.backend is JobBackend.INPROCESS
            ]
        if not queued:
            return None
        now = now_utc()
        return max(
            0.05,
            min((j.not_before - now).total_seconds() if j.not_before else 0.0 for j in queued),
        )
