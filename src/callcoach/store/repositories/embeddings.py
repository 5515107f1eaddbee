"""Stored utterance embeddings: one float32 matrix per call and model.

Re-scoring after a rubric edit reuses them, so transcripts are embedded once. A stored matrix is
used only while the call's transcript (its content hash) and the model are the ones it came from.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from callcoach.store.models import CallEmbeddingRow, CallRow

_CHUNK = 500  # external ids per query (SQLite's bound-parameter limit is far above)


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

    def for_calls(
        self, external_ids: Sequence[str], model: str
    ) -> Iterator[tuple[str, np.ndarray]]:
        """(call id, matrix) for each of these calls whose stored matrix of `model` was made
        from its current transcript, a chunk of calls per query (one matrix in memory at a
        time for the caller to keep or drop)."""
        for start in range(0, len(external_ids), _CHUNK):
            chunk = list(external_ids[start : start + _CHUNK])
            rows = self.session.execute(
                select(
                    CallRow.external_id,
                    CallEmbeddingRow.rows,
                    CallEmbeddingRow.dim,
                    CallEmbeddingRow.vectors,
                )
                .join(CallRow, CallRow.id == CallEmbeddingRow.call_id)
                .where(
                    CallEmbeddingRow.model == model,
                    CallEmbeddingRow.content_hash == CallRow.content_hash,
                    CallRow.external_id.in_(chunk),
                )
            )
            for external_id, count, dim, blob in rows:
                matrix = np.frombuffer(blob, dtype=np.float32)
                if matrix.size == count * dim:  # a damaged row is left out, never trusted
                    yield external_id, matrix.reshape(count, dim)

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
