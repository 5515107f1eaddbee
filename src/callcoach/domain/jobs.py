"""Queued work: what a job is and the states it moves through."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class JobKind(StrEnum):
    TRANSCRIBE = "transcribe"  # one recording: transcribe and import it
    SCORE = "score"  # one call against one rubric with one scorer


class JobStatus(StrEnum):
    """queued -> running -> done | failed. A failed attempt that will be retried is `queued`
    again with the reason in `error`; a job whose attempts are used up is `failed`."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class Job:
    id: int
    kind: JobKind
    key: str
    status: JobStatus
    attempts: int
    error: str | None
    task_id: str | None
    worker: str | None
    payload: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
