"""What the CLI, the web pages and the API show of reviews, with the same rules everywhere.

A manager (or administrator) sees the whole review: pack, text, ratings, plan, missing outputs.
A rep sees that a review of theirs exists and can enter their self-assessment; they read the
review only once it is shared, and only after their self-assessment is on record (so they give
their own view before seeing the manager's). Every read is audit-logged.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from callcoach.analytics.reviews_pack import ReviewPack
from callcoach.domain.access import SYSTEM, Role, Viewer
from callcoach.domain.reviews import (
    DIMENSIONS,
    FinalRating,
    PerceptionGap,
    ReviewState,
    SelfAssessment,
    WrittenPlan,
    perception_gap,
    rep_may_read,
)
from callcoach.services.common import NotFoundError
from callcoach.services.reviews.common import load_review, scope_of, summary_or_404
from callcoach.services.reviews.drafting import DraftResult, current_draft
from callcoach.services.reviews.lifecycle import outputs_missing
from callcoach.store.repositories.reviews import ReviewSummary
from callcoach.store.uow import Store


@dataclass
class ReviewView:
    summary: ReviewSummary
    pack: ReviewPack | None  # None: not readable by this viewer yet (message says why)
    self_assessment: SelfAssessment | None
    gaps: list[PerceptionGap]
    final_ratings: dict[str, FinalRating]
    plan: WrittenPlan | None
    missing: list[str]
    draft: DraftResult | None
    manager_view: bool
    message: str | None = None
    needs_self_assessment: bool = False


def perception_gaps(pack: ReviewPack, own: SelfAssessment | None) -> list[PerceptionGap]:
    if own is None:
        return []
    return [
        perception_gap(d.value, own.of(d).rating, pack.dimension(d.value).proposed)
        for d in DIMENSIONS
    ]


def show_review(store: Store, review_id: int, viewer: Viewer = SYSTEM) -> ReviewView:
    with store.unit_of_work() as uow:
        scope = scope_of(uow, viewer)
        summary = summary_or_404(uow, review_id, scope)
        uow.audit.record(viewer.username, "review.view", summary.rep, review=review_id)
        own = uow.reviews.self_assessment(review_id, scope=scope)
        own_model = SelfAssessment.model_validate(own.ratings) if own else None
        if viewer.role is Role.REP:
            if not rep_may_read(ReviewState(summary.state)):
                return _waiting(
                    summary,
                    own_model,
                    "your manager is preparing this review; "
                    "enter your self-assessment now, you will read the review "
                    "once it is shared",
                )
            if own_model is None:
                return _waiting(
                    summary,
                    None,
                    "your review is shared: enter your "
                    "self-assessment first, then you will read it",
                )
        review = load_review(uow, review_id, scope)
        missing = outputs_missing(uow, review_id, viewer)
    draft = current_draft(store, review_id, viewer)
    return ReviewView(
        summary=review.summary,
        pack=review.pack,
        self_assessment=review.self_assessment,
        gaps=perception_gaps(review.pack, review.self_assessment),
        final_ratings=review.final_ratings,
        plan=review.plan,
        missing=missing,
        draft=draft,
        manager_view=viewer.role is not Role.REP,
    )


def hidden_from_rep(summary: ReviewSummary) -> ReviewSummary:
    """What a rep may know of a review they cannot read yet: that it exists and its state,
    not the manager's ratings."""
    if summary.state != ReviewState.DRAFT.value and summary.self_assessed:
        return summary
    return replace(summary, final_ratings={})


def _waiting(summary: ReviewSummary, own: SelfAssessment | None, message: str) -> ReviewView:
    return ReviewView(
        summary=hidden_from_rep(summary),
        pack=None,
        self_assessment=own,
        gaps=[],
        final_ratings={},
        plan=None,
        missing=[],
        draft=None,
        manager_view=False,
        message=message,
        needs_self_assessment=own is None,
    )


def quick_missing(summary: ReviewSummary) -> list[str]:
    """The outputs a review visibly lacks, from its status alone (lists and the team page;
    `close` checks the full rule on the pack)."""
    missing = []
    unrated = [d.value for d in DIMENSIONS if d.value not in summary.final_ratings]
    if unrated:
        missing.append(f"ratings ({', '.join(unrated)})")
    if not summary.self_assessed:
        missing.append("self-assessment")
    if not summary.has_plan:
        missing.append("plan")
    if summary.checkpoint_event_id is None:
        missing.append("checkpoint")
    return missing


def list_reviews(
    store: Store,
    viewer: Viewer = SYSTEM,
    rep: str | None = None,
    team: str | None = None,
    state: str | None = None,
) -> list[ReviewSummary]:
    with store.unit_of_work() as uow:
        scope = scope_of(uow, viewer)
        rep_pks = None
        if rep:
            found = uow.reviews.rep_row(rep, scope=scope)
            if found is None:
                raise NotFoundError(f"no rep {rep!r}")
            rep_pks = [found[0]]
        elif team:
            members = uow.reviews.team_rep_pks(team, scope=scope)
            if not members:
                raise NotFoundError(f"no team {team!r}")
            rep_pks = [pk for pk, _ in members]
        if state and state not in {s.value for s in ReviewState}:
            raise NotFoundError(f"no review state {state!r}: draft, shared, held or closed")
        reviews = uow.reviews.summaries(
            scope=scope, rep_pks=rep_pks, states=[state] if state else None
        )
    if viewer.role is Role.REP:
        return [hidden_from_rep(s) for s in reviews]
    return reviews


@dataclass
class CycleLine:
    rep: str
    review_id: int | None
    state: str | None
    as_of: date | None
    self_assessed: bool
    missing: list[str] = field(default_factory=list)


@dataclass
class TeamCycle:
    team: str
    lines: list[CycleLine]

    @property
    def self_assessed(self) -> int:
        return sum(1 for line in self.lines if line.self_assessed)


def team_cycle(store: Store, team: str, viewer: Viewer = SYSTEM) -> TeamCycle:
    """Per rep of the team: their latest review, whether they self-assessed, what is missing."""
    with store.unit_of_work() as uow:
        scope = scope_of(uow, viewer)
        members = uow.reviews.team_rep_pks(team, scope=scope)
        if not members:
            raise NotFoundError(f"no team {team!r}")
        reviews = uow.reviews.summaries(scope=scope, rep_pks=[pk for pk, _ in members])
    latest: dict[int, ReviewSummary] = {}
    for summary in reviews:  # newest as-of first
        latest.setdefault(summary.rep_pk, summary)
    lines = []
    for pk, name in members:
        found = latest.get(pk)
        if found is None:
            lines.append(CycleLine(name, None, None, None, False, ["a review (not prepared)"]))
            continue
        lines.append(
            CycleLine(
                name,
                found.id,
                found.state,
                found.as_of,
                found.self_assessed,
                quick_missing(found) if found.state != "closed" else [],
            )
        )
    return TeamCycle(team, lines)


MAX_CYCLES_SHOWN = 10  # the dashboard of an administrator of many teams links to /reviews


def review_cycles(
    store: Store, viewer: Viewer, team: str | None, teams: list[str]
) -> list[TeamCycle]:
    """The review cycle of the team shown, or of each of the viewer's teams (the team page)."""
    if viewer.role is Role.REP:
        return []
    chosen = [team] if team else teams[:MAX_CYCLES_SHOWN]
    result = []
    for name in chosen:
        try:
            result.append(team_cycle(store, name, viewer))
        except NotFoundError:
            continue
    return [c for c in result if any(line.review_id for line in c.lines)]
