"""Deals, activities and quotas."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from callcoach.domain.access import Scope
from callcoach.domain.calls import Activity, Deal, DealOutcome, Quota
from callcoach.store.models import ActivityRow, DealRow, QuotaRow, RepRow
from callcoach.store.repositories.scoping import scoped


def to_deal(row: DealRow, rep_name: str | None = None) -> Deal:
    return Deal(
        external_id=row.external_id,
        account=row.account,
        amount=row.amount,
        stage=row.stage,
        outcome=DealOutcome(row.outcome),
        created_date=row.created_date,
        close_date=row.close_date,
        verbal_commit_date=row.verbal_commit_date,
        rep=rep_name,
        name=row.name,
        stage_changed_date=row.stage_changed_date,
        last_activity_date=row.last_activity_date,
    )


class DealRepository:
    UNSCOPED: ClassVar[dict[str, str]] = {
        "ensure": "write (import: a call names its deal)",
        "upsert": "write",
        "upsert_activity": "write",
        "upsert_quota": "write",
        "count": "a count over the organisation, no person's rows",
    }

    def __init__(self, session: Session) -> None:
        self.session = session

    def _row(self, external_id: str) -> DealRow | None:
        return self.session.scalar(select(DealRow).where(DealRow.external_id == external_id))

    def row(self, external_id: str, *, scope: Scope) -> DealRow | None:
        """The deal if the scope allows its rep (else None, like an unknown id)."""
        query = select(DealRow).where(DealRow.external_id == external_id)
        found: DealRow | None = self.session.scalar(scoped(query, DealRow.rep_id, scope))
        return found

    def ensure(self, external_id: str) -> DealRow:
        """The deal with that id, created open if unknown (calls may name deals not yet imported)."""
        row = self._row(external_id)
        if row is None:
            row = DealRow(external_id=external_id, outcome=DealOutcome.OPEN.value)
            self.session.add(row)
            self.session.flush()
        return row

    def upsert(self, deal: Deal, rep_id: int | None, source: str | None) -> tuple[DealRow, bool]:
        row = self._row(deal.external_id)
        created = row is None
        if row is None:
            row = DealRow(external_id=deal.external_id)
            self.session.add(row)
        row.account = deal.account if deal.account is not None else row.account
        row.amount = deal.amount if deal.amount is not None else row.amount
        row.stage = deal.stage if deal.stage is not None else row.stage
        row.name = deal.name if deal.name is not None else row.name
        row.outcome = deal.outcome.value
        row.created_date = deal.created_date or row.created_date
        row.close_date = deal.close_date or row.close_date
        row.verbal_commit_date = deal.verbal_commit_date or row.verbal_commit_date
        row.stage_changed_date = deal.stage_changed_date or row.stage_changed_date
        row.last_activity_date = deal.last_activity_date or row.last_activity_date
        if rep_id is not None:
            row.rep_id = rep_id
        if source:
            row.source = source
        self.session.flush()
        return row, created

    def get(self, external_id: str, *, scope: Scope) -> Deal | None:
        row = self.row(external_id, scope=scope)
        if row is None:
            return None
        rep = self.session.get(RepRow, row.rep_id) if row.rep_id else None
        return to_deal(row, rep.name if rep else None)

    def get_many(self, external_ids: Iterable[str], *, scope: Scope) -> dict[str, Deal]:
        """Deals by external id (unknown ids and deals outside the scope are left out)."""
        ids = list(dict.fromkeys(external_ids))
        if not ids:
            return {}
        query = (
            select(DealRow, RepRow.name)
            .outerjoin(RepRow, DealRow.rep_id == RepRow.id)
            .where(DealRow.external_id.in_(ids))
        )
        rows = self.session.execute(scoped(query, DealRow.rep_id, scope))
        return {row.external_id: to_deal(row, rep_name) for row, rep_name in rows}

    def count(self) -> int:
        return len(self.session.scalars(select(DealRow.id)).all())

    def upsert_activity(self, activity: Activity, rep_id: int) -> bool:
        row = self.session.scalar(
            select(ActivityRow).where(ActivityRow.rep_id == rep_id, ActivityRow.day == activity.day)
        )
        created = row is None
        if row is None:
            row = ActivityRow(rep_id=rep_id, day=activity.day)
            self.session.add(row)
        row.calls_made = activity.calls_made
        row.meetings_booked = activity.meetings_booked
        row.proposals_sent = activity.proposals_sent
        return created

    def upsert_quota(self, quota: Quota, rep_id: int) -> bool:
        row = self.session.scalar(
            select(QuotaRow).where(
                QuotaRow.rep_id == rep_id,
                QuotaRow.period_start == quota.period_start,
                QuotaRow.period_end == quota.period_end,
            )
        )
        created = row is None
        if row is None:
            row = QuotaRow(
                rep_id=rep_id, period_start=quota.period_start, period_end=quota.period_end
            )
            self.session.add(row)
        row.amount = quota.amount
        return created

    def activities(self, rep_ids: Iterable[int] | None = None, *, scope: Scope) -> list[Activity]:
        """Daily activity counts, by rep name then day (`rep_ids`: only these reps), of the reps
        the scope allows."""
        query = (
            select(ActivityRow, RepRow.name)
            .join(RepRow, ActivityRow.rep_id == RepRow.id)
            .order_by(RepRow.name, ActivityRow.day)
        )
        if rep_ids is not None:
            query = query.where(ActivityRow.rep_id.in_(list(rep_ids)))
        query = scoped(query, ActivityRow.rep_id, scope)
        return [
            Activity(
                rep=name,
                day=row.day,
                calls_made=row.calls_made,
                meetings_booked=row.meetings_booked,
                proposals_sent=row.proposals_sent,
            )
            for row, name in self.session.execute(query)
        ]

    def quotas(self, rep_ids: Iterable[int] | None = None, *, scope: Scope) -> list[Quota]:
        """Quotas, by rep name then period (`rep_ids`: only these reps), of the reps the scope
        allows."""
        query = (
            select(QuotaRow, RepRow.name)
            .join(RepRow, QuotaRow.rep_id == RepRow.id)
            .order_by(RepRow.name, QuotaRow.period_start)
        )
        if rep_ids is not None:
            query = query.where(QuotaRow.rep_id.in_(list(rep_ids)))
        query = scoped(query, QuotaRow.rep_id, scope)
        return [
            Quota(
                rep=name,
                period_start=row.period_start,
                period_end=row.period_end,
                amount=row.amount,
            )
            for row, name in self.session.execute(query)
        ]
