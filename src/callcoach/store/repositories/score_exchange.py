"""Moving machine scores in and out in bulk: the queries behind `export scores` and
`import scores` (100k runs at scale: no ORM objects, batched statements)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from callcoach.domain.access import Scope
from callcoach.domain.scores import CallScore
from callcoach.store.models import (
    CallRow,
    CriterionScoreRow,
    RubricRow,
    RubricVersionRow,
    ScoreRunRow,
    SegmentRow,
)
from callcoach.store.repositories.analytics_deals import in_window
from callcoach.store.repositories.calls import SEGMENT_COLUMNS, chunks, now_utc
from callcoach.store.repositories.scoping import scoped
from callcoach.store.repositories.scores import evidence_to_json


class ScoreExchangeRepository:
    UNSCOPED: ClassVar[dict[str, str]] = {
        "existing_runs": "write path: keys of runs on calls already resolved within a scope",
        "replace_runs": "write",
        "refresh_statistics": "maintenance",
    }

    def __init__(self, session: Session) -> None:
        self.session = session

    def existing_runs(self, call_pks: Sequence[int]) -> set[tuple[int, int, str]]:
        """(call, rubric version pk, scorer) of the runs stored for these calls."""
        result: set[tuple[int, int, str]] = set()
        for chunk in chunks(sorted(set(call_pks))):
            rows = self.session.execute(
                select(
                    ScoreRunRow.call_id, ScoreRunRow.rubric_version_id, ScoreRunRow.scorer
                ).where(ScoreRunRow.call_id.in_(chunk))
            )
            result.update((c, v, s) for c, v, s in rows)
        return result

    def replace_runs(self, runs: Sequence[tuple[CallScore, int, int]]) -> None:
        """Store scored runs in bulk, (score, call pk, rubric version pk) each, replacing any
        earlier run of the same call, rubric version and scorer (score imports at scale)."""
        if not runs:
            return
        wanted = {(call_pk, version_pk, score.scorer) for score, call_pk, version_pk in runs}
        stale = [
            run_id
            for chunk in chunks(sorted({call for call, _, _ in wanted}))
            for run_id, call, version, scorer in self.session.execute(
                select(
                    ScoreRunRow.id,
                    ScoreRunRow.call_id,
                    ScoreRunRow.rubric_version_id,
                    ScoreRunRow.scorer,
                ).where(ScoreRunRow.call_id.in_(chunk))
            )
            if (call, version, scorer) in wanted
        ]
        for chunk in chunks(stale):
            self.session.execute(
                delete(CriterionScoreRow).where(CriterionScoreRow.run_id.in_(chunk))
            )
            self.session.execute(delete(ScoreRunRow).where(ScoreRunRow.id.in_(chunk)))
        created = now_utc()
        ids = self.session.scalars(
            insert(ScoreRunRow).returning(ScoreRunRow.id, sort_by_parameter_order=True),
            [
                {
                    "call_id": call_pk,
                    "rubric_version_id": version_pk,
                    "scorer": score.scorer,
                    "scorer_version": score.scorer_version,
                    "status": score.status.value,
                    "reason": score.reason,
                    "overall": score.overall,
                    "created_at": score.created_at or created,
                }
                for score, call_pk, version_pk in runs
            ],
        ).all()
        criteria = [
            {
                "run_id": run_id,
                "criterion_id": c.criterion_id,
                "level": c.level,
                "confidence": c.confidence,
                "rationale": c.rationale,
                "evidence": evidence_to_json(c.evidence),
            }
            for run_id, (score, _, _) in zip(ids, runs, strict=True)
            for c in score.criteria
        ]
        if criteria:
            self.session.execute(insert(CriterionScoreRow), criteria)

    def refresh_statistics(self) -> None:
        """After a bulk load, let PostgreSQL's planner see the new row counts now rather than
        at the next autovacuum (stale estimates turn the analytics joins into nested loops)."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(text("ANALYZE calls, score_runs, criterion_scores, human_ratings"))

    def export_rows(
        self,
        rubric_slug: str | None,
        scorer: str | None,
        rep_ids: Sequence[int] | None,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        scope: Scope,
    ) -> Iterator[tuple[Any, ...]]:
        """Scored runs with their criteria, streamed in (call, rubric, version, scorer) order:
        (run, call id, rubric, version, scorer, overall, criterion, level, confidence,
        rationale, evidence)."""
        query = (
            select(
                ScoreRunRow.id,
                CallRow.external_id,
                RubricRow.slug,
                RubricVersionRow.version,
                ScoreRunRow.scorer,
                ScoreRunRow.overall,
                CriterionScoreRow.criterion_id,
                CriterionScoreRow.level,
                CriterionScoreRow.confidence,
                CriterionScoreRow.rationale,
                CriterionScoreRow.evidence,
            )
            .join(CallRow, CallRow.id == ScoreRunRow.call_id)
            .join(RubricVersionRow, RubricVersionRow.id == ScoreRunRow.rubric_version_id)
            .join(RubricRow, RubricRow.id == RubricVersionRow.rubric_id)
            .outerjoin(CriterionScoreRow, CriterionScoreRow.run_id == ScoreRunRow.id)
            .where(ScoreRunRow.status == "scored")
            .order_by(
                CallRow.external_id,
                RubricRow.slug,
                RubricVersionRow.version,
                ScoreRunRow.scorer,
                CriterionScoreRow.id,
            )
        )
        if rubric_slug:
            query = query.where(RubricRow.slug == rubric_slug)
        if scorer:
            query = query.where(ScoreRunRow.scorer == scorer)
        query = scoped(in_window(query, since, until, rep_ids), CallRow.rep_id, scope)
        for row in self.session.execute(query.execution_options(yield_per=2000)):
            yield tuple(row)

    def call_pks(
        self, external_ids: Sequence[str], *, scope: Scope
    ) -> dict[str, tuple[int, int | None]]:
        """Call id -> (pk, rep pk) of those of these calls the scope allows."""
        result = {}
        for chunk in chunks(sorted(set(external_ids))):
            query = select(CallRow.external_id, CallRow.id, CallRow.rep_id).where(
                CallRow.external_id.in_(chunk)
            )
            rows = self.session.execute(scoped(query, CallRow.rep_id, scope))
            for ext, pk, rep in rows:
                result[ext] = (pk, rep)
        return result

    def cited_segments(
        self, call_pks: Sequence[int], wanted: set[tuple[int, int]], *, scope: Scope
    ) -> tuple[dict[int, int], list[tuple[int, int, str, str, float | None, float | None, str]]]:
        """Segment counts of those of these calls the scope allows, and the (call, index)
        segments wanted: (call, index, speaker, role, start, end, text)."""
        if scope.rep_ids is not None:
            allowed: set[int] = set()
            for chunk in chunks(sorted(set(call_pks))):
                query = select(CallRow.id).where(CallRow.id.in_(chunk))
                allowed.update(self.session.scalars(scoped(query, CallRow.rep_id, scope)))
            call_pks = [pk for pk in call_pks if pk in allowed]
            wanted = {(call, idx) for call, idx in wanted if call in allowed}
        counts: dict[int, int] = {}
        rows: list[tuple[int, int, str, str, float | None, float | None, str]] = []
        indexes = sorted({idx for _, idx in wanted})
        for chunk in chunks(sorted(set(call_pks))):
            counted = self.session.execute(
                select(SegmentRow.call_id, func.count(SegmentRow.id))
                .where(SegmentRow.call_id.in_(chunk))
                .group_by(SegmentRow.call_id)
            )
            counts.update((call, int(n)) for call, n in counted)
            if not indexes:
                continue
            found = self.session.execute(
                select(*SEGMENT_COLUMNS).where(
                    SegmentRow.call_id.in_(chunk), SegmentRow.idx.in_(indexes)
                )
            )
            rows.extend(
                (r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in found if (r[0], r[1]) in wanted
            )
        return counts, rows
