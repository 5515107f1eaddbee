"""The job kinds this version knows, registered the way any later feature registers its own.

A new kind is one work function (`run(ctx: JobContext) -> dict`, in its capability's package)
plus one line below. The reviews and practice work registers here: preparing a team's review
packs, fine-tuning the encoder on verdicts, transcribing practice speech.
"""

from __future__ import annotations

from callcoach.services.jobs import builtin
from callcoach.services.jobs.registry import JobKind, JobRegistry
from callcoach.services.reviews import jobs as review_jobs

TRANSCRIBE = "transcribe"  # one recording: transcribe and import it
SCORE_CALL = "score"  # one call against one rubric with one scorer (`score --queue`)
SCORE_CALLS = "score-calls"  # a selection of calls (`score`, web re-score, after an import)


def default_registry() -> JobRegistry:
    """Every built-in job kind. Kinds map to Celery queues (`callcoach worker --queues`)."""
    return JobRegistry(
        [
            JobKind(
                TRANSCRIBE,
                "transcribe",
                "Transcribe a recording",
                builtin.transcribe,
                builtin.transcribe_subject,
            ),
            JobKind(
                SCORE_CALL, "score", "Score a call", builtin.score_call, builtin.score_call_subject
            ),
            JobKind(
                SCORE_CALLS,
                "score",
                "Score calls",
                builtin.score_selection,
                builtin.score_selection_subject,
            ),
            JobKind(
                review_jobs.REVIEW_PACKS,
                "reviews",
                "Prepare review packs",
                review_jobs.prepare_review_packs,
                review_jobs.review_packs_subject,
            ),
        ]
    )
