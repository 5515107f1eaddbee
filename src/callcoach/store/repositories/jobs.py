"""Jobs: one row per background job, unique per (kind, key) so enqueueing is idempotent.

Every change of a claimed job is a compare-and-set on (id, status, attempts): the attempt
number a runner claimed is its fencing token, so a runner that was taken for dead (and whose
job was handed to another) cannot overwrite the newer attempt's progress or outcome.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from callcoach.domain.jobs import Job, JobBackend, JobProgress, JobStatus, Runner
from callcoach.store.models import CallRow, JobRow
from callcoach.store.repositories.calls import now_utc

_CLAIM_CANDIDATES = 10  # queued jobs looked at per claim; another process may take some first


def to_job(row: JobRow) -> Job:
    runner = None
    if row.runner_host and row.runner_pid is not None and row.runner_started_at is not None:
        runner = Runner(row.runner_host, row.runner_pid, row.runner_started_at)
    return Job(
        id=row.id,
        kind=row.kind,
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
        owner=row.owner,
        backend=JobBackend(row.backend or JobBackend.INPROCESS.value),
        queue=row.queue or "default",
        max_attempts=row.max_attempts or 1,
        progress=JobProgress(
            row.progress_done or 0, row.progress_total, row.progress_message or ""
        ),
        runner=runner,
        heartbeat_at=row.heartbeat_at,
        cancel_requested=bool(row.cancel_requested),
        not_before=row.not_before,
    )


_NO_RUNNER: dict[str, Any] = {"runner_host": None, "runner_pid": None, "runner_started_at": None}


class JobRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _row(self, job_id: int, for_update: bool = False) -> JobRow | None:
        # Always read what the database holds: a compare-and-set in this session (or another
        # process) may have changed the row since this session last loaded it.
        query = select(JobRow).where(JobRow.id == job_id).execution_options(populate_existing=True)
        if for_update:
            # PostgreSQL: two deliveries of one job decide one after the other.
            query = query.with_for_update()
        return self.session.scalar(query)

    def get(self, job_id: int, for_update: bool = False) -> Job | None:
        row = self._row(job_id, for_update)
        return to_job(row) if row else None

    def find(self, kind: str, key: str) -> Job | None:
        row = self.session.scalar(select(JobRow).where(JobRow.kind == kind, JobRow.key == key))
        return to_job(row) if row else None

    def add(
        self,
        kind: str,
        key: str,
        payload: dict[str, Any],
        *,
        owner: str | None = None,
        backend: JobBackend = JobBackend.INPROCESS,
        queue: str = "default",
        max_attempts: int = 5,
    ) -> Job:
        row = JobRow(
            kind=kind,
            key=key,
            status=JobStatus.QUEUED.value,
            owner=owner,
            backend=backend.value,
            queue=queue,
            attempts=0,
            max_attempts=max_attempts,
            payload=payload,
            progress_done=0,
            cancel_requested=False,
            created_at=now_utc(),
        )
        self.session.add(row)
        self.session.flush()
        return to_job(row)

    def requeue(
        self,
        job_id: int,
        payload: dict[str, Any] | None = None,
        *,
        owner: str | None = None,
        backend: JobBackend | None = None,
        queue: str | None = None,
        max_attempts: int | None = None,
    ) -> Job:
        """Back to queued with a fresh count of attempts (asked for again, or a retry)."""
        row = self._require(job_id)
        row.status = JobStatus.QUEUED.value
        row.attempts = 0
        row.error = None
        row.result = None
        row.task_id = None
        row.worker = None
        row.started_at = row.finished_at = row.heartbeat_at = row.not_before = None
        row.runner_host = row.runner_started_at = None
        row.runner_pid = None
        row.progress_done, row.progress_total, row.progress_message = 0, None, None
        row.cancel_requested = False
        if payload is not None:
            row.payload = payload
        if owner is not None:
            row.owner = owner
        if backend is not None:
            row.backend = backend.value
        if queue is not None:
            row.queue = queue
        if max_attempts is not None:
            row.max_attempts = max_attempts
        self.session.flush()
        return to_job(row)

    def set_task(self, job_id: int, task_id: str | None) -> None:
        self._require(job_id).task_id = task_id

    # --- compare-and-set transitions of a claimed job ----------------------------------------

    def _cas(
        self, job_id: int, attempt: int, statuses: Sequence[JobStatus], values: dict[str, Any]
    ) -> bool:
        result = cast(
            CursorResult[Any],
            self.session.execute(
                update(JobRow)
                .where(
                    JobRow.id == job_id,
                    JobRow.attempts == attempt,
                    JobRow.status.in_([s.value for s in statuses]),
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            ),
        )
        return int(result.rowcount or 0) == 1

    def claim(
        self,
        job: Job,
        runner: Runner,
        *,
        worker: str | None,
        task_id: str | None = None,
        now: datetime | None = None,
    ) -> Job | None:
        """Start the job's next attempt in `runner`, unless someone else changed it since `job`
        was read (then None: another delivery or another process has it)."""
        now = now or now_utc()
        values: dict[str, Any] = {
            "status": JobStatus.RUNNING.value,
            "attempts": job.attempts + 1,
            "runner_host": runner.host,
            "runner_pid": runner.pid,
            "runner_started_at": runner.started_at,
            "heartbeat_at": now,
            "started_at": now,
            "finished_at": None,
            "not_before": None,
            "worker": worker,
        }
        if task_id is not None:
            values["task_id"] = task_id
        if not self._cas(job.id, job.attempts, (JobStatus.QUEUED, JobStatus.RUNNING), values):
            return None
        return self.get(job.id)

    def claim_next(
        self,
        backend: JobBackend,
        runner: Runner,
        *,
        worker: str | None,
        queues: Iterable[str] | None = None,
        now: datetime | None = None,
    ) -> Job | None:
        """The oldest queued job of this backend whose retry time has come, claimed."""
        now = now or now_utc()
        query = (
            select(JobRow)
            .where(
                JobRow.backend == backend.value,
                JobRow.status == JobStatus.QUEUED.value,
                (JobRow.not_before.is_(None)) | (JobRow.not_before <= now),
            )
            .order_by(JobRow.id)
            .limit(_CLAIM_CANDIDATES)
        )
        if queues is not None:
            query = query.where(JobRow.queue.in_(list(queues)))
        for row in list(self.session.scalars(query)):
            claimed = self.claim(to_job(row), runner, worker=worker, now=now)
            if claimed is not None:
                return claimed
        return None

    def beat(
        self,
        job_id: int,
        attempt: int,
        *,
        progress: JobProgress | None = None,
        now: datetime | None = None,
    ) -> tuple[bool, bool]:
        """Heartbeat (and progress) of a running attempt: returns (still ours, cancel asked)."""
        values: dict[str, Any] = {"heartbeat_at": now or now_utc()}
        if progress is not None:
            values.update(
                progress_done=progress.done,
                progress_total=progress.total,
                progress_message=progress.message[:1000],
            )
        if not self._cas(job_id, attempt, (JobStatus.RUNNING,), values):
            return False, False
        flag = self.session.scalar(select(JobRow.cancel_requested).where(JobRow.id == job_id))
        return True, bool(flag)

    def finish(
        self,
        job_id: int,
        attempt: int,
        status: JobStatus,
        *,
        result: dict[str, Any] | None = None,
        error: str | None = None,
        message: str | None = None,
        progress: JobProgress | None = None,
    ) -> bool:
        values: dict[str, Any] = {"status": status.value, "finished_at": now_utc(), "error": error}
        if result is not None:
            values["result"] = result
        if progress is not None:
            values.update(progress_done=progress.done, progress_total=progress.total)
        if message is not None:
            values["progress_message"] = message[:1000]
        return self._cas(job_id, attempt, (JobStatus.RUNNING,), values)

    def release(
        self,
        job_id: int,
        attempt: int,
        *,
        error: str | None,
        not_before: datetime | None = None,
        refund_attempt: bool = False,
        from_statuses: Sequence[JobStatus] = (JobStatus.RUNNING,),
    ) -> bool:
        """Back to queued for another attempt (after a failure, a dead runner or a shutdown).

        `refund_attempt`: the attempt did not fail (its process was asked to stop), so it does
        not count against the job's attempts.
        """
        values: dict[str, Any] = {
            **_NO_RUNNER,
            "status": JobStatus.QUEUED.value,
            "error": error,
            "not_before": not_before,
            "heartbeat_at": None,
        }
        if refund_attempt:
            values["attempts"] = max(0, attempt - 1)
        return self._cas(job_id, attempt, from_statuses, values)

    def end_dead(self, job_id: int, attempt: int, status: JobStatus, error: str) -> bool:
        """A running job whose runner is dead, ended for good (failed or cancelled)."""
        return self._cas(
            job_id,
            attempt,
            (JobStatus.RUNNING,),
            {"status": status.value, "error": error, "finished_at": now_utc(), **_NO_RUNNER},
        )

    # --- people's requests -------------------------------------------------------------------

    def cancel(self, job_id: int) -> Job | None:
        """Cancel a queued job at once; ask a running one to stop at its next progress report."""
        row = self._row(job_id, for_update=True)
        if row is None:
            return None
        if row.status == JobStatus.QUEUED.value:
            row.status = JobStatus.CANCELLED.value
            row.finished_at = now_utc()
            row.error = "cancelled before it started"
        elif row.status == JobStatus.RUNNING.value:
            row.cancel_requested = True
        self.session.flush()
        return to_job(row)

    def mark_failed(self, job_id: int, error: str) -> None:
        row = self._require(job_id)
        row.status = JobStatus.FAILED.value
        row.error = error
        row.finished_at = now_utc()

    # --- reading -----------------------------------------------------------------------------

    def running(self, backend: JobBackend) -> list[Job]:
        rows = self.session.scalars(
            select(JobRow)
            .where(JobRow.backend == backend.value, JobRow.status == JobStatus.RUNNING.value)
            .order_by(JobRow.id)
        )
        return [to_job(row) for row in rows]

    def list(
        self,
        statuses: Iterable[JobStatus] = (),
        kind: str | None = None,
        limit: int | None = None,
        *,
        owner: str | None = None,
        newest_first: bool = False,
    ) -> list[Job]:
        """Jobs, oldest first (or newest first); `owner` limits to one user's jobs."""
        query = select(JobRow).order_by(JobRow.id.desc() if newest_first else JobRow.id)
        wanted = [s.value for s in statuses]
        if wanted:
            query = query.where(JobRow.status.in_(wanted))
        if kind is not None:
            query = query.where(JobRow.kind == kind)
        if owner is not None:
            query = query.where(JobRow.owner == owner)
        if limit is not None:
            query = query.limit(limit)
        return [to_job(row) for row in self.session.scalars(query)]

    def counts(self, owner: str | None = None) -> dict[JobStatus, int]:
        query = select(JobRow.status, func.count()).group_by(JobRow.status)
        if owner is not None:
            query = query.where(JobRow.owner == owner)
        found = {JobStatus(status): int(count) for status, count in self.session.execute(query)}
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
