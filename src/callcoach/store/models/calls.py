"""Calls, their transcript segments and their stored utterance embeddings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from callcoach.store.models.base import Base
from callcoach.store.models.crm import DealRow
from callcoach.store.models.people import RepRow


class CallRow(Base):
    __tablename__ = "calls"
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(300), unique=True)
    rep_id: Mapped[int | None] = mapped_column(ForeignKey("reps.id"), index=True)
    call_date: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    duration_s: Mapped[float | None] = mapped_column(Float)
    account: Mapped[str | None] = mapped_column(String(300))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id"), index=True)
    call_type: Mapped[str | None] = mapped_column(String(50))
    source_file: Mapped[str | None] = mapped_column(Text)
    source_format: Mapped[str | None] = mapped_column(String(50))
    audio_path: Mapped[str | None] = mapped_column(Text)
    audio_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    annotations: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    segments: Mapped[list[SegmentRow]] = relationship(
        order_by="SegmentRow.idx", cascade="all, delete-orphan", passive_deletes=True
    )
    rep: Mapped[RepRow | None] = relationship()
    deal: Mapped[DealRow | None] = relationship()


class SegmentRow(Base):
    __tablename__ = "segments"
    __table_args__ = (UniqueConstraint("call_id", "idx"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    idx: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    start_s: Mapped[float | None] = mapped_column(Float)
    end_s: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)


class CallEmbeddingRow(Base):
    """Utterance embeddings of one call for one model, as one float32 matrix (segments x dim)."""

    __tablename__ = "call_embeddings"
    __table_args__ = (UniqueConstraint("call_id", "model"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    model: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    dim: Mapped[int] = mapped_column(Integer)
    vectors: Mapped[bytes] = mapped_column(LargeBinary)
