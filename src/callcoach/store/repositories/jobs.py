"""Jobs: one row per unit of queued work, unique per (kind, key) so enqueueing is idempotent."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callcoach.domain.jobs import Job, JobKind, JobStatus
from callcoach.store.models import CallRow, JobRow
from callcoach.store.repositories.calls import now_utc


def to_job(row: JobRow) -> Job:
    return Job(
        id=row.id,
        kind=JobKind(row.kind),
        key=row.key,
        status=JobStatus(row.status),
        attempts=row.attempts,
        error=row.error,
        task_id=row.task_id,
        worker=row.worker,
        payload=dict(row.payload or {}),
        result=dict(row.result) if row.result is not None else None,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


class JobRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _row(self, job_id: int, for_update: bool = False) -> JobRow | None:
        query = select(JobRow).where(JobRow.id == job_id)
        if for_update:
            # PostgreSQL: two deliveries of one job claim it one after the other.
            query = query.with_for_update()
        return self.session.scalar(query)

    def get(self, job_id: int, for_update: bool = False) -> Job | None:
        row = self._row(job_id, for_update)
        return to_job(row) if row else None

    def find(self, kind: JobKind, key: str) -> Job | None:
        row = self.session.scalar(select(JobRow).where(JobRow.kind == kind, JobRow.key == key))
        return to_job(row) if row else None

    def add(self, kind: JobKind, key: str, payload: dict[str, Any]) -> Job:
        row = JobRow(
            kind=kind.value,
            key=key,
            status=JobStatus.QUEUED.value,
            attempts=0,
            payload=payload,
            created_at=now_utc(),
        )
        self.session.add(row)
        self.session.flush()
        return to_job(row)

    def requeue(self, job_id: int, payload: dict[str, Any] | None = None) -> Job:
        """Back to queued with a fresh count of attempts (a retry asked for by a person)."""
        row = self._require(job_id)
        row.status = JobStatus.QUEUED.value
        row.attempts = 0
        row.error = None
        row.result = None
        row.task_id = None
        row.started_at = row.finished_at = None
        if payload is not None:
            row.payload = payload
        self.session.flush()
        return to_job(row)

    def set_task(self, job_id: int, task_id: str) -> None:
        self._require(job_id).task_id = task_id

    def mark_running(self, job_id: int, task_id: str | None, worker: str | None) -> Job:
        row = self._require(job_id)
        row.status = JobStatus.RUNNING.value
        row.attempts += 1
        row.task_id = task_id or row.task_id
        row.worker = worker
        row.started_at = now_utc()
        row.finished_at = None
        self.session.flush()
        return to_job(row)

    def mark_done(self, job_id: int, result: dict[str, Any]) -> None:
        row = self._require(job_id)
        row.status = JobStatus.DONE.value
        row.result = result
        row.error = None
        row.finished_at = now_utc()

    def mark_failed(self, job_id: int, error: str) -> None:
        row = self._require(job_id)
        row.status = JobStatus.FAILED.value
        row.error = error
        row.finished_at = now_utc()

    def mark_retrying(self, job_id: int, error: str) -> None:
        row = self._require(job_id)
        row.status = JobStatus.QUEUED.value
        row.error = error

    def list(
        self,
        statuses: Iterable[JobStatus] = (),
        kind: JobKind | None = None,
        limit: int | None = None,
    ) -> list[Job]:
        query = select(JobRow).order_by(JobRow.id)
        wanted = [s.value for s in statuses]
        if wanted:
            query = query.where(JobRow.status.in_(wanted))
        if kind is not None:
            query = query.where(JobRow.kind == kind.value)
        if limit is not None:
            query = query.limit(limit)
        return [to_job(row) for row in self.session.scalars(query)]

    def counts(self) -> dict[JobStatus, int]:
        rows = self.session.execute(select(JobRow.status, func.count()).group_by(JobRow.status))
        found = {JobStatus(status): int(count) for status, count in rows}
        return {status: found.get(status, 0) for status in JobStatus}

    def imported_audio(self, hashes: Iterable[str]) -> dict[str, str]:
        """Recordings already imported: audio hash -> external id of the call made from it."""
        wanted = list(set(hashes))
        if not wanted:
            return {}
        rows = self.session.execute(
            select(CallRow.audio_hash, CallRow.external_id).where(CallRow.audio_hash.in_(wanted))
        )
        return {str(digest): str(external_id) for digest, external_id in rows}

    def _require(self, job_id: int) -> JobRow:
        row = self._row(job_id)
        if row is None:
            raise LookupError(f"no job {job_id}")
        return row
