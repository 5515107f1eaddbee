"""Performance reviews, and the reads a review pack is built from.

Every read of people's data takes the viewer's `Scope` as a required keyword and applies it in
the SQL: a review, deal, call or activity outside it is exactly like one that does not exist. A
rep's scope never reads a review still in draft (the manager's view before it is shared).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from callcoach.domain.access import Role, Scope
from callcoach.store.models import (
    DealRow,
    HumanRatingRow,
    RepRow,
    ReviewDraftRow,
    ReviewRow,
    ReviewSelfAssessmentRow,
    RubricRow,
    ScoreRunRow,
    TeamRow,
)
from callcoach.store.repositories.calls import now_utc
from callcoach.store.repositories.review_reads import ReviewReads
from callcoach.store.repositories.scoping import scoped


@dataclass(frozen=True)
class ReviewSummary:
    id: int
    rep: str
    rep_pk: int
    team: str | None
    manager: str | None
    rubric: str
    rubric_version: int
    as_of: date
    window_start: date
    state: str
    self_assessed: bool
    final_ratings: dict[str, Any]
    has_plan: bool
    checkpoint_event_id: int | None
    checkpoint_on: date | None
    created_at: datetime
    shared_at: datetime | None
    held_on: date | None
    closed_at: datetime | None
    drafts: int


@dataclass(frozen=True)
class StoredReview:
    summary: ReviewSummary
    pack: dict[str, Any]
    plan: dict[str, Any] | None
    scorer: str | None


@dataclass(frozen=True)
class StoredSelfAssessment:
    ratings: dict[str, Any]
    submitted_by: str
    submitted_at: datetime


@dataclass(frozen=True)
class StoredDraft:
    version: int
    text: str
    source: str
    author: str
    check: dict[str, Any]
    created_at: datetime


_SUMMARY = (
    ReviewRow.id,
    RepRow.name,
    RepRow.id,
    TeamRow.name,
    ReviewRow.manager,
    RubricRow.slug,
    ReviewRow.rubric_version,
    ReviewRow.as_of,
    ReviewRow.window_start,
    ReviewRow.state,
    ReviewSelfAssessmentRow.id,
    ReviewRow.final_ratings,
    ReviewRow.plan.is_not(None),
    ReviewRow.checkpoint_event_id,
    ReviewRow.checkpoint_on,
    ReviewRow.created_at,
    ReviewRow.shared_at,
    ReviewRow.held_on,
    ReviewRow.closed_at,
)


class ReviewRepository(ReviewReads):
    UNSCOPED: ClassVar[dict[str, str]] = {
        "create": "write",
        "set_state": "write (on a review already read within the scope)",
        "set_final_ratings": "write (on a review already read within the scope)",
        "set_plan": "write (on a review already read within the scope)",
        "set_checkpoint": "write (on a review already read within the scope)",
        "save_self_assessment": "write (on a review already read within the scope)",
        "add_draft": "write (on a review already read within the scope)",
        "outcome_stamp": "a cache key of maxima and counts, no person's rows",
    }

    def __init__(self, session: Session) -> None:
        self.session = session

    # reviews -------------------------------------------------------------------------------
    def create(
        self,
        rep_pk: int,
        manager: str | None,
        rubric_pk: int,
        rubric_version: int,
        scorer: str | None,
        as_of: date,
        window_start: date,
        pack: dict[str, Any],
        plan: dict[str, Any] | None,
    ) -> int:
        now = now_utc()
        row = ReviewRow(
            rep_id=rep_pk,
            manager=manager,
            rubric_id=rubric_pk,
            rubric_version=rubric_version,
            scorer=scorer,
            as_of=as_of,
            window_start=window_start,
            state="draft",
            pack=pack,
            final_ratings={},
            plan=plan,
            created_at=now,
            updated_at=now,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def _summary_query(self, scope: Scope) -> Any:
        drafts = (
            select(func.count(ReviewDraftRow.id))
            .where(ReviewDraftRow.review_id == ReviewRow.id)
            .scalar_subquery()
        )
        query = (
            select(*_SUMMARY, drafts)
            .join(RepRow, RepRow.id == ReviewRow.rep_id)
            .outerjoin(TeamRow, TeamRow.id == RepRow.team_id)
            .join(RubricRow, RubricRow.id == ReviewRow.rubric_id)
            .outerjoin(ReviewSelfAssessmentRow, ReviewSelfAssessmentRow.review_id == ReviewRow.id)
        )
        return scoped(query, ReviewRow.rep_id, scope)

    @staticmethod
    def _to_summary(row: Any) -> ReviewSummary:
        return ReviewSummary(
            id=row[0],
            rep=row[1],
            rep_pk=row[2],
            team=row[3],
            manager=row[4],
            rubric=row[5],
            rubric_version=row[6],
            as_of=row[7],
            window_start=row[8],
            state=row[9],
            self_assessed=row[10] is not None,
            final_ratings=dict(row[11] or {}),
            has_plan=bool(row[12]),
            checkpoint_event_id=row[13],
            checkpoint_on=row[14],
            created_at=row[15],
            shared_at=row[16],
            held_on=row[17],
            closed_at=row[18],
            drafts=int(row[19] or 0),
        )

    def summary(self, review_id: int, *, scope: Scope) -> ReviewSummary | None:
        """The review's status (any state) if the scope allows its rep."""
        row = self.session.execute(
            self._summary_query(scope).where(ReviewRow.id == review_id)
        ).first()
        return self._to_summary(row) if row else None

    def full(self, review_id: int, *, scope: Scope) -> StoredReview | None:
        """The review with its pack: for a rep's scope only once it is no longer a draft."""
        query = self._summary_query(scope).add_columns(
            ReviewRow.pack, ReviewRow.plan, ReviewRow.scorer
        )
        query = query.where(ReviewRow.id == review_id)
        if scope.viewer.role is Role.REP:
            query = query.where(ReviewRow.state != "draft")
        row = self.session.execute(query).first()
        if row is None:
            return None
        return StoredReview(self._to_summary(row[:20]), dict(row[20]), row[21], row[22])

    def summaries(
        self,
        *,
        scope: Scope,
        rep_pks: Sequence[int] | None = None,
        states: Sequence[str] | None = None,
    ) -> list[ReviewSummary]:
        query = self._summary_query(scope)
        if rep_pks is not None:
            query = query.where(ReviewRow.rep_id.in_(list(rep_pks)))
        if states:
            query = query.where(ReviewRow.state.in_(list(states)))
        query = query.order_by(ReviewRow.as_of.desc(), RepRow.name, ReviewRow.id.desc())
        return [self._to_summary(row) for row in self.session.execute(query)]

    def set_state(self, review_id: int, state: str, **stamps: Any) -> None:
        self.session.execute(
            update(ReviewRow)
            .where(ReviewRow.id == review_id)
            .values(state=state, updated_at=now_utc(), **stamps)
        )

    def set_final_ratings(self, review_id: int, ratings: dict[str, Any]) -> None:
        self.session.execute(
            update(ReviewRow)
            .where(ReviewRow.id == review_id)
            .values(final_ratings=ratings, updated_at=now_utc())
        )

    def set_plan(self, review_id: int, plan: dict[str, Any]) -> None:
        self.session.execute(
            update(ReviewRow)
            .where(ReviewRow.id == review_id)
            .values(plan=plan, updated_at=now_utc())
        )

    def set_checkpoint(self, review_id: int, event_id: int, on: date) -> None:
        self.session.execute(
            update(ReviewRow)
            .where(ReviewRow.id == review_id)
            .values(checkpoint_event_id=event_id, checkpoint_on=on, updated_at=now_utc())
        )

    # self-assessment -----------------------------------------------------------------------
    def save_self_assessment(self, review_id: int, ratings: dict[str, Any], by: str) -> None:
        self.session.add(
            ReviewSelfAssessmentRow(
                review_id=review_id, ratings=ratings, submitted_by=by, submitted_at=now_utc()
            )
        )
        self.session.flush()

    def self_assessment(self, review_id: int, *, scope: Scope) -> StoredSelfAssessment | None:
        query = (
            select(
                ReviewSelfAssessmentRow.ratings,
                ReviewSelfAssessmentRow.submitted_by,
                ReviewSelfAssessmentRow.submitted_at,
            )
            .join(ReviewRow, ReviewRow.id == ReviewSelfAssessmentRow.review_id)
            .where(ReviewSelfAssessmentRow.review_id == review_id)
        )
        row = self.session.execute(scoped(query, ReviewRow.rep_id, scope)).first()
        return StoredSelfAssessment(dict(row[0]), row[1], row[2]) if row else None

    # drafts --------------------------------------------------------------------------------
    def add_draft(
        self, review_id: int, text: str, source: str, author: str, check: dict[str, Any]
    ) -> int:
        latest = self.session.scalar(
            select(func.max(ReviewDraftRow.version)).where(ReviewDraftRow.review_id == review_id)
        )
        version = int(latest or 0) + 1
        self.session.add(
            ReviewDraftRow(
                review_id=review_id,
                version=version,
                text=text,
                source=source,
                author=author,
                check=check,
                created_at=now_utc(),
            )
        )
        self.session.execute(
            update(ReviewRow).where(ReviewRow.id == review_id).values(updated_at=now_utc())
        )
        self.session.flush()
        return version

    def drafts(self, review_id: int, *, scope: Scope) -> list[StoredDraft]:
        """Every version of the text, oldest first (a rep's scope: none while in draft)."""
        query = (
            select(ReviewDraftRow)
            .join(ReviewRow, ReviewRow.id == ReviewDraftRow.review_id)
            .where(ReviewDraftRow.review_id == review_id)
            .order_by(ReviewDraftRow.version)
        )
        if scope.viewer.role is Role.REP:
            query = query.where(ReviewRow.state != "draft")
        rows = self.session.scalars(scoped(query, ReviewRow.rep_id, scope))
        return [
            StoredDraft(r.version, r.text, r.source, r.author, dict(r.check), r.created_at)
            for r in rows
        ]

    def outcome_stamp(self) -> tuple[Any, ...]:
        """What the organisation's outcome association depends on, in a few index reads:
        machine runs, managers' ratings and closed deals (a change to any changes the stamp).
        No people's data: counts and maxima only."""
        # Re-scoring or re-importing a call replaces its run by a new one: the newest id moves.
        runs = self.session.execute(select(func.max(ScoreRunRow.id))).one()
        ratings = self.session.execute(
            select(func.max(HumanRatingRow.id), func.max(HumanRatingRow.created_at))
        ).one()
        deals = self.session.execute(
            select(
                func.max(DealRow.id),
                func.count(DealRow.id).filter(DealRow.outcome == "won"),
                func.count(DealRow.id).filter(DealRow.outcome == "lost"),
            )
        ).one()
        return (str(self.session.get_bind().engine.url), *runs, *ratings, *deals)
