"""`review draft`: the review text, every sentence citing the pack's evidence; edits are checked
on every save by the same function (analytics/reviews_check.check_text)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from callcoach.analytics.reviews_check import TextCheck, check_text
from callcoach.analytics.reviews_format import day
from callcoach.analytics.reviews_text import draft_sections, render_text, review_evidence
from callcoach.domain.access import SYSTEM, Viewer
from callcoach.domain.reviews import EvidenceItem, metric_id
from callcoach.services.reviews.common import (
    LoadedReview,
    ReviewError,
    load_review,
    require_manager,
    scope_of,
)
from callcoach.settings import Settings
from callcoach.store.uow import Store

MAX_TEXT = 60_000


@dataclass
class DraftResult:
    review_id: int
    version: int
    text: str
    source: str  # generated, model or edited
    author: str
    check: TextCheck
    model: dict[str, Any] = field(default_factory=dict)  # what the model phrasing did


def evidence_of(review: LoadedReview) -> dict[str, EvidenceItem]:
    """What a sentence of this review may cite: the pack's items, the self-assessment, the
    final ratings, and the checkpoint date once the review was held."""
    evidence = review_evidence(review.pack, review.self_assessment, review.final_ratings)
    checkpoint = evidence.get(metric_id("plan", "checkpoint"))
    if checkpoint is not None and review.summary.checkpoint_on is not None:
        evidence[checkpoint.id] = replace(
            checkpoint, dates={"checkpoint": review.summary.checkpoint_on}
        )
    return evidence


def check_review_text(review: LoadedReview, text: str) -> TextCheck:
    return check_text(text, evidence_of(review), review.pack.allowed_names())


def title_of(review: LoadedReview) -> str:
    pack = review.pack
    return f"Performance review: {pack.rep}, {day(pack.window_start)} to {day(pack.as_of)}"


def generate_draft(
    store: Store,
    review_id: int,
    viewer: Viewer = SYSTEM,
    settings: Settings | None = None,
    use_model: bool | None = None,
    model_sections: int | None = None,
) -> DraftResult:
    """Write the review text from the pack (and, when a model is configured, let it rephrase:
    a rephrased sentence that fails the check is replaced by the one built from evidence)."""
    require_manager(viewer, "write a review")
    settings = settings or Settings()
    with store.unit_of_work() as uow:
        review = load_review(uow, review_id, scope_of(uow, viewer))
    if review.summary.state == "closed":
        raise ReviewError(f"review {review_id} is closed: its text is final")
    sections = draft_sections(
        review.pack,
        review.self_assessment,
        review.final_ratings,
        review.plan,
        review.summary.checkpoint_on,
    )
    evidence = evidence_of(review)
    names = review.pack.allowed_names()
    source = "generated"
    model_info: dict[str, Any] = {}
    if use_model if use_model is not None else settings.review_llm:
        from callcoach.services.reviews.phrasing import phrase_sections

        sections, model_info = phrase_sections(sections, evidence, names, settings, model_sections)
        source = "model" if model_info.get("kept") else "generated"
    text = render_text(title_of(review), sections)
    check = check_text(text, evidence, names)
    return _store(store, review_id, text, source, viewer, check, model_info)


def save_draft(store: Store, review_id: int, text: str, viewer: Viewer = SYSTEM) -> DraftResult:
    """Save the manager's edit as a new version, with the check of every sentence."""
    require_manager(viewer, "edit a review")
    if not text.strip():
        raise ReviewError("the review text is empty")
    if len(text) > MAX_TEXT:
        raise ReviewError(f"the review text is longer than {MAX_TEXT:,} characters")
    with store.unit_of_work() as uow:
        review = load_review(uow, review_id, scope_of(uow, viewer))
    if review.summary.state == "closed":
        raise ReviewError(f"review {review_id} is closed: its text is final")
    check = check_review_text(review, text)
    return _store(store, review_id, text, "edited", viewer, check, {})


def _store(
    store: Store,
    review_id: int,
    text: str,
    source: str,
    viewer: Viewer,
    check: TextCheck,
    model: dict[str, Any],
) -> DraftResult:
    stored_check = {
        **check.summary(),
        "problems": [
            {"sentence": s.index, "text": s.text, "status": s.status, "problems": s.problems}
            for s in check.sentences
            if s.status != "ok"
        ],
    }
    with store.unit_of_work() as uow:
        version = uow.reviews.add_draft(review_id, text, source, viewer.username, stored_check)
        uow.audit.record(
            viewer.username,
            f"review.draft.{source}",
            str(review_id),
            version=version,
            flagged=len(check.flagged),
        )
    return DraftResult(review_id, version, text, source, viewer.username, check, model)


def current_draft(store: Store, review_id: int, viewer: Viewer = SYSTEM) -> DraftResult | None:
    """The latest text with a fresh check (a rep: only once the review is shared)."""
    with store.unit_of_work() as uow:
        scope = scope_of(uow, viewer)
        review = load_review(uow, review_id, scope)
        drafts = uow.reviews.drafts(review_id, scope=scope)
    if not drafts:
        return None
    latest = drafts[-1]
    return DraftResult(
        review_id,
        latest.version,
        latest.text,
        latest.source,
        latest.author,
        check_review_text(review, latest.text),
    )
