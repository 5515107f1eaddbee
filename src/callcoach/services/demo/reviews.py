"""The demo's review cycle: every rep of the first team gets a review pack as of the demo's
last day, every other rep enters a self-assessment, and one rep's review is written (every
sentence citing its evidence) and exported as the PDF a manager brings to the meeting.

Each step is an ordinary use case (prepare_team_reviews, self_assess, generate_draft,
export_review), run in order on the demo org.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from callcoach.demo.reviews import self_assessment
from callcoach.demo.summary import DemoSummary
from callcoach.domain.access import SYSTEM
from callcoach.services.common import NoProgress, Progress, ServiceError
from callcoach.services.reviews.drafting import DraftResult, generate_draft
from callcoach.services.reviews.export import export_review
from callcoach.services.reviews.lifecycle import self_assess
from callcoach.services.reviews.prepare import TeamPreparation, prepare_team_reviews
from callcoach.services.reviews.views import ReviewView, show_review
from callcoach.settings import Settings
from callcoach.store.uow import Store


@dataclass
class DemoReviewCycle:
    team: str
    preparation: TeamPreparation
    self_assessed: list[str]
    review: ReviewView  # the rep whose review is shown
    draft: DraftResult
    pdf: Path


def demo_review_cycle(
    store: Store,
    summary: DemoSummary,
    settings: Settings,
    preferred_scorer: str,
    pdf_folder: Path,
    progress: Progress | None = None,
) -> DemoReviewCycle:
    team = summary.teams[0].name
    result = prepare_team_reviews(
        store,
        team,
        rubric=summary.rubric_id,
        as_of=summary.end,
        settings=settings,
        preferred_scorer=preferred_scorer,
        progress=progress or NoProgress(),
    )
    if not result.prepared:
        raise ServiceError(f"no review could be prepared for {team}: {result.failed}")
    truth = {line.rep: line for line in summary.skills}
    assessed = []
    for position, entry in enumerate(sorted(result.prepared, key=lambda p: str(p["rep"]))):
        rep = str(entry["rep"])
        if position % 2 or rep not in truth:
            continue  # every other rep has not self-assessed yet: the cycle shows who is missing
        line = truth[rep]
        self_assess(
            store,
            int(str(entry["review"])),
            self_assessment(summary.seed, rep, line.skills, line.coached is not None),
            SYSTEM,
        )
        assessed.append(rep)
    views = [show_review(store, int(str(p["review"])), SYSTEM) for p in result.prepared]
    # The review shown: the rep with the most deals lost after a verbal commitment, among those
    # who self-assessed (the richest conversation).
    chosen = max(
        views,
        key=lambda v: (
            v.summary.self_assessed,
            len(v.pack.buckets.lost_after_verbal) if v.pack else 0,
            v.pack.counts.scored_calls if v.pack else 0,
        ),
    )
    draft = generate_draft(store, chosen.summary.id, SYSTEM, settings, use_model=False)
    pdf_folder.mkdir(parents=True, exist_ok=True)
    slug = chosen.summary.rep.lower().replace(" ", "-")
    pdf = (pdf_folder / f"demo-review-{slug}.pdf").resolve()
    pdf.write_bytes(export_review(store, chosen.summary.id, "pdf", SYSTEM))
    return DemoReviewCycle(
        team, result, assessed, show_review(store, chosen.summary.id, SYSTEM), draft, pdf
    )
