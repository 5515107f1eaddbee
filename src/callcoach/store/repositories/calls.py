"""Calls and their transcript segments."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import Select, delete, func, insert, or_, select
from sqlalchemy.orm import Session, joinedload

from callcoach.domain.access import Scope
from callcoach.domain.calls import Call, Segment, SpeakerRole
from callcoach.store.models import (
    CallEmbeddingRow,
    CallRow,
    RepRow,
    RubricRow,
    ScoreRunRow,
    SegmentRow,
    TeamRow,
)
from callcoach.store.repositories.scoping import scoped

_CHUNK = 900  # ids per IN (...) list: well under SQLite's bound-parameter limit

# A segment as read in bulk: (call, index, speaker, role, start, end, text).
SEGMENT_COLUMNS = (
    SegmentRow.call_id,
    SegmentRow.idx,
    SegmentRow.speaker,
    SegmentRow.role,
    SegmentRow.start_s,
    SegmentRow.end_s,
    SegmentRow.text,
)


def chunks(values: Sequence[Any], size: int = _CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


@dataclass(frozen=True)
class CallFilter:
    """Which calls a command works on. Empty means all (that the read's `Scope` allows)."""

    rep: str | None = None
    team: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    external_ids: tuple[str, ...] = ()


def to_call(row: CallRow, segments: list[Segment]) -> Call:
    return Call(
        external_id=row.external_id,
        segments=segments,
        rep=row.rep.name if row.rep else None,
        date=row.call_date,
        duration_s=row.duration_s,
        account=row.account,
        deal_external_id=row.deal.external_id if row.deal else None,
        call_type=row.call_type,
        source_file=row.source_file,
        source_format=row.source_format,
        audio_path=row.audio_path,
        audio_hash=row.audio_hash,
        annotations=row.annotations,
        meta=dict(row.meta or {}),
    )


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class CallRepository:
    # Public methods that need no `Scope`, and why (tests/integration/test_scope_reads.py).
    UNSCOPED: ClassVar[dict[str, str]] = {
        "find_same": "import matching: a re-import finds its call whoever imported it",
        "rows_with_content": "import matching: perspectives of one transcript",
        "save": "write",
        "segment_count": "a count over the organisation, no person's rows",
    }

    def __init__(self, session: Session) -> None:
        self.session = session

    def row(self, external_id: str, *, scope: Scope) -> CallRow | None:
        """The call of that id if the scope allows its rep (else None, as for an unknown id)."""
        query = select(CallRow).where(CallRow.external_id == external_id)
        found: CallRow | None = self.session.scalar(scoped(query, CallRow.rep_id, scope))
        return found

    def find_same(
        self, external_id: str, content_hash: str, match_content: bool = True
    ) -> CallRow | None:
        """The stored call this one re-imports: same external id, else same transcript."""
        row = self.session.scalar(select(CallRow).where(CallRow.external_id == external_id))
        if row is None and match_content:
            row = self.session.scalar(
                select(CallRow).where(CallRow.content_hash == content_hash).limit(1)
            )
        return row

    def rows_with_content(self, content_hash: str) -> list[CallRow]:
        """Stored calls with this transcript (the importer tells re-imports from perspectives)."""
        return list(
            self.session.scalars(
                select(CallRow).where(CallRow.content_hash == content_hash).order_by(CallRow.id)
            )
        )

    def save(
        self, call: Call, rep_id: int | None, deal_id: int | None, *, match_content: bool = True
    ) -> tuple[CallRow, bool]:
        """Insert the call, or update the stored one it re-imports. Returns (row, created).

        `match_content=False` matches by external id only (the importer has already decided
        that no stored call with the same transcript is this one).
        """
        content_hash = call.content_hash
        row = self.find_same(call.external_id, content_hash, match_content)
        created = row is None
        if row is None:
            row = CallRow(external_id=call.external_id, imported_at=now_utc())
            self.session.add(row)
        elif row.content_hash != content_hash:
            # A changed transcript invalidates everything derived from its segment indexes.
            for table in (SegmentRow, ScoreRunRow, CallEmbeddingRow):
                self.session.execute(delete(table).where(table.call_id == row.id))
        row.rep_id = rep_id if rep_id is not None else row.rep_id
        row.deal_id = deal_id if deal_id is not None else row.deal_id
        row.call_date = call.date.replace(tzinfo=None) if call.date else row.call_date
        row.duration_s = call.effective_duration()
        row.account = call.account or row.account
        row.call_type = call.call_type or row.call_type
        row.source_file = call.source_file
        row.source_format = call.source_format
        row.audio_path = call.audio_path or row.audio_path
        row.audio_hash = call.audio_hash or row.audio_hash
        row.annotations = call.annotations
        row.meta = call.meta
        unchanged = not created and row.content_hash == content_hash
        row.content_hash = content_hash
        self.session.flush()
        if not unchanged:
            self._insert_segments(row.id, call.segments)
        return row, created

    def _insert_segments(self, call_pk: int, segments: Sequence[Segment]) -> None:
        if not segments:
            return
        self.session.execute(
            insert(SegmentRow),
            [
                {
                    "call_id": call_pk,
                    "idx": s.index,
                    "speaker": s.speaker,
                    "role": s.role.value,
                    "start_s": s.start,
                    "end_s": s.end,
                    "text": s.text,
                }
                for s in segments
            ],
        )
        self.session.expire_all()

    def get(self, external_id: str, *, scope: Scope) -> Call | None:
        found = self.get_many([external_id], scope=scope)
        return found[0] if found else None

    def get_many(self, external_ids: Iterable[str], *, scope: Scope) -> list[Call]:
        """The calls of these ids that the scope allows, in the order asked."""
        ids = list(external_ids)
        query = (
            select(CallRow)
            .where(CallRow.external_id.in_(ids))
            .options(joinedload(CallRow.rep), joinedload(CallRow.deal))
        )
        rows = list(self.session.scalars(scoped(query, CallRow.rep_id, scope)))
        segments = self._segments([r.id for r in rows])
        by_id = {r.external_id: to_call(r, segments[r.id]) for r in rows}
        return [by_id[i] for i in ids if i in by_id]

    def segments(self, call_pks: Sequence[int], *, scope: Scope) -> dict[int, list[Segment]]:
        """Every segment of those of these calls the scope allows (each call's list, [] when it
        has none), in order."""
        if scope.rep_ids is not None:
            allowed: set[int] = set()
            for chunk in chunks(sorted(set(call_pks))):
                query = select(CallRow.id).where(CallRow.id.in_(chunk))
                allowed.update(self.session.scalars(scoped(query, CallRow.rep_id, scope)))
            call_pks = [pk for pk in call_pks if pk in allowed]
        return self._segments(call_pks)

    def _segments(self, call_pks: Sequence[int]) -> dict[int, list[Segment]]:
        """Segments read as plain rows: a call has hundreds, and ORM objects for them were a
        fifth of a re-score."""
        result: dict[int, list[Segment]] = {pk: [] for pk in call_pks}
        for chunk in chunks(sorted(result)):
            rows = self.session.connection().execute(
                select(*SEGMENT_COLUMNS)
                .where(SegmentRow.call_id.in_(chunk))
                .order_by(SegmentRow.call_id, SegmentRow.idx)
            )
            for call_pk, idx, speaker, role, start, end, text in rows:
                result[call_pk].append(Segment(idx, speaker, SpeakerRole(role), text, start, end))
        return result

    def _filtered(self, query: Select[Any], filters: CallFilter, scope: Scope) -> Select[Any]:
        if filters.rep:
            query = query.join(RepRow, CallRow.rep_id == RepRow.id).where(
                func.lower(RepRow.name) == filters.rep.strip().lower()
            )
        if filters.team:
            sub = select(RepRow.id).join(TeamRow, RepRow.team_id == TeamRow.id)
            query = query.where(CallRow.rep_id.in_(sub.where(TeamRow.name == filters.team)))
        if filters.since:
            query = query.where(CallRow.call_date >= filters.since)
        if filters.until:
            query = query.where(CallRow.call_date < filters.until)
        if filters.external_ids:
            query = query.where(CallRow.external_id.in_(filters.external_ids))
        narrowed: Select[Any] = scoped(query, CallRow.rep_id, scope)
        return narrowed

    def external_ids(self, filters: CallFilter | None = None, *, scope: Scope) -> list[str]:
        """Ids of the calls the filters and the scope allow, oldest first."""
        query = select(CallRow.external_id).order_by(CallRow.call_date, CallRow.id)
        query = self._filtered(query, filters or CallFilter(), scope)
        return list(self.session.scalars(query))

    def recent_external_ids(
        self, call_type: str | None = None, limit: int = 10, *, scope: Scope
    ) -> list[str]:
        """The most recent calls first, optionally of one type (discovery, demo, closing...)."""
        query = select(CallRow.external_id).order_by(CallRow.call_date.desc(), CallRow.id.desc())
        if call_type is not None:
            query = query.where(CallRow.call_type == call_type)
        return list(self.session.scalars(scoped(query, CallRow.rep_id, scope).limit(limit)))

    def team_rubrics(self, external_ids: Sequence[str], *, scope: Scope) -> dict[str, str | None]:
        """Call id -> the slug of the rubric its rep's team is assigned (None: the default), for
        the calls the scope allows."""
        result: dict[str, str | None] = {}
        for chunk in chunks(sorted(set(external_ids))):
            query = (
                select(CallRow.external_id, RubricRow.slug)
                .outerjoin(RepRow, RepRow.id == CallRow.rep_id)
                .outerjoin(TeamRow, TeamRow.id == RepRow.team_id)
                .outerjoin(RubricRow, RubricRow.id == TeamRow.rubric_id)
                .where(CallRow.external_id.in_(chunk))
            )
            result.update(
                (call, slug)
                for call, slug in self.session.execute(scoped(query, CallRow.rep_id, scope))
            )
        return result

    def count(self, filters: CallFilter | None = None, *, scope: Scope) -> int:
        return len(self.external_ids(filters, scope=scope))

    def segment_count(self) -> int:
        return int(self.session.scalar(select(func.count(SegmentRow.id))) or 0)

    def search(
        self, text: str, filters: CallFilter | None = None, limit: int = 50, *, scope: Scope
    ) -> list[str]:
        """External ids of calls whose transcript contains `text` (case-insensitive)."""
        query = (
            select(CallRow.external_id)
            .join(SegmentRow, SegmentRow.call_id == CallRow.id)
            .where(or_(func.lower(SegmentRow.text).contains(text.lower())))
            .distinct()
            .limit(limit)
        )
        return list(self.session.scalars(self._filtered(query, filters or CallFilter(), scope)))
