"""A review's life: the rep's self-assessment, final ratings, the plan, share, hold, close.

Rules: only the rep (or an administrator entering it for them) records the self-assessment,
once; only managers and administrators rate, plan, share, hold and close; states move draft ->
shared -> held -> closed; holding the review schedules the 30-day checkpoint as a coaching event
on the plan's first criterion (so the 30-day re-score and the manager-effectiveness report pick
it up); a review closes only when the four outputs exist. Any refusal changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from callcoach.domain.access import SYSTEM, Role, Viewer
from callcoach.domain.reviews import (
    DIMENSIONS,
    PlanItem,
    ReviewRuleError,
    ReviewState,
    WrittenPlan,
    check_rating,
    check_self_assessment,
    check_transition,
    missing_outputs,
)
from callcoach.services.accounts.users import PermissionDeniedError
from callcoach.services.reviews.common import (
    ReviewError,
    load_review,
    plan_to_json,
    require_manager,
    scope_of,
    summary_or_404,
)
from callcoach.store.repositories.calls import now_utc
from callcoach.store.repositories.reviews import ReviewSummary
from callcoach.store.uow import Store, UnitOfWork


def _rule(action: Any) -> Any:
    try:
        return action()
    except ReviewRuleError as exc:
        raise ReviewError(str(exc)) from exc


def self_assess(
    store: Store, review_id: int, ratings: Mapping[str, Any], viewer: Viewer = SYSTEM
) -> ReviewSummary:
    """Record the rep's self-assessment (1-5 and words per dimension), once."""
    if viewer.role is Role.MANAGER:
        raise PermissionDeniedError(
            "the self-assessment is the rep's own: the rep enters it (an administrator "
            "may enter it on their behalf)"
        )
    assessment = _rule(lambda: check_self_assessment(ratings))
    with store.unit_of_work() as uow:
        scope = scope_of(uow, viewer)
        summary = summary_or_404(uow, review_id, scope)
        existing = uow.reviews.self_assessment(review_id, scope=scope)
        if existing is not None:
            raise ReviewError(
                f"the self-assessment of review {review_id} is on record since "
                f"{existing.submitted_at:%Y-%m-%d}: it is kept as entered"
            )
        if summary.state == ReviewState.CLOSED.value:
            raise ReviewError(f"review {review_id} is closed")
        uow.reviews.save_self_assessment(review_id, assessment.model_dump(), viewer.username)
        uow.audit.record(viewer.username, "review.self_assess", summary.rep, review=review_id)
        result = uow.reviews.summary(review_id, scope=scope)
    assert result is not None
    return result


def _managed(uow: UnitOfWork, review_id: int, viewer: Viewer, action: str) -> ReviewSummary:
    require_manager(viewer, action)
    summary = summary_or_404(uow, review_id, scope_of(uow, viewer))
    if summary.state == ReviewState.CLOSED.value:
        raise ReviewError(f"review {review_id} is closed: nothing can change")
    return summary


def rate(
    store: Store,
    review_id: int,
    ratings: Mapping[str, Any],
    reasons: Mapping[str, str] | None = None,
    viewer: Viewer = SYSTEM,
) -> ReviewSummary:
    """Set the manager's final ratings (1-5) for some or all dimensions, with a reason each."""
    if not ratings:
        raise ReviewError("give at least one rating, e.g. skill=3")
    checked = {dim: _rule(lambda d=dim, r=r: check_rating(d, r)) for dim, r in ratings.items()}
    with store.unit_of_work() as uow:
        summary = _managed(uow, review_id, viewer, "rate a review")
        current = dict(summary.final_ratings)
        for dim, value in checked.items():
            current[dim] = {
                "rating": value,
                "reason": (reasons or {}).get(dim, "").strip(),
                "by": viewer.username,
            }
        uow.reviews.set_final_ratings(review_id, current)
        uow.audit.record(viewer.username, "review.rate", summary.rep, review=review_id, **checked)
    return _summary(store, review_id, viewer)


def set_plan(
    store: Store,
    review_id: int,
    assignments: Sequence[str] | None = None,
    notes: str | None = None,
    viewer: Viewer = SYSTEM,
) -> ReviewSummary:
    """Replace the plan's practice assignments (kept on its first criterion) and notes."""
    with store.unit_of_work() as uow:
        summary = _managed(uow, review_id, viewer, "write the plan")
        review = load_review(uow, review_id, scope_of(uow, viewer))
        plan = review.plan or WrittenPlan(items=list(review.pack.plan.items))
        if not plan.items:
            raise ReviewError("the pack has no criterion to plan on (no scored calls yet)")
        if assignments is not None:
            cleaned = [a.strip() for a in assignments if a.strip()]
            first = plan.items[0]
            plan.items = [
                PlanItem(
                    first.criterion_id, first.criterion, first.behaviour, cleaned, first.leverage
                ),
                *[
                    PlanItem(i.criterion_id, i.criterion, i.behaviour, [], i.leverage)
                    for i in plan.items[1:]
                ],
            ]
        if notes is not None:
            plan.notes = notes.strip()
        uow.reviews.set_plan(review_id, plan_to_json(plan))
        uow.audit.record(viewer.username, "review.plan", summary.rep, review=review_id)
    return _summary(store, review_id, viewer)


