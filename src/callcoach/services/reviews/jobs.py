"""A team's review cycle as a background job: every rep's pack, with progress, resumable.

The job runs `prepare_team_reviews` with the acting manager's access (the job's owner). A
killed job that is resumed skips the reps whose pack it already stored (a draft with the same
as-of date and window), so no rep gets two packs from one cycle.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from callcoach.domain.jobs import Job
from callcoach.services.jobs.registry import JobContext, JobRequest
from callcoach.services.reviews.prepare import prepare_team_reviews

REVIEW_PACKS = "review-packs"


def review_packs_request(
    team: str,
    *,
    rubric: str,
    as_of: date,
    window_days: int | None,
    owner: str | None,
) -> JobRequest:
    """The job preparing `team`'s packs (asking twice while it waits or runs is one job)."""
    payload = {
        "team": team,
        "rubric": rubric,
        "as_of": as_of.isoformat(),
        "window_days": window_days,
    }
    key = f"{team}|{rubric}|{as_of.isoformat()}|{window_days or ''}"
    return JobRequest(REVIEW_PACKS, key, payload, owner=owner)


def prepare_review_packs(ctx: JobContext) -> dict[str, Any]:
    payload = ctx.payload
    settings = ctx.resources.settings
    result = prepare_team_reviews(
        ctx.store,
        payload["team"],
        rubric=payload["rubric"],
        as_of=date.fromisoformat(payload["as_of"]),
        window_days=payload.get("window_days"),
        viewer=ctx.viewer,
        settings=settings,
        preferred_scorer=settings.scorer,
        progress=ctx.progress,
        skip_existing=True,
    )
    ctx.value = result
    summary = (
        f"{len(result.prepared)} pack(s) prepared for {result.team}"
        + (f", {len(result.already)} already prepared" if result.already else "")
        + (f", {len(result.failed)} not prepared" if result.failed else "")
    )
    return {**asdict(result), "as_of": result.as_of.isoformat(), "summary": summary}


def review_packs_subject(job: Job) -> str:
    return f"{job.payload.get('team', '?')} as of {job.payload.get('as_of', '?')}"
