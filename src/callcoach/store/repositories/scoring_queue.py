"""Which calls a scoring run still has to do, for one rubric version and one scorer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from callcoach.store.models import CallRow, ScoreRunRow

_CHUNK = 500  # keeps IN (...) lists well under every backend's parameter limit


@dataclass(frozen=True)
class QueuedCall:
    call_pk: int
    external_id: str
    stored_status: str | None  # the status of this scorer's stored run, None if never scored
    stored_at: datetime | None = None  # when that run was stored


class ScoringQueueRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def queue(
        self, external_ids: Sequence[str], rubric_version_pk: int, scorer: str
    ) -> list[QueuedCall]:
        """The given calls (in the given order) with the status of their stored run, if any.

        A run stored against another transcript than the call's current one counts as none.
        """
        found: dict[str, QueuedCall] = {}
        for start in range(0, len(external_ids), _CHUNK):
            chunk = list(external_ids[start : start + _CHUNK])
            rows = self.session.execute(
                select(
                    CallRow.id,
                    CallRow.external_id,
                    ScoreRunRow.status,
                    ScoreRunRow.created_at,
                    CallRow.content_hash,
                    ScoreRunRow.content_hash,
                )
                .outerjoin(
                    ScoreRunRow,
                    (ScoreRunRow.call_id == CallRow.id)
                    & (ScoreRunRow.rubric_version_id == rubric_version_pk)
                    & (ScoreRunRow.scorer == scorer),
                )
                .where(CallRow.external_id.in_(chunk))
            )
            for call_pk, external_id, status, stored_at, text_now, text_scored in rows:
                stale = text_scored is not None and text_scored != text_now
                # A score of an older transcript counts as none: the call is scored again.
                found[external_id] = (
                    QueuedCall(call_pk, external_id, None, None)
                    if stale
                    else QueuedCall(call_pk, external_id, status, stored_at)
                )
        return [found[e] for e in external_ids if e in found]

    def call_pk(self, external_id: str) -> int | None:
        return self.session.scalar(select(CallRow.id).where(CallRow.external_id == external_id))