def share(store: Store, review_id: int, viewer: Viewer = SYSTEM) -> ReviewSummary:
    """Share with the rep: they can read the review (and the latest text) from now on."""
    with store.unit_of_work() as uow:
        summary = _managed(uow, review_id, viewer, "share a review")
        _rule(lambda: check_transition(ReviewState(summary.state), ReviewState.SHARED))
        uow.reviews.set_state(review_id, ReviewState.SHARED.value, shared_at=now_utc())
        uow.audit.record(viewer.username, "review.share", summary.rep, review=review_id)
    return _summary(store, review_id, viewer)


def hold(
    store: Store, review_id: int, on: date | None = None, viewer: Viewer = SYSTEM
) -> ReviewSummary:
    """The meeting took place: schedule the 30-day checkpoint as a coaching event on the plan's
    first criterion, dated the meeting day (the re-score measures 30 days on)."""
    from callcoach.services.assessment.query import resolve_rubric

    day = on or date.today()
    with store.unit_of_work() as uow:
        summary = _managed(uow, review_id, viewer, "hold a review")
        _rule(lambda: check_transition(ReviewState(summary.state), ReviewState.HELD))
        review = load_review(uow, review_id, scope_of(uow, viewer))
        plan = review.plan or WrittenPlan(items=list(review.pack.plan.items))
        if not plan.items:
            raise ReviewError(
                "the plan has no criterion: the checkpoint needs one (score or rate calls, "
                "then prepare the review again)"
            )
        first = plan.items[0]
        _, rubric_pk, _ = resolve_rubric(uow, review.pack.rubric)
        checkpoint = day + timedelta(days=review.pack.plan.checkpoint_days)
        note = (
            f"performance review {review_id}: development plan on {first.criterion}; "
            f"checkpoint {checkpoint.isoformat()}: review {review.pack.plan.checkpoint_calls} "
            "calls together"
        )
        event = uow.coaching.add(
            summary.rep_pk,
            rubric_pk,
            first.criterion_id,
            day,
            note,
            viewer.username
            if viewer.role is Role.MANAGER
            else (summary.manager or viewer.username),
        )
        uow.reviews.set_checkpoint(review_id, event, checkpoint)
        uow.reviews.set_state(review_id, ReviewState.HELD.value, held_on=day)
        uow.audit.record(
            viewer.username,
            "review.hold",
            summary.rep,
            review=review_id,
            coaching_event=event,
            checkpoint=checkpoint.isoformat(),
        )
    return _summary(store, review_id, viewer)


def outputs_missing(uow: UnitOfWork, review_id: int, viewer: Viewer) -> list[str]:
    review = load_review(uow, review_id, scope_of(uow, viewer))
    call_evidence = review.pack.skill.calls > 0
    return missing_outputs(
        review.final_ratings,
        call_evidence,
        review.self_assessment is not None,
        review.plan,
        review.summary.checkpoint_event_id is not None,
    )


def close(store: Store, review_id: int, viewer: Viewer = SYSTEM) -> ReviewSummary:
    """Close the review; refused, naming what is missing, until the four outputs exist."""
    with store.unit_of_work() as uow:
        summary = _managed(uow, review_id, viewer, "close a review")
        missing = outputs_missing(uow, review_id, viewer)
        if missing:
            raise ReviewError(
                f"review {review_id} cannot be closed yet; missing: " + "; ".join(missing)
            )
        _rule(lambda: check_transition(ReviewState(summary.state), ReviewState.CLOSED))
        uow.reviews.set_state(review_id, ReviewState.CLOSED.value, closed_at=now_utc())
        uow.audit.record(viewer.username, "review.close", summary.rep, review=review_id)
    return _summary(store, review_id, viewer)


def _summary(store: Store, review_id: int, viewer: Viewer) -> ReviewSummary:
    with store.unit_of_work() as uow:
        return summary_or_404(uow, review_id, scope_of(uow, viewer))


DIMENSION_NAMES = tuple(d.value for d in DIMENSIONS)
