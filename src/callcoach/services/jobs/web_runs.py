"""Re-scoring started from the browser, with a job record the page polls for progress.

The scoring itself is `services.scoring.score_calls` (the same run as `callcoach score`), on a
background thread of the web process; its progress is written to a record in the database, so
any server process can answer the page that polls it. Records are kept under `job:<id>` in the
app_settings table.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from callcoach.domain.access import Role, Viewer
from callcoach.scoring.registry import ScorerConfig
from callcoach.services.accounts.users import PermissionDeniedError
from callcoach.services.common import NotFoundError
from callcoach.store.repositories.calls import now_utc
from callcoach.store.uow import Store

JOB_PREFIX = "job:"
PROGRESS_WRITE_INTERVAL_S = 0.5


@dataclass
class JobRecord:
    id: str
    kind: str
    owner: str
    status: str  # queued, running, done, failed
    done: int
    total: int | None
    message: str
    created_at: datetime
    finished_at: datetime | None = None
    rubric_id: str | None = None
    result: dict[str, Any] | None = None

    def to_json(self) -> str:
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat()
        data["finished_at"] = self.finished_at.isoformat() if self.finished_at else None
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> JobRecord:
        data = json.loads(text)
        data["created_at"] = datetime.fromisoformat(data["created_at"])
        if data.get("finished_at"):
            data["finished_at"] = datetime.fromisoformat(data["finished_at"])
        return cls(**data)


def _save(store: Store, record: JobRecord) -> None:
    with store.unit_of_work() as uow:
        uow.app_settings.put(JOB_PREFIX + record.id, record.to_json())


def _visible(record: JobRecord, viewer: Viewer) -> bool:
    return viewer.role is Role.ADMIN or record.owner == viewer.username


def get_job(store: Store, job_id: str, viewer: Viewer) -> JobRecord:
    with store.unit_of_work() as uow:
        text = uow.app_settings.get(JOB_PREFIX + job_id)
    record = JobRecord.from_json(text) if text else None
    if record is None or not _visible(record, viewer):
        raise NotFoundError(f"no job {job_id!r}")
    return record


def latest_jobs(store: Store, viewer: Viewer, limit: int = 5) -> list[JobRecord]:
    with store.unit_of_work() as uow:
        found = uow.app_settings.with_prefix(JOB_PREFIX, limit=50)
    records = [JobRecord.from_json(text) for _, text in found]
    return [r for r in records if _visible(r, viewer)][:limit]


class JobProgress:
    """The services' Progress protocol, written to the job record (at most twice a second)."""

    def __init__(self, store: Store, record: JobRecord) -> None:
        self.store = store
        self.record = record
        self._last_write = 0.0

    def start(self, description: str, total: int | None) -> None:
        self.record.status = "running"
        self.record.message = description
        self.record.total = total
        self.record.done = 0
        self._write(force=True)

    def advance(self, amount: int = 1) -> None:
        self.record.done += amount
        total = self.record.total
        self.record.message = f"{self.record.done} of {total} call(s) scored" if total else ""
        self._write()

    def _write(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last_write >= PROGRESS_WRITE_INTERVAL_S:
            self._last_write = now
            _save(self.store, self.record)


def start_job(
    store: Store,
    viewer: Viewer,
    kind: str,
    description: str,
    work: Callable[[JobProgress], tuple[str, dict[str, Any]]],
    *,
    rubric_id: str | None = None,
) -> JobRecord:
    """Run `work` on a background thread; it returns the closing message and a result."""
    if viewer.role not in (Role.ADMIN, Role.MANAGER):
        raise PermissionDeniedError("only a manager or an administrator can start jobs")
    record = JobRecord(
        id=uuid.uuid4().hex[:12],
        kind=kind,
        owner=viewer.username,
        status="queued",
        done=0,
        total=None,
        message=description,
        created_at=now_utc(),
        rubric_id=rubric_id,
    )
    _save(store, record)
    progress = JobProgress(store, record)

    def run() -> None:
        try:
            message, result = work(progress)
        except Exception as exc:  # the job record is where the failure is reported
            record.status = "failed"
            record.message = f"failed: {exc}"
        else:
            record.status = "done"
            record.done = record.total or record.done
            record.message = message
            record.result = result
        record.finished_at = now_utc()
        _save(store, record)

    threading.Thread(target=run, name=f"callcoach-job-{record.id}", daemon=True).start()
    return record


def start_rescore(
    store: Store,
    scorer_config: ScorerConfig,
    rubric_id: str,
    viewer: Viewer,
    *,
    everything: bool = False,
    workers: int | None = None,
) -> JobRecord:
    """Score the viewer's calls on the rubric's latest version, in the background.

    Calls already scored on that version are skipped unless `everything`; a manager re-scores
    their teams' calls, an administrator every call.
    """
    from callcoach.services.rubrics.catalog import get_rubric
    from callcoach.services.scoring.runs import score_calls

    stored = get_rubric(store, rubric_id)

    def work(progress: JobProgress) -> tuple[str, dict[str, Any]]:
        summary = score_calls(
            store,
            scorer_config,
            rubric_id=stored.rubric.id,
            rescore=everything,
            default_workers=workers,
            progress=progress,
            viewer=viewer,
        )
        message = (
            f"{summary.scored} call(s) scored, {len(summary.not_scorable)} not scorable, "
            f"{len(summary.failures)} failed, {summary.already_done} already up to date "
            f"({summary.seconds:.0f} s)"
        )
        return message, {
            "scored": summary.scored,
            "not_scorable": len(summary.not_scorable),
            "failed": len(summary.failures),
            "already_done": summary.already_done,
            "seconds": round(summary.seconds, 1),
        }

    return start_job(
        store,
        viewer,
        "rescore",
        f"Re-scoring calls on {stored.rubric.id} v{stored.version} ({scorer_config.name} scorer)",
        work,
        rubric_id=stored.rubric.id,
    )
