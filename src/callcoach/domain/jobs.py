"""Background work: what a job is, the states it moves through, and when its runner is dead.

Every background job (an audio import, scoring one call, scoring a selection of calls, and the
review and practice work to come) is one record with the same fields, whichever queue runs it:
its kind, who started it, its status and attempts, its progress, its result or error, and the
identity and heartbeat of the process running it. Kinds are registered in
`callcoach.services.jobs.kinds`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

# A running job's process writes a heartbeat every interval; a job whose last heartbeat is
# older than this many intervals is taken for dead by recovery on another machine (on the same
# machine the process table tells at once). Several beats, so that a busy database (SQLite's
# write lock held by a long import) or a paused virtual machine does not pass for a death.
STALE_AFTER_BEATS = 6


class JobStatus(StrEnum):
    """queued -> running -> done | failed | cancelled.

    A failed attempt that will be retried, and a job whose process died while attempts remain,
    are `queued` again with the reason in `error`; a job whose attempts are used up is `failed`.
    """

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED)


class JobBackend(StrEnum):
    """Which queue runs a job: a thread pool inside a callcoach process, or Celery workers."""

    INPROCESS = "inprocess"
    CELERY = "celery"


@dataclass(frozen=True)
class Runner:
    """The process running a job: host, process id, and when that process started (a process
    id is reused after a process dies; with its start time it names one process only)."""

    host: str
    pid: int
    started_at: datetime

    def describe(self) -> str:
        return f"process {self.pid} on {self.host}"


@dataclass(frozen=True)
class JobProgress:
    done: int = 0
    total: int | None = None
    message: str = ""

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return max(0, min(100, round(100 * self.done / self.total)))


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    key: str
    status: JobStatus
    attempts: int
    error: str | None
    task_id: str | None
    worker: str | None  # a label for people: the Celery worker's name, or "serve"/"cli"
    payload: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    owner: str | None = None  # the user who started it ("cli" for the command line)
    backend: JobBackend = JobBackend.INPROCESS
    queue: str = "default"
    max_attempts: int = 5
    progress: JobProgress = field(default_factory=JobProgress)
    runner: Runner | None = None
    heartbeat_at: datetime | None = None
    cancel_requested: bool = False
    not_before: datetime | None = None  # a retry waits until then

    @property
    def active(self) -> bool:
        return not self.status.finished


def heartbeat_is_stale(
    heartbeat_at: datetime | None, now: datetime, interval_s: float, beats: int = STALE_AFTER_BEATS
) -> bool:
    """Whether a runner that beats every `interval_s` seconds has missed `beats` beats."""
    if heartbeat_at is None:
        return True
    return now - heartbeat_at > timedelta(seconds=interval_s * beats)


def stale_after_s(interval_s: float, beats: int = STALE_AFTER_BEATS) -> float:
    return interval_s * beats
