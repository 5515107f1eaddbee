"""Read models for browsing: call lists with their latest score, and a call's human ratings.

The web app and the API list calls a page at a time; these queries fetch only the columns a list
shows (no transcripts), so a list of 50 calls costs one query whatever the store's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, cast

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session, aliased

from callcoach.domain.access import Scope
from callcoach.domain.scores import HumanRating
from callcoach.store.models import (
    CallRow,
    CriterionScoreRow,
    DealRow,
    HumanRatingRow,
    RepRow,
    RubricRow,
    RubricVersionRow,
    ScoreRunRow,
    SegmentRow,
    TeamRow,
)
from callcoach.store.repositories.calls import CallFilter
from callcoach.store.repositories.scoping import scoped


@dataclass(frozen=True)
class CallListItem:
    external_id: str
    date: datetime | None
    rep: str | None
    team: str | None
    account: str | None
    call_type: str | None
    duration_s: float | None
    deal_outcome: str | None
    has_audio: bool
    overall: float | None
    score_status: str | None
    level: int | None = None  # the listing's criterion, when it filters or sorts by one


class CallSort(StrEnum):
    """Columns a call list can be sorted by."""

    DATE = "date"
    REP = "rep"
    ACCOUNT = "account"
    TYPE = "type"
    LENGTH = "length"
    OVERALL = "overall"
    LEVEL = "level"


@dataclass(frozen=True)
class CallListing:
    """How a list of calls is narrowed and ordered beyond who and when (CallFilter).

    `outcome` is a deal outcome (won, lost, open) or "none" for calls linked to no deal. The
    level range applies to `criterion` on the call's latest machine run, a manager's override
    replacing the machine's level (the level rule of docs/assessment.md).
    """

    call_type: str | None = None
    outcome: str | None = None
    criterion: str | None = None
    level_min: int | None = None
    level_max: int | None = None
    sort: CallSort = CallSort.DATE
    descending: bool = True


@dataclass(frozen=True)
class CallOwner:
    call_pk: int
    rep_id: int | None
    audio_path: str | None


class BrowseRepository:
    UNSCOPED: ClassVar[dict[str, str]] = {
        "data_stamp": "a cache key of maxima and counts, no person's rows",
    }

    def __init__(self, session: Session) -> None:
        self.session = session

    def _filtered(
        self, query: Select[Any], filters: CallFilter, text: str | None, scope: Scope
    ) -> Select[Any]:
        query = scoped(query, CallRow.rep_id, scope)
        if filters.rep:
            query = query.where(func.lower(RepRow.name) == filters.rep.strip().lower())
        if filters.team:
            query = query.where(TeamRow.name == filters.team)
        if filters.since:
            query = query.where(CallRow.call_date >= filters.since)
        if filters.until:
            query = query.where(CallRow.call_date < filters.until)
        if filters.external_ids:
            query = query.where(CallRow.external_id.in_(filters.external_ids))
        if text and text.strip():
            needle = text.strip().lower()
            matching = select(SegmentRow.call_id).where(
                func.lower(SegmentRow.text).contains(needle, autoescape=True)
            )
            query = query.where(
                CallRow.id.in_(matching)
                | func.lower(CallRow.account).contains(needle, autoescape=True)
                | func.lower(CallRow.external_id).contains(needle, autoescape=True)
            )
        return query

    def list_calls(
        self,
        filters: CallFilter,
        text: str | None,
        offset: int,
        limit: int,
        listing: CallListing | None = None,
        *,
        scope: Scope,
    ) -> tuple[list[CallListItem], int]:
        """A page of calls in the listing's order (default newest first), and how many match."""
        listing = listing or CallListing()
        latest_run = (
            select(ScoreRunRow.call_id, func.max(ScoreRunRow.id).label("run_id"))
            .group_by(ScoreRunRow.call_id)
            .subquery()
        )
        run = aliased(ScoreRunRow)
        level = self._effective_level(run, listing.criterion) if listing.criterion else None
        joins: Select[Any] = (
            select(CallRow.id)
            .outerjoin(RepRow, CallRow.rep_id == RepRow.id)
            .outerjoin(TeamRow, RepRow.team_id == TeamRow.id)
            .outerjoin(DealRow, CallRow.deal_id == DealRow.id)
            .outerjoin(latest_run, latest_run.c.call_id == CallRow.id)
            .outerjoin(run, run.id == latest_run.c.run_id)
        )
        base = self._listed(self._filtered(joins, filters, text, scope), listing, level)
        total = int(self.session.scalar(select(func.count()).select_from(base.subquery())) or 0)
        columns: list[Any] = [
            CallRow.external_id,
            CallRow.call_date,
            RepRow.name,
            TeamRow.name,
            CallRow.account,
            CallRow.call_type,
            CallRow.duration_s,
            DealRow.outcome,
            CallRow.audio_path,
            run.overall,
            run.status,
        ]
        if level is not None:
            columns.append(level.label("level"))
        query = cast("Select[Any]", joins.with_only_columns(*columns))
        query = self._listed(self._filtered(query, filters, text, scope), listing, level)
        query = query.order_by(*self._order(listing, run, level)).offset(offset)
        items = [
            CallListItem(
                external_id=row[0],
                date=row[1],
                rep=row[2],
                team=row[3],
                account=row[4],
                call_type=row[5],
                duration_s=row[6],
                deal_outcome=row[7],
                has_audio=bool(row[8]),
                overall=row[9],
                score_status=row[10],
                level=int(row[11]) if level is not None and row[11] is not None else None,
            )
            for row in self.session.execute(query.limit(limit))
        ]
        return items, total

    @staticmethod
    def _effective_level(run: Any, criterion: str) -> ColumnElement[Any]:
        """The criterion's level on the call's latest run; a manager's override replaces it."""
        machine = (
            select(CriterionScoreRow.level)
            .where(CriterionScoreRow.run_id == run.id, CriterionScoreRow.criterion_id == criterion)
            .scalar_subquery()
        )
        override = (
            select(HumanRatingRow.level)
            .join(RubricVersionRow, RubricVersionRow.rubric_id == HumanRatingRow.rubric_id)
            .where(
                HumanRatingRow.call_id == CallRow.id,
                HumanRatingRow.criterion_id == criterion,
                HumanRatingRow.source == "override",
                RubricVersionRow.id == run.rubric_version_id,
            )
            .order_by(HumanRatingRow.created_at.desc(), HumanRatingRow.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        return func.coalesce(override, machine)

    @staticmethod
    def _listed(
        query: Select[Any], listing: CallListing, level: ColumnElement[Any] | None
    ) -> Select[Any]:
        if listing.call_type:
            query = query.where(func.lower(CallRow.call_type) == listing.call_type.lower())
        if listing.outcome == "none":
            query = query.where(CallRow.deal_id.is_(None))
        elif listing.outcome:
            query = query.where(DealRow.outcome == listing.outcome)
        if level is not None:
            bounds: list[ColumnElement[bool]] = [level.is_not(None)]
            if listing.level_min is not None:
                bounds.append(level >= listing.level_min)
            if listing.level_max is not None:
                bounds.append(level <= listing.level_max)
            if listing.level_min is not None or listing.level_max is not None:
                query = query.where(and_(*bounds))
        return query

    @staticmethod
    def _order(listing: CallListing, run: Any, level: ColumnElement[Any] | None) -> list[Any]:
        column: Any = {
            CallSort.DATE: CallRow.call_date,
            CallSort.REP: RepRow.name,
            CallSort.ACCOUNT: CallRow.account,
            CallSort.TYPE: CallRow.call_type,
            CallSort.LENGTH: CallRow.duration_s,
            CallSort.OVERALL: run.overall,
            CallSort.LEVEL: level if level is not None else run.overall,
        }[listing.sort]
        ordered = column.desc() if listing.descending else column.asc()
        tie = CallRow.id.desc() if listing.descending else CallRow.id.asc()
        # Missing values last in either direction, the same on SQLite and PostgreSQL.
        return [column.is_(None), ordered, tie]

    def call_types(self, *, scope: Scope) -> list[str]:
        """The call types present among the calls the scope allows (for a list's picker)."""
        query = select(CallRow.call_type).where(CallRow.call_type.is_not(None)).distinct()
        return sorted(str(v) for v in self.session.scalars(scoped(query, CallRow.rep_id, scope)))

    def call_owner(self, external_id: str, *, scope: Scope) -> CallOwner | None:
        """The call's key, rep and audio if the scope allows it (else None, like an unknown id)."""
        query = select(CallRow.id, CallRow.rep_id, CallRow.audio_path).where(
            CallRow.external_id == external_id
        )
        found = self.session.execute(scoped(query, CallRow.rep_id, scope)).first()
        return CallOwner(found[0], found[1], found[2]) if found else None

    def ratings_for_call(self, call_pk: int, *, scope: Scope) -> list[HumanRating]:
        query = (
            select(HumanRatingRow, CallRow.external_id, RubricRow.slug)
            .join(CallRow, HumanRatingRow.call_id == CallRow.id)
            .join(RubricRow, HumanRatingRow.rubric_id == RubricRow.id)
            .where(HumanRatingRow.call_id == call_pk)
            .order_by(HumanRatingRow.criterion_id, HumanRatingRow.created_at)
        )
        query = scoped(query, CallRow.rep_id, scope)
        return [
            HumanRating(
                call_id=call_id,
                rater=row.rater,
                criterion_id=row.criterion_id,
                level=row.level,
                rubric_id=slug,
                evidence_segment=row.evidence_segment,
                note=row.note,
                source=row.source,
                created_at=row.created_at,
            )
            for row, call_id, slug in self.session.execute(query)
        ]

    def team_of_rep(self, rep_name: str, *, scope: Scope) -> str | None:
        query = (
            select(TeamRow.name)
            .join(RepRow, RepRow.team_id == TeamRow.id)
            .where(func.lower(RepRow.name) == rep_name.strip().lower())
        )
        team: str | None = self.session.scalar(scoped(query, RepRow.id, scope))
        return team

    def data_stamp(self) -> tuple[Any, ...]:
        """Changes whenever anything the analytics read changes.

        Primary-key maxima (new scores, calls, deals, coaching events, rubric versions: an index
        lookup each, whatever the table's size), the ratings' latest write (overrides update
        their row in place; the table is small), and what sets the criteria's trust states
        (the latest measurement, opt-in and bar).
        """
        from callcoach.store.models import (
            AppSettingRow,
            CoachingEventRow,
            CriterionOptInRow,
            RubricVersionRow,
            TrustReportRow,
        )

        row = self.session.execute(
            select(
                select(func.max(ScoreRunRow.id)).scalar_subquery(),
                select(func.max(HumanRatingRow.created_at)).scalar_subquery(),
                select(func.count(HumanRatingRow.id)).scalar_subquery(),
                select(func.max(CoachingEventRow.id)).scalar_subquery(),
                select(func.max(CallRow.id)).scalar_subquery(),
                select(func.max(DealRow.id)).scalar_subquery(),
                select(func.max(RubricVersionRow.id)).scalar_subquery(),
                # Trust states decide which criteria drive priorities (domain/trust.py).
                select(func.max(TrustReportRow.created_at)).scalar_subquery(),
                select(func.max(CriterionOptInRow.decided_at)).scalar_subquery(),
                select(AppSettingRow.value)
                .where(AppSettingRow.key == "trust.bar")
                .scalar_subquery(),
                # which team is reported on which rubric (an assignment changes the reports)
                select(
                    func.sum(TeamRow.id * func.coalesce(TeamRow.rubric_id, 0))
                ).scalar_subquery(),
            )
        ).one()
        return tuple(row)
