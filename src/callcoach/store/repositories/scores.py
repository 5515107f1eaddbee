"""Machine scores (one run per call x rubric version x scorer) and human ratings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from callcoach.domain.access import Scope
from callcoach.domain.scores import (
    CallScore,
    CriterionScore,
    Evidence,
    HumanRating,
    ScoreStatus,
)
from callcoach.store.models import (
    CallRow,
    CriterionScoreRow,
    HumanRatingRow,
    RubricRow,
    RubricVersionRow,
    ScoreRunRow,
)
from callcoach.store.repositories.calls import now_utc
from callcoach.store.repositories.scoping import scoped


def evidence_to_json(items: list[Evidence]) -> list[dict[str, Any]]:
    result = []
    for e in items:
        item: dict[str, Any] = {
            "segment": e.segment,
            "start": e.start,
            "end": e.end,
            "speaker": e.speaker,
            "quote": e.quote,
        }
        if e.likelihood is not None:
            item["likelihood"] = e.likelihood
        if e.reads_like is not None:
            item["reads_like"] = e.reads_like
        result.append(item)
    return result


def evidence_from_json(items: list[Any]) -> list[Evidence]:
    return [
        Evidence(
            segment=int(e["segment"]),
            quote=str(e["quote"]),
            speaker=str(e.get("speaker") or ""),
            start=e.get("start"),
            end=e.get("end"),
            likelihood=e.get("likelihood"),
            reads_like=e.get("reads_like"),
        )
        for e in items
    ]


def _to_score(run: ScoreRunRow, call_id: str, rubric_id: str, version: int) -> CallScore:
    return CallScore(
        call_id=call_id,
        rubric_id=rubric_id,
        rubric_version=version,
        scorer=run.scorer,
        scorer_version=run.scorer_version,
        status=ScoreStatus(run.status),
        reason=run.reason,
        overall=run.overall,
        created_at=run.created_at,
        criteria=[
            CriterionScore(
                criterion_id=c.criterion_id,
                level=c.level,
                confidence=c.confidence,
                rationale=c.rationale,
                evidence=evidence_from_json(c.evidence or []),
                prompt_tokens=c.prompt_tokens,
                completion_tokens=c.completion_tokens,
            )
            for c in run.criteria
        ],
    )


class StaleTranscriptError(Exception):
    """A score of text the call no longer has (re-imported, or deleted, while it was scored)."""


class ScoreRepository:
    UNSCOPED: ClassVar[dict[str, str]] = {
        "save": "write",
        "save_rating": "write",
        "rater_names": "the raters' own names (imports reuse their spelling), no rep's rows",
    }

    def __init__(self, session: Session) -> None:
        self.session = session

    def save(
        self,
        score: CallScore,
        call_pk: int,
        rubric_version_pk: int,
        content_hash: str | None = None,
    ) -> ScoreRunRow:
        """Store a run, replacing any earlier run of the same scorer on the same rubric version.

        `content_hash` is the transcript the scorer read. The call's row is locked and its
        current hash compared first: a score of an older text (the call was re-imported while it
        was scored) is refused with StaleTranscriptError, so no stored quote is of words the call
        no longer has, and the next run scores the new text.
        """
        current = self.session.scalar(
            select(CallRow.content_hash).where(CallRow.id == call_pk).with_for_update()
        )
        if current is None:
            raise StaleTranscriptError(f"call {score.call_id!r} was deleted while it was scored")
        if content_hash is not None and content_hash != current:
            raise StaleTranscriptError(
                f"call {score.call_id!r} was re-imported with a different transcript while it "
                "was scored; the score of the old text was not stored (the next run scores the "
                "new text)"
            )
        self.session.execute(
            delete(ScoreRunRow).where(
                ScoreRunRow.call_id == call_pk,
                ScoreRunRow.rubric_version_id == rubric_version_pk,
                ScoreRunRow.scorer == score.scorer,
            )
        )
        prompt = [c.prompt_tokens for c in score.criteria if c.prompt_tokens is not None]
        completion = [
            c.completion_tokens for c in score.criteria if c.completion_tokens is not None
        ]
        run = ScoreRunRow(
            call_id=call_pk,
            rubric_version_id=rubric_version_pk,
            scorer=score.scorer,
            scorer_version=score.scorer_version,
            content_hash=current,
            status=score.status.value,
            reason=score.reason,
            overall=score.overall,
            prompt_tokens=sum(prompt) if prompt else None,
            completion_tokens=sum(completion) if completion else None,
            created_at=score.created_at or now_utc(),
            criteria=[
                CriterionScoreRow(
                    criterion_id=c.criterion_id,
                    level=c.level,
                    confidence=c.confidence,
                    rationale=c.rationale,
                    evidence=evidence_to_json(c.evidence),
                    prompt_tokens=c.prompt_tokens,
                    completion_tokens=c.completion_tokens,
                )
                for c in score.criteria
            ],
        )
        self.session.add(run)
        self.session.flush()
        return run

    def _runs(self, scope: Scope, *conditions: Any) -> Iterator[CallScore]:
        query = (
            select(ScoreRunRow, CallRow.external_id, RubricRow.slug, RubricVersionRow.version)
            .join(CallRow, ScoreRunRow.call_id == CallRow.id)
            .join(RubricVersionRow, ScoreRunRow.rubric_version_id == RubricVersionRow.id)
            .join(RubricRow, RubricVersionRow.rubric_id == RubricRow.id)
            .where(*conditions)
            .options(selectinload(ScoreRunRow.criteria))
            .order_by(CallRow.call_date, CallRow.id, RubricRow.slug, RubricVersionRow.version)
        )
        for run, call_id, slug, version in self.session.execute(
            scoped(query, CallRow.rep_id, scope)
        ):
            yield _to_score(run, call_id, slug, version)

    def for_call(self, external_id: str, *, scope: Scope) -> list[CallScore]:
        return list(self._runs(scope, CallRow.external_id == external_id))

    def all(self, rubric_slug: str | None = None, *, scope: Scope) -> Iterator[CallScore]:
        """Every run on the calls the scope allows (of one rubric), oldest call first."""
        conditions = [RubricRow.slug == rubric_slug] if rubric_slug else []
        return self._runs(scope, *conditions)

    # human ratings
    def save_rating(self, rating: HumanRating, call_pk: int, rubric_pk: int) -> bool:
        row = self.session.scalar(
            select(HumanRatingRow).where(
                HumanRatingRow.call_id == call_pk,
                HumanRatingRow.rubric_id == rubric_pk,
                HumanRatingRow.criterion_id == rating.criterion_id,
                HumanRatingRow.rater == rating.rater,
            )
        )
        created = row is None
        if row is None:
            row = HumanRatingRow(
                call_id=call_pk,
                rubric_id=rubric_pk,
                criterion_id=rating.criterion_id,
                rater=rating.rater,
                level=rating.level,
                created_at=rating.created_at or now_utc(),
            )
            self.session.add(row)
        row.level = rating.level
        row.evidence_segment = rating.evidence_segment
        row.note = rating.note
        row.source = rating.source
        if not created:
            row.created_at = rating.created_at or now_utc()
        self.session.flush()
        return created

    def rater_names(self) -> list[str]:
        """Every rater who has rated, as first written (imports reuse that spelling)."""
        rows = self.session.execute(
            select(HumanRatingRow.rater)
            .group_by(HumanRatingRow.rater)
            .order_by(HumanRatingRow.rater)
        )
        return [rater for (rater,) in rows]

    def ratings(self, rubric_slug: str | None = None, *, scope: Scope) -> list[HumanRating]:
        """People's ratings of the calls the scope allows (of one rubric)."""
        query = (
            select(HumanRatingRow, CallRow.external_id, RubricRow.slug)
            .join(CallRow, HumanRatingRow.call_id == CallRow.id)
            .join(RubricRow, HumanRatingRow.rubric_id == RubricRow.id)
            .order_by(CallRow.external_id, HumanRatingRow.criterion_id, HumanRatingRow.rater)
        )
        if rubric_slug:
            query = query.where(RubricRow.slug == rubric_slug)
        query = scoped(query, CallRow.rep_id, scope)
        return [
            HumanRating(
                call_id=call_id,
                rater=row.rater,
                criterion_id=row.criterion_id,
                level=row.level,
                rubric_id=slug,
                evidence_segment=row.evidence_segment,
                note=row.note,
                source=row.source,
                created_at=row.created_at,
            )
            for row, call_id, slug in self.session.execute(query)
        ]
