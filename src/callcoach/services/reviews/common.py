"""What the review use cases share: parameters from settings, the pack's JSON, access rules."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import TypeAdapter

from callcoach.analytics.reviews_pack import ReviewPack
from callcoach.domain.access import Role, Scope, Viewer
from callcoach.domain.reviews import (
    FinalRating,
    ReviewParameters,
    ReviewRuleError,
    SelfAssessment,
    WrittenPlan,
)
from callcoach.services.accounts.users import PermissionDeniedError
from callcoach.services.common import NotFoundError, ServiceError
from callcoach.settings import Settings
from callcoach.store.repositories.reviews import ReviewSummary, StoredReview
from callcoach.store.uow import UnitOfWork


class ReviewError(ServiceError):
    """A review action the rules refuse; nothing was changed."""


def parameters(settings: Settings | None = None) -> ReviewParameters:
    """The organisation's review parameters: the defaults with settings applied."""
    s = settings or Settings()
    try:
        return ReviewParameters().with_overrides(
            window_days=s.review_window_days,
            stalled_days=s.review_stalled_days,
            ramping_months=s.review_ramping_months,
            tenured_months=s.review_tenured_months,
            ramping_weights=s.review_weights_ramping,
            tenured_weights=s.review_weights_tenured,
            hypothesis_criteria=s.review_hypothesis_criteria,
        )
    except ReviewRuleError as exc:
        raise ReviewError(f"review settings: {exc}") from exc


@cache
def _pack_adapter() -> TypeAdapter[ReviewPack]:
    return TypeAdapter(ReviewPack)


def pack_to_json(pack: ReviewPack) -> dict[str, Any]:
    data: dict[str, Any] = _pack_adapter().dump_python(pack, mode="json")
    return data


def pack_from_json(data: dict[str, Any]) -> ReviewPack:
    return _pack_adapter().validate_python(data)


@cache
def _plan_adapter() -> TypeAdapter[WrittenPlan]:
    return TypeAdapter(WrittenPlan)


def plan_to_json(plan: WrittenPlan) -> dict[str, Any]:
    data: dict[str, Any] = _plan_adapter().dump_python(plan, mode="json")
    return data


def plan_from_json(data: dict[str, Any] | None) -> WrittenPlan | None:
    return None if data is None else _plan_adapter().validate_python(data)


def final_ratings_of(data: dict[str, Any]) -> dict[str, FinalRating]:
    return {
        dim: FinalRating(int(v["rating"]), str(v.get("reason") or ""), str(v.get("by") or ""))
        for dim, v in data.items()
    }


def scope_of(uow: UnitOfWork, viewer: Viewer) -> Scope:
    return uow.people.scope_for(viewer)


def require_manager(viewer: Viewer, action: str) -> None:
    """Managers and administrators prepare, write, rate, share, hold and close reviews."""
    if viewer.role is Role.REP:
        raise PermissionDeniedError(f"only the rep's manager or an administrator can {action}")


def not_found(review_id: int) -> NotFoundError:
    return NotFoundError(f"no review {review_id}")


def summary_or_404(uow: UnitOfWork, review_id: int, scope: Scope) -> ReviewSummary:
    found = uow.reviews.summary(review_id, scope=scope)
    if found is None:
        raise not_found(review_id)
    return found


def full_or_404(uow: UnitOfWork, review_id: int, scope: Scope) -> StoredReview:
    """The review with its pack. A rep asking for their draft is told it is not shared yet;
    anyone asking for a review outside their scope is told it does not exist."""
    found = uow.reviews.full(review_id, scope=scope)
    if found is None:
        if scope.viewer.role is Role.REP and uow.reviews.summary(review_id, scope=scope):
            raise ReviewError(
                f"review {review_id} is not shared with you yet: your manager shares it when "
                "it is ready (your self-assessment can be entered now)"
            )
        raise not_found(review_id)
    return found


@dataclass(frozen=True)
class LoadedReview:
    """A review as the use cases work on it."""

    summary: ReviewSummary
    pack: ReviewPack
    plan: WrittenPlan | None
    self_assessment: SelfAssessment | None
    final_ratings: dict[str, FinalRating]


def load_review(uow: UnitOfWork, review_id: int, scope: Scope) -> LoadedReview:
    stored = full_or_404(uow, review_id, scope)
    own = uow.reviews.self_assessment(review_id, scope=scope)
    return LoadedReview(
        summary=stored.summary,
        pack=pack_from_json(stored.pack),
        plan=plan_from_json(stored.plan),
        self_assessment=SelfAssessment.model_validate(own.ratings) if own else None,
        final_ratings=final_ratings_of(stored.summary.final_ratings),
    )
