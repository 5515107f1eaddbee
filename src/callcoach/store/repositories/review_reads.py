"""The reads a review pack is built from: the rep and their team, deals, calls, activity,
quotas, ratings and the turns around a moment. Each takes the viewer's `Scope` as a required
keyword and applies it in the SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from callcoach.domain.access import Scope
from callcoach.store.models import (
    ActivityRow,
    CallRow,
    DealRow,
    HumanRatingRow,
    QuotaRow,
    RepRow,
    SegmentRow,
    TeamRow,
)
from callcoach.store.repositories.calls import chunks
from callcoach.store.repositories.scoping import scoped


def day_of(value: Any) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


class ReviewReads:
    session: Session

    def rep_row(
        self, name: str, *, scope: Scope
    ) -> tuple[int, str, str | None, str | None, date | None] | None:
        """(pk, name, team, manager, start date) of a rep the scope allows, by name."""
        query = select(
            RepRow.id,
            RepRow.name,
            TeamRow.name,
            func.coalesce(RepRow.manager, TeamRow.manager),
            RepRow.start_date,
        ).outerjoin(TeamRow, TeamRow.id == RepRow.team_id)
        exact = self.session.execute(
            scoped(query.where(RepRow.name == name.strip()), RepRow.id, scope)
        ).first()
        row = (
            exact
            or self.session.execute(
                scoped(
                    query.where(func.lower(RepRow.name) == name.strip().lower()), RepRow.id, scope
                )
            ).first()
        )
        return (row[0], row[1], row[2], row[3], row[4]) if row else None

    def team_rep_pks(self, team: str, *, scope: Scope) -> list[tuple[int, str]]:
        query = (
            select(RepRow.id, RepRow.name)
            .join(TeamRow, TeamRow.id == RepRow.team_id)
            .where(TeamRow.name == team)
            .order_by(RepRow.name)
        )
        return [(r[0], r[1]) for r in self.session.execute(scoped(query, RepRow.id, scope))]

    def deals(
        self, rep_pks: Sequence[int], since: date, until: date, *, scope: Scope
    ) -> list[tuple[Any, ...]]:
        """Deals of these reps closing on or after `since`, or not closed, created by `until`:
        (pk, external id, rep pk, name, account, amount, outcome, created, closed, verbal,
        stage changed, last activity)."""
        query = select(
            DealRow.id,
            DealRow.external_id,
            DealRow.rep_id,
            DealRow.name,
            DealRow.account,
            DealRow.amount,
            DealRow.outcome,
            DealRow.created_date,
            DealRow.close_date,
            DealRow.verbal_commit_date,
            DealRow.stage_changed_date,
            DealRow.last_activity_date,
        ).where(
            DealRow.rep_id.in_(list(rep_pks)),
            or_(DealRow.close_date.is_(None), DealRow.close_date >= since),
            or_(DealRow.created_date.is_(None), DealRow.created_date <= until),
        )
        return [tuple(r) for r in self.session.execute(scoped(query, DealRow.rep_id, scope))]

    def deal_calls(
        self, deal_pks: Sequence[int], until: datetime, *, scope: Scope
    ) -> list[tuple[int, int, date | None]]:
        """(deal pk, call pk, call day) of the calls linked to these deals before `until`."""
        result: list[tuple[int, int, date | None]] = []
        for chunk in chunks(sorted(set(deal_pks))):
            query = select(CallRow.deal_id, CallRow.id, CallRow.call_date).where(
                CallRow.deal_id.in_(chunk), CallRow.call_date < until
            )
            for deal, call, when in self.session.execute(scoped(query, CallRow.rep_id, scope)):
                result.append((deal, call, day_of(when)))
        return result

    def window_calls(
        self, rep_pk: int, since: datetime, until: datetime, *, scope: Scope
    ) -> list[tuple[int, str, datetime | None, str | None, int | None]]:
        """(pk, call id, date, account, deal pk) of the rep's calls in [since, until)."""
        query = (
            select(
                CallRow.id, CallRow.external_id, CallRow.call_date, CallRow.account, CallRow.deal_id
            )
            .where(CallRow.rep_id == rep_pk, CallRow.call_date >= since, CallRow.call_date < until)
            .order_by(CallRow.call_date)
        )
        return [tuple(r) for r in self.session.execute(scoped(query, CallRow.rep_id, scope))]

    def activities(
        self, rep_pks: Sequence[int], since: date, until: date, *, scope: Scope
    ) -> list[tuple[int, date, int, int, int]]:
        query = select(
            ActivityRow.rep_id,
            ActivityRow.day,
            ActivityRow.calls_made,
            ActivityRow.meetings_booked,
            ActivityRow.proposals_sent,
        ).where(
            ActivityRow.rep_id.in_(list(rep_pks)),
            ActivityRow.day >= since,
            ActivityRow.day <= until,
        )
        return [tuple(r) for r in self.session.execute(scoped(query, ActivityRow.rep_id, scope))]

    def quotas(
        self, rep_pks: Sequence[int], since: date, until: date, *, scope: Scope
    ) -> list[tuple[int, date, date, float]]:
        """Quota periods of these reps overlapping [since, until]."""
        query = select(
            QuotaRow.rep_id, QuotaRow.period_start, QuotaRow.period_end, QuotaRow.amount
        ).where(
            QuotaRow.rep_id.in_(list(rep_pks)),
            QuotaRow.period_start <= until,
            QuotaRow.period_end >= since,
        )
        return [tuple(r) for r in self.session.execute(scoped(query, QuotaRow.rep_id, scope))]

    def ratings(
        self, call_pks: Sequence[int], rubric_pk: int, *, scope: Scope
    ) -> list[tuple[int, str, str, int, str]]:
        """(call pk, criterion, rater, level, source) of people's ratings of these calls."""
        result: list[tuple[int, str, str, int, str]] = []
        for chunk in chunks(sorted(set(call_pks))):
            query = (
                select(
                    HumanRatingRow.call_id,
                    HumanRatingRow.criterion_id,
                    HumanRatingRow.rater,
                    HumanRatingRow.level,
                    HumanRatingRow.source,
                )
                .join(CallRow, CallRow.id == HumanRatingRow.call_id)
                .where(HumanRatingRow.call_id.in_(chunk), HumanRatingRow.rubric_id == rubric_pk)
            )
            result.extend(
                tuple(r) for r in self.session.execute(scoped(query, CallRow.rep_id, scope))
            )
        return result

    def segments_near(
        self, wanted: Sequence[tuple[int, int]], before: int, *, scope: Scope
    ) -> dict[int, list[tuple[int, str, str, float | None]]]:
        """For (call pk, segment) pairs: the segments from `before` turns earlier up to it,
        as call pk -> [(index, role, text, start)] in order."""
        by_call: dict[int, set[int]] = {}
        for call, segment in wanted:
            by_call.setdefault(call, set()).update(range(max(0, segment - before), segment + 1))
        result: dict[int, list[tuple[int, str, str, float | None]]] = {}
        if not by_call:
            return result
        conditions = [
            and_(SegmentRow.call_id == call, SegmentRow.idx.in_(sorted(indexes)))
            for call, indexes in by_call.items()
        ]
        for chunk in chunks(conditions, 200):
            query = (
                select(
                    SegmentRow.call_id,
                    SegmentRow.idx,
                    SegmentRow.role,
                    SegmentRow.text,
                    SegmentRow.start_s,
                )
                .join(CallRow, CallRow.id == SegmentRow.call_id)
                .where(or_(*chunk))
                .order_by(SegmentRow.call_id, SegmentRow.idx)
            )
            for call, idx, role, text_, start in self.session.execute(
                scoped(query, CallRow.rep_id, scope)
            ):
                result.setdefault(call, []).append((idx, role, text_, start))
        return result
