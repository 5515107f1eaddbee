"""Operational state: jobs, generated settings, caches."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from callcoach.store.models.base import Base


class JobRow(Base):
    """One background job, whichever queue runs it; `key` makes enqueueing idempotent (one live
    job per kind and key). The runner columns and the heartbeat tell recovery whether the
    process running it is still alive; `attempts` doubles as the claim's fencing token."""

    __tablename__ = "jobs"
    __table_args__ = (
        UniqueConstraint("kind", "key"),
        Index("ix_jobs_backend_status", "backend", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))
    key: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), index=True)
    owner: Mapped[str | None] = mapped_column(String(100), index=True)  # who started it
    backend: Mapped[str] = mapped_column(String(20), default="inprocess")
    queue: Mapped[str] = mapped_column(String(50), default="default")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    error: Mapped[str | None] = mapped_column(Text)
    task_id: Mapped[str | None] = mapped_column(String(100))
    worker: Mapped[str | None] = mapped_column(String(200))  # label of the worker running it
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # what it did, for `jobs`
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int | None] = mapped_column(Integer)
    progress_message: Mapped[str | None] = mapped_column(Text)
    runner_host: Mapped[str | None] = mapped_column(String(200))
    runner_pid: Mapped[int | None] = mapped_column(Integer)
    runner_started_at: Mapped[datetime | None] = mapped_column(DateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    not_before: Mapped[datetime | None] = mapped_column(DateTime)  # a retry waits until then
    created_at: Mapped[datetime] = mapped_column(DateTime)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


class AppSettingRow(Base):
    """Values the application generates once and keeps (the web session signing key)."""

    __tablename__ = "app_settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ReportCacheRow(Base):
    """Team pages' reports, shared by every web server process: one process computes a
    manager's dashboard, the others read it while the data stamp it was built on holds."""

    __tablename__ = "report_cache"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of scope + page
    stamp: Mapped[str] = mapped_column(Text)  # the store's data stamp when it was built
    payload: Mapped[bytes] = mapped_column(LargeBinary)  # zlib-compressed JSON of the report
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class LlmCacheRow(Base):
    __tablename__ = "llm_cache"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)
