"""A running job's progress and heartbeat, written to its record.

Progress is written at most twice a second (`PROGRESS_WRITE_INTERVAL_S`): pages poll it, and
the database must not be kept busy by a bar. A heartbeat thread writes the time every
heartbeat interval even when the work reports nothing for a while (a long transcription), so
recovery can tell a slow job from a dead one. Each write is a compare-and-set on the attempt
the runner claimed, and answers whether someone asked the job to stop.
"""

from __future__ import annotations

import logging
import threading
import time
from types import TracebackType

from callcoach.domain.jobs import JobProgress
from callcoach.services.common import Progress
from callcoach.services.jobs.registry import (
    JobCancelledError,
    JobInterruptedError,
    JobLostError,
)
from callcoach.store.uow import Store

log = logging.getLogger(__name__)

PROGRESS_WRITE_INTERVAL_S = 0.5


class Heartbeat:
    """A daemon thread beating for one attempt of one job while the block runs."""

    def __init__(self, store: Store, job_id: int, attempt: int, interval_s: float) -> None:
        self.store = store
        self.job_id = job_id
        self.attempt = attempt
        self.interval_s = interval_s
        self.lost = False  # the job was handed to another runner
        self.cancel_requested = False
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"callcoach-heartbeat-{job_id}", daemon=True
        )

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                with self.store.unit_of_work() as uow:
                    mine, cancel = uow.jobs.beat(self.job_id, self.attempt)
            except Exception as exc:  # the database is busy or away: the next beat may pass
                log.warning("job %s: heartbeat not written (%s)", self.job_id, exc)
                continue
            self.lost = self.lost or not mine
            self.cancel_requested = self.cancel_requested or cancel


class JobProgressWriter:
    """The services' Progress protocol for a running job: written to its record (at most twice
    a second), echoed to `echo` (a Rich bar in the CLI), and the place where a cancelled,
    lost or interrupted job stops."""

    def __init__(
        self,
        store: Store,
        job_id: int,
        attempt: int,
        *,
        echo: Progress | None = None,
        heartbeat: Heartbeat | None = None,
        stopping: threading.Event | None = None,
        interval_s: float = PROGRESS_WRITE_INTERVAL_S,
    ) -> None:
        self.store = store
        self.job_id = job_id
        self.attempt = attempt
        self.echo = echo
        self.heartbeat = heartbeat
        self.stopping = stopping
        self.interval_s = interval_s
        self.description = ""
        self.done = 0
        self.total: int | None = None
        self._last_write = 0.0

    @property
    def snapshot(self) -> JobProgress:
        return JobProgress(self.done, self.total, self.description)

    def start(self, description: str, total: int | None) -> None:
        self.description = description
        self.total = total
        self.done = 0
        if self.echo is not None:
            self.echo.start(description, total)
        self._write(force=True)

    def advance(self, amount: int = 1) -> None:
        self.done += amount
        if self.echo is not None:
            self.echo.advance(amount)
        self._write()

    def _write(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_write < self.interval_s:
            self.check()
            return
        self._last_write = now
        with self.store.unit_of_work() as uow:
            mine, cancel = uow.jobs.beat(self.job_id, self.attempt, progress=self.snapshot)
        if not mine:
            raise JobLostError(f"job {self.job_id} was handed to another runner")
        if cancel:
            raise JobCancelledError("cancelled")
        self.check()

    def check(self) -> None:
        """Stop here if the job was cancelled, handed on, or its process is stopping."""
        if self.heartbeat is not None:
            if self.heartbeat.lost:
                raise JobLostError(f"job {self.job_id} was handed to another runner")
            if self.heartbeat.cancel_requested:
                raise JobCancelledError("cancelled")
        if self.stopping is not None and self.stopping.is_set():
            raise JobInterruptedError("the process running it is stopping")
