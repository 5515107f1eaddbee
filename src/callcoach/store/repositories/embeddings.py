"""Stored utterance embeddings: one float32 matrix per call and model.

Re-scoring after a rubric edit reuses them, so transcripts are embedded once. A stored matrix is
used only while the call's transcript (its content hash) and the model are the ones it came from.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from callcoach.store.models import CallEmbeddingRow


class EmbeddingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def load(self, call_pk: int, model: str, content_hash: str) -> np.ndarray | None:
        """The stored matrix (segments x dim), or None when absent or made from other content."""
        row = self.session.scalar(
            select(CallEmbeddingRow).where(
                CallEmbeddingRow.call_id == call_pk, CallEmbeddingRow.model == model
            )
        )
        if row is None or row.content_hash != content_hash:
            return None
        matrix = np.frombuffer(row.vectors, dtype=np.float32)
        if matrix.size != row.rows * row.dim:
            return None  # a damaged row is recomputed rather than trusted
        return matrix.reshape(row.rows, row.dim).copy()

    def save(self, call_pk: int, model: str, content_hash: str, matrix: np.ndarray) -> None:
        """Store (or replace) the matrix of one call for one model."""
        vectors = np.ascontiguousarray(matrix, dtype=np.float32)
        if vectors.ndim != 2:
            raise ValueError(f"embeddings must be a 2-D matrix, got shape {vectors.shape}")
        self.session.execute(
            delete(CallEmbeddingRow).where(
                CallEmbeddingRow.call_id == call_pk, CallEmbeddingRow.model == model
            )
        )
        self.session.add(
            CallEmbeddingRow(
                call_id=call_pk,
                model=model,
                content_hash=content_hash,
                rows=int(vectors.shape[0]),
                dim=int(vectors.shape[1]),
                vectors=vectors.tobytes(),
            )
        )
        self.session.flush()

    def count(self, model: str | None = None) -> int:
        query = select(CallEmbeddingRow.id)
        if model is not None:
            query = query.where(CallEmbeddingRow.model == model)
        return len(self.session.scalars(query).all())
