"""The deal and quota reads of the assessment analytics (outcomes, quota attainment), each
taking the viewer's `Scope` and applying it in the SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.orm import Session

from callcoach.domain.access import Scope
from callcoach.store.models import CallRow, DealRow, QuotaRow
from callcoach.store.repositories.calls import chunks
from callcoach.store.repositories.scoping import scoped

INLINE_CHUNK = 5000  # integer ids written into one IN (...) list
BOUND_IDS = 200  # up to this many, the ids are bound parameters of a cached statement


def ids_in(column: Any, ids: Sequence[int]) -> Any:
    """`column IN (1, 2, ...)`. Up to a few hundred ids, bound parameters: the statement is then
    compiled once and cached (a page's moments and details queries were each compiled anew,
    several milliseconds apiece). Beyond, the integers are written into the SQL: thousands of
    bound parameters cost more to prepare than the query takes to run. Only ever integers."""
    if len(ids) <= BOUND_IDS:
        return column.in_([int(i) for i in ids])
    listed = ", ".join(str(int(i)) for i in ids) or "NULL"
    return text(f"{column.table.name}.{column.name} IN ({listed})")


def allowed(scope: Scope, rep_ids: Sequence[int] | None) -> frozenset[int] | None:
    """The reps both a read's own filter and the scope allow (None: every rep)."""
    return scope.narrowed(None if rep_ids is None else frozenset(rep_ids))


def plain_rows(session: Session, query: Any) -> list[tuple[Any, ...]]:
    """The DBAPI's own row tuples: at 100k rows, SQLAlchemy's Row objects cost as much as the
    query. Parameters still go through SQLAlchemy; every column is read untyped."""
    result = session.connection().execute(query)
    try:
        return list(result.cursor.fetchall()) if result.cursor is not None else []
    finally:
        result.close()


def in_window(
    query: Any,
    since: datetime | None,
    until: datetime | None,
    rep_ids: Sequence[int] | frozenset[int] | None,
) -> Any:
    """Calls dated in [since, until) of these reps (None: every rep)."""
    if since is not None:
        query = query.where(CallRow.call_date >= since)
    if until is not None:
        query = query.where(CallRow.call_date < until)
    if rep_ids is not None:
        query = query.where(CallRow.rep_id.in_(sorted(rep_ids)))
    return query


class DealAnalytics:
    session: Session

    def closed_deals(self, deal_pks: Sequence[int], *, scope: Scope) -> list[tuple[int, bool]]:
        """(deal, won) of those of these deals that are closed (won or lost).

        Only the deals a report links to, by primary key: reading every closed deal of a large
        store (100k at scale) to look up a team's few dozen cost more than the team's report.
        """
        result: list[tuple[int, bool]] = []
        for chunk in chunks(sorted(set(deal_pks)), INLINE_CHUNK):
            query = select(DealRow.id, DealRow.outcome).where(
                ids_in(DealRow.id, chunk), DealRow.outcome.in_(("won", "lost"))
            )
            rows = plain_rows(self.session, scoped(query, DealRow.rep_id, scope))
            result.extend((pk, outcome == "won") for pk, outcome in rows)
        return result

    def call_deals(
        self,
        since: datetime | None,
        until: datetime | None,
        rep_ids: Sequence[int] | None,
        *,
        scope: Scope,
    ) -> list[tuple[int, int, str]]:
        """(call, deal, outcome) for calls linked to closed (won or lost) deals."""
        query = (
            select(CallRow.id, DealRow.id, DealRow.outcome)
            .join(DealRow, DealRow.id == CallRow.deal_id)
            .where(DealRow.outcome.in_(("won", "lost")))
        )
        return [
            tuple(r)
            for r in self.session.connection().execute(
                in_window(query, since, until, allowed(scope, rep_ids))
            )
        ]

    def last_won_deals(
        self, count: int, rep_ids: Sequence[int] | None, *, scope: Scope
    ) -> list[tuple[int, date | None]]:
        """(deal, close date) of the `count` most recently closed won deals (undated last)."""
        query = select(DealRow.id, DealRow.close_date).where(DealRow.outcome == "won")
        reps = allowed(scope, rep_ids)
        if reps is not None:
            query = query.where(DealRow.rep_id.in_(sorted(reps)))
        query = query.order_by(
            DealRow.close_date.is_(None), DealRow.close_date.desc(), DealRow.id.desc()
        ).limit(count)
        return [(int(r[0]), r[1]) for r in self.session.execute(query)]

    def closed_deal_calls(
        self,
        won_pks: Sequence[int],
        lost_since: date | None,
        rep_ids: Sequence[int] | None,
        *,
        scope: Scope,
    ) -> list[tuple[int, int, str]]:
        """(call, deal, outcome) for calls linked to the given won deals, and to the lost deals
        closed on or after `lost_since` (None: every lost deal), whatever the calls' dates."""
        lost = DealRow.outcome == "lost"
        if lost_since is not None:
            lost = and_(lost, DealRow.close_date >= lost_since)
        query = (
            select(CallRow.id, DealRow.id, DealRow.outcome)
            .join(DealRow, DealRow.id == CallRow.deal_id)
            .where(or_(DealRow.id.in_(list(won_pks)), lost))
        )
        reps = allowed(scope, rep_ids)
        if reps is not None:
            query = query.where(CallRow.rep_id.in_(sorted(reps)))
        return [(int(r[0]), int(r[1]), str(r[2])) for r in self.session.execute(query)]

    def quota_attainment(
        self, start: date, end: date, rep_ids: Sequence[int] | None, *, scope: Scope
    ) -> list[tuple[int, float, float]]:
        """(rep, quota, won amount) over the quotas overlapping [start, end).

        Won amount: the rep's won deals closing inside those quota periods (one query: each
        quota joined to the won deals of its period).
        """
        won = func.coalesce(func.sum(DealRow.amount), 0.0)
        query = (
            select(QuotaRow.rep_id, QuotaRow.id, QuotaRow.amount, won)
            .outerjoin(
                DealRow,
                and_(
                    DealRow.rep_id == QuotaRow.rep_id,
                    DealRow.outcome == "won",
                    DealRow.close_date >= QuotaRow.period_start,
                    DealRow.close_date <= QuotaRow.period_end,
                ),
            )
            .where(QuotaRow.period_start < end, QuotaRow.period_end >= start)
            .group_by(QuotaRow.rep_id, QuotaRow.id, QuotaRow.amount)
        )
        reps = allowed(scope, rep_ids)
        if reps is not None:
            query = query.where(QuotaRow.rep_id.in_(sorted(reps)))
        totals: dict[int, tuple[float, float]] = {}
        for rep, _quota_pk, amount, won_amount in plain_rows(self.session, query):
            quota, achieved = totals.get(rep, (0.0, 0.0))
            totals[rep] = (quota + float(amount or 0.0), achieved + float(won_amount or 0.0))
        return [(rep, quota, achieved) for rep, (quota, achieved) in totals.items()]
