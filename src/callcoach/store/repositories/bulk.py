"""Bulk writes: many calls with their segments, deals, activity, quotas and ratings at once.

The importers write call by call (each call may update a stored one); a generated data set is
new by construction, so it goes in with multi-row INSERTs, a batch at a time, and is removed
again by its source tag. Used by the demo generator and by benchmarks that need 100k calls.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.orm import Session

from callcoach.domain.calls import Activity, Call, Deal, Quota, Rep, Team
from callcoach.domain.practice import ScenarioKind
from callcoach.domain.scores import HumanRating
from callcoach.store.models import (
    ActivityRow,
    Base,
    CallRow,
    CoachingEventRow,
    DealRow,
    HumanRatingRow,
    PracticeAssignmentRow,
    PracticeScenarioRow,
    QuotaRow,
    RepRow,
    SegmentRow,
    TeamRow,
    UserRow,
)
from callcoach.store.repositories.calls import now_utc

# Enough rows per statement to amortise the round trip, few enough for SQLite's variable limit
# (SQLAlchemy splits executemany into multi-row VALUES batches itself).
CHUNK = 500


def _table(model: type[Base]) -> Table:
    """The Core table of a model: multi-row INSERTs skip the ORM's per-object work."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class RemovedData:
    """What removing a tagged data set deleted (for the report)."""

    calls: int
    deals: int
    reps: int
    teams: int


class BulkRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # what is there
    def count_calls(self, source_format: str | None = None, exclude: bool = False) -> int:
        """Calls with (or, with `exclude`, without) that source format."""
        query = select(func.count(CallRow.id))
        if source_format is not None:
            condition = CallRow.source_format == source_format
            if exclude:
                condition = CallRow.source_format.is_(None) | (
                    CallRow.source_format != source_format
                )
            query = query.where(condition)
        return int(self.session.scalar(query) or 0)

    # removing a tagged data set
    def remove_source(
        self, source: str, email_domain: str, keep_reps: Iterable[str]
    ) -> RemovedData:
        """Delete the calls and deals tagged `source` and what hangs off the tagged people.

        Segments, scores, ratings, feedback and embeddings go with their calls (ON DELETE
        CASCADE). Reps whose email is at `email_domain` lose their activity, quotas, coaching
        events, practice assignments and practice of moments; those not in `keep_reps` are deleted unless a user account is linked
        to them (a login is somebody's, not the generator's).
        """
        calls = self.session.execute(delete(CallRow).where(CallRow.source_format == source))
        deals = self.session.execute(delete(DealRow).where(DealRow.source == source))
        tagged = list(
            self.session.execute(
                select(RepRow.id, RepRow.name).where(RepRow.email.like(f"%@{email_domain}"))
            )
        )
        rep_pks = [pk for pk, _ in tagged]
        for chunk in _chunks(rep_pks):
            for table in (ActivityRow, QuotaRow, CoachingEventRow, PracticeAssignmentRow):
                self.session.execute(delete(table).where(table.rep_id.in_(chunk)))
            # Their practice of moments (sessions, attempts and turns go with it: CASCADE); a
            # review rehearsal belongs to its review and stays.
            self.session.execute(
                delete(PracticeScenarioRow).where(
                    PracticeScenarioRow.rep_id.in_(chunk),
                    PracticeScenarioRow.kind == ScenarioKind.MOMENT.value,
                )
            )
        keep = set(keep_reps)
        linked = set(
            self.session.scalars(select(UserRow.rep_id).where(UserRow.rep_id.is_not(None)))
        )
        stale = [pk for pk, name in tagged if name not in keep and pk not in linked]
        removed_reps = 0
        for chunk in _chunks(stale):
            # Deals and calls of other sources that name a removed rep keep existing, unassigned.
            self.session.execute(
                update(DealRow).where(DealRow.rep_id.in_(chunk)).values(rep_id=None)
            )
            self.session.execute(
                update(CallRow).where(CallRow.rep_id.in_(chunk)).values(rep_id=None)
            )
            removed_reps += _rowcount(
                self.session.execute(delete(RepRow).where(RepRow.id.in_(chunk)))
            )
        empty_teams = self.session.execute(
            delete(TeamRow).where(
                TeamRow.manager_email.like(f"%@{email_domain}"),
                ~TeamRow.id.in_(select(RepRow.team_id).where(RepRow.team_id.is_not(None))),
            )
        )
        return RemovedData(_rowcount(calls), _rowcount(deals), removed_reps, _rowcount(empty_teams))

    # people
    def upsert_teams(self, teams: Sequence[Team]) -> dict[str, int]:
        existing = {r.name: r for r in self.session.scalars(select(TeamRow))}
        for team in teams:
            row = existing.get(team.name)
            if row is None:
                row = TeamRow(name=team.name)
                self.session.add(row)
                existing[team.name] = row
            row.manager = team.manager
            row.manager_email = team.manager_email
        self.session.flush()
        return {name: row.id for name, row in existing.items()}

    def upsert_reps(self, reps: Sequence[Rep], team_ids: dict[str, int]) -> dict[str, int]:
        """Reps by name: new ones inserted, known ones updated (their ids, and logins, stay)."""
        names = [r.name for r in reps]
        existing: dict[str, RepRow] = {}
        for chunk in _chunks(names):
            existing.update(
                (row.name, row)
                for row in self.session.scalars(select(RepRow).where(RepRow.name.in_(chunk)))
            )
        fresh = []
        for rep in reps:
            values = {
                "name": rep.name,
                "email": rep.email,
                "team_id": team_ids.get(rep.team) if rep.team else None,
                "manager": rep.manager,
                "start_date": rep.start_date,
            }
            row = existing.get(rep.name)
            if row is None:
                fresh.append(values)
            else:
                for key, value in values.items():
                    setattr(row, key, value)
        self.session.flush()
        if fresh:
            self.session.execute(insert(_table(RepRow)), fresh)
        ids: dict[str, int] = {}
        for chunk in _chunks(names):
            rows = self.session.execute(
                select(RepRow.name, RepRow.id).where(RepRow.name.in_(chunk))
            )
            ids.update((name, pk) for name, pk in rows)
        return ids

    # deals, calls, segments
    def insert_deals(
        self, deals: Sequence[Deal], rep_ids: dict[str, int], source: str
    ) -> dict[str, int]:
        rows = [
            {
                "external_id": d.external_id,
                "name": d.name,
                "account": d.account,
                "amount": d.amount,
                "stage": d.stage,
                "outcome": d.outcome.value,
                "created_date": d.created_date,
                "close_date": d.close_date,
                "verbal_commit_date": d.verbal_commit_date,
                "stage_changed_date": d.stage_changed_date,
                "last_activity_date": d.last_activity_date,
                "rep_id": rep_ids.get(d.rep) if d.rep else None,
                "source": source,
            }
            for d in deals
        ]
        ids: dict[str, int] = {}
        for chunk in _chunks(rows):
            result = self.session.execute(
                insert(_table(DealRow)).returning(
                    _table(DealRow).c.external_id, _table(DealRow).c.id
                ),
                list(chunk),
            )
            ids.update((external_id, pk) for external_id, pk in result)
        return ids

    def insert_calls(
        self, calls: Sequence[Call], rep_ids: dict[str, int], deal_ids: dict[str, int]
    ) -> dict[str, int]:
        """New calls and all their segments; returns the calls' primary keys by external id."""
        imported_at = now_utc()
        rows = [
            {
                "external_id": c.external_id,
                "rep_id": rep_ids.get(c.rep) if c.rep else None,
                "call_date": c.date.replace(tzinfo=None) if c.date else None,
                "duration_s": c.effective_duration(),
                "account": c.account,
                "deal_id": deal_ids.get(c.deal_external_id) if c.deal_external_id else None,
                "call_type": c.call_type,
                "source_file": c.source_file,
                "source_format": c.source_format,
                "audio_path": c.audio_path,
                "audio_hash": c.audio_hash,
                "content_hash": c.content_hash,
                "annotations": c.annotations,
                "meta": c.meta,
                "imported_at": imported_at,
            }
            for c in calls
        ]
        table = _table(CallRow)
        ids: dict[str, int] = {}
        for chunk in _chunks(rows):
            result = self.session.execute(
                insert(table).returning(table.c.external_id, table.c.id), list(chunk)
            )
            ids.update((external_id, pk) for external_id, pk in result)
        segments = [
            (ids[c.external_id], s.index, s.speaker, s.role.value, s.start, s.end, s.text)
            for c in calls
            for s in c.segments
        ]
        if segments:
            self._insert_segments(segments)
        return ids

    def _insert_segments(self, rows: list[tuple[Any, ...]]) -> None:
        """Segments are most of the volume (30+ per call): the driver's fastest path.

        PostgreSQL: COPY. SQLite: the driver's executemany. Both run on the session's own
        connection, inside its transaction. Anything else: a multi-row INSERT.
        """
        columns = ("call_id", "idx", "speaker", "role", "start_s", "end_s", "text")
        connection = self.session.connection()
        dialect = connection.dialect.name
        raw = connection.connection.driver_connection
        if dialect == "postgresql" and raw is not None:
            with raw.cursor() as cursor:
                statement = f"COPY segments ({', '.join(columns)}) FROM STDIN"
                with cursor.copy(statement) as copy:
                    for row in rows:
                        copy.write_row(row)
            return
        if dialect == "sqlite" and raw is not None:
            placeholders = ", ".join("?" for _ in columns)
            raw.executemany(
                f"INSERT INTO segments ({', '.join(columns)}) VALUES ({placeholders})", rows
            )
            return
        self.session.execute(
            insert(_table(SegmentRow)), [dict(zip(columns, row, strict=True)) for row in rows]
        )

    # activity, quotas, ratings
    def insert_activities(self, activities: Sequence[Activity], rep_ids: dict[str, int]) -> int:
        rows = [
            {
                "rep_id": rep_ids[a.rep],
                "day": a.day,
                "calls_made": a.calls_made,
                "meetings_booked": a.meetings_booked,
                "proposals_sent": a.proposals_sent,
            }
            for a in activities
        ]
        if rows:
            self.session.execute(insert(_table(ActivityRow)), rows)
        return len(rows)

    def insert_quotas(self, quotas: Sequence[Quota], rep_ids: dict[str, int]) -> int:
        rows = [
            {
                "rep_id": rep_ids[q.rep],
                "period_start": q.period_start,
                "period_end": q.period_end,
                "amount": q.amount,
            }
            for q in quotas
        ]
        if rows:
            self.session.execute(insert(_table(QuotaRow)), rows)
        return len(rows)

    def insert_ratings(
        self, ratings: Sequence[HumanRating], call_pks: dict[str, int], rubric_pk: int
    ) -> int:
        created = now_utc()
        rows = [
            {
                "call_id": call_pks[r.call_id],
                "rubric_id": rubric_pk,
                "criterion_id": r.criterion_id,
                "rater": r.rater,
                "level": r.level,
                "evidence_segment": r.evidence_segment,
                "note": r.note,
                "source": r.source,
                "created_at": _naive(r.created_at) or created,
            }
            for r in ratings
        ]
        if rows:
            self.session.execute(insert(_table(HumanRatingRow)), rows)
        return len(rows)


def _rowcount(result: Result[Any]) -> int:
    return result.rowcount if isinstance(result, CursorResult) else 0


def _naive(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=None) if moment is not None else None
