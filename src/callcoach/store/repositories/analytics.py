"""Lean queries for the assessment analytics: plain tuples, ready for data frames.

Analytics read a lot of rows (100k calls x 5 criteria at scale), so these queries return only
the columns needed, pivot criterion levels into one row per call in SQL, and never build ORM
objects for the bulk of the data.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, delete, distinct, func, insert, or_, select, text
from sqlalchemy.orm import Session

from callcoach.domain.scores import CallScore
from callcoach.store.models import (
    CallRow,
    CoachingEventRow,
    CriterionScoreRow,
    DealRow,
    HumanRatingRow,
    QuotaRow,
    RepRow,
    RubricRow,
    RubricVersionRow,
    ScoreRunRow,
    SegmentRow,
    TeamRow,
)
from callcoach.store.repositories.calls import now_utc
from callcoach.store.repositories.scores import evidence_to_json

_CHUNK = 900  # ids per IN (...) list: well under SQLite's bound-parameter limit

ScoreRow = tuple[Any, ...]


def _chunks(values: Sequence[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield list(values[start : start + _CHUNK])


class AnalyticsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # rubric and scorers
    def rubric_pk(self, slug: str) -> int | None:
        return self.session.scalar(select(RubricRow.id).where(RubricRow.slug == slug))

    def version_pks(self, rubric_pk: int) -> dict[int, int]:
        """Rubric version primary key -> version number."""
        rows = self.session.execute(
            select(RubricVersionRow.id, RubricVersionRow.version).where(
                RubricVersionRow.rubric_id == rubric_pk
            )
        )
        return {pk: version for pk, version in rows}

    def scorer_counts(self, rubric_pk: int) -> list[tuple[str, int]]:
        """Machine scorers that scored calls on this rubric, with their number of runs."""
        rows = self.session.execute(
            select(ScoreRunRow.scorer, func.count(ScoreRunRow.id))
            .join(RubricVersionRow, ScoreRunRow.rubric_version_id == RubricVersionRow.id)
            .where(RubricVersionRow.rubric_id == rubric_pk, ScoreRunRow.status == "scored")
            .group_by(ScoreRunRow.scorer)
        )
        return sorted(((s, int(n)) for s, n in rows), key=lambda r: (-r[1], r[0]))

    def latest_scored_call_date(self, version_pks: Sequence[int], scorer: str) -> datetime | None:
        return self.session.scalar(
            select(func.max(CallRow.call_date))
            .join(ScoreRunRow, ScoreRunRow.call_id == CallRow.id)
            .where(
                ScoreRunRow.rubric_version_id.in_(list(version_pks)),
                ScoreRunRow.scorer == scorer,
                ScoreRunRow.status == "scored",
            )
        )

    def latest_call_date(self) -> datetime | None:
        return self.session.scalar(select(func.max(CallRow.call_date)))

    # per-call levels
    def _window(
        self,
        query: Any,
        since: datetime | None,
        until: datetime | None,
        rep_ids: Sequence[int] | None,
    ) -> Any:
        if since is not None:
            query = query.where(CallRow.call_date >= since)
        if until is not None:
            query = query.where(CallRow.call_date < until)
        if rep_ids is not None:
            query = query.where(CallRow.rep_id.in_(list(rep_ids)))
        return query

    def score_rows(
        self,
        version_pks: Sequence[int],
        criteria: Sequence[str],
        scorer: str,
        since: datetime | None = None,
        until: datetime | None = None,
        rep_ids: Sequence[int] | None = None,
        call_pks: Sequence[int] | None = None,
    ) -> list[ScoreRow]:
        """One row per scored run: (run, call, rep, call date, version pk, created, *levels).

        Levels come in the order of `criteria` (None where the run has no level for one).
        """
        levels = [
            func.max(case((CriterionScoreRow.criterion_id == crit, CriterionScoreRow.level)))
            for crit in criteria
        ]
        keys = (
            ScoreRunRow.id,
            ScoreRunRow.call_id,
            CallRow.rep_id,
            CallRow.call_date,
            ScoreRunRow.rubric_version_id,
            ScoreRunRow.created_at,
        )
        query = (
            select(*keys, *levels)
            .join(CallRow, CallRow.id == ScoreRunRow.call_id)
            .join(CriterionScoreRow, CriterionScoreRow.run_id == ScoreRunRow.id)
            .where(
                ScoreRunRow.rubric_version_id.in_(list(version_pks)),
                ScoreRunRow.scorer == scorer,
                ScoreRunRow.status == "scored",
            )
            .group_by(*keys)
        )
        query = self._window(query, since, until, rep_ids)
        if call_pks is None:
            return [tuple(row) for row in self.session.execute(query)]
        result: list[ScoreRow] = []
        for chunk in _chunks(list(call_pks)):
            chunk_query = query.where(ScoreRunRow.call_id.in_(chunk))
            result.extend(tuple(row) for row in self.session.execute(chunk_query))
        return result

    def overrides(
        self,
        rubric_pk: int,
        since: datetime | None = None,
        until: datetime | None = None,
        rep_ids: Sequence[int] | None = None,
    ) -> list[tuple[int, str, int, datetime]]:
        """Managers' overrides: (call, criterion, level, created)."""
        query = (
            select(
                HumanRatingRow.call_id,
                HumanRatingRow.criterion_id,
                HumanRatingRow.level,
                HumanRatingRow.created_at,
            )
            .join(CallRow, CallRow.id == HumanRatingRow.call_id)
            .where(HumanRatingRow.rubric_id == rubric_pk, HumanRatingRow.source == "override")
        )
        return [tuple(r) for r in self.session.execute(self._window(query, since, until, rep_ids))]

    def human_ratings(
        self,
        rubric_pk: int,
        since: datetime | None = None,
        until: datetime | None = None,
        rep_ids: Sequence[int] | None = None,
        source: str = "import",
    ) -> list[tuple[int, str, str, str, int]]:
        """(call pk, call id, criterion, rater, level) of ratings people gave."""
        query = (
            select(
                HumanRatingRow.call_id,
                CallRow.external_id,
                HumanRatingRow.criterion_id,
                HumanRatingRow.rater,
                HumanRatingRow.level,
            )
            .join(CallRow, CallRow.id == HumanRatingRow.call_id)
            .where(HumanRatingRow.rubric_id == rubric_pk, HumanRatingRow.source == source)
        )
        return [tuple(r) for r in self.session.execute(self._window(query, since, until, rep_ids))]

    # people
    def rep_rows(
        self, rep_ids: Sequence[int] | None = None
    ) -> list[tuple[int, str, str | None, str | None]]:
        """(rep pk, name, team, manager): the rep's own manager, else the team's."""
        query = select(
            RepRow.id, RepRow.name, TeamRow.name, func.coalesce(RepRow.manager, TeamRow.manager)
        ).outerjoin(TeamRow, RepRow.team_id == TeamRow.id)
        if rep_ids is not None:
            query = query.where(RepRow.id.in_(list(rep_ids)))
        return [(r[0], r[1], r[2], r[3]) for r in self.session.execute(query.order_by(RepRow.name))]

    def teammates(self, rep_ids: Sequence[int]) -> set[int]:
        """The given reps and every rep of their teams (team benchmarks need them)."""
        team_ids = select(RepRow.team_id).where(
            RepRow.id.in_(list(rep_ids)), RepRow.team_id.is_not(None)
        )
        rows = self.session.scalars(
            select(RepRow.id).where(or_(RepRow.team_id.in_(team_ids), RepRow.id.in_(list(rep_ids))))
        )
        return set(rows)

    def rep_pk(self, name: str) -> int | None:
        pk = self.session.scalar(select(RepRow.id).where(RepRow.name == name))
        if pk is None:
            pk = self.session.scalar(
                select(RepRow.id).where(func.lower(RepRow.name) == name.strip().lower())
            )
        return pk

    def team_rep_pks(self, team: str) -> set[int] | None:
        team_pk = self.session.scalar(select(TeamRow.id).where(TeamRow.name == team))
        if team_pk is None:
            return None
        return set(self.session.scalars(select(RepRow.id).where(RepRow.team_id == team_pk)))

    # deals and quotas
    def linked_deal_counts(
        self, since: datetime | None, until: datetime | None, rep_ids: Sequence[int] | None
    ) -> list[tuple[int, int, int]]:
        """(rep, won, closed): distinct closed deals linked to the rep's calls in the window."""
        won = func.count(distinct(case((DealRow.outcome == "won", DealRow.id))))
        query = (
            select(CallRow.rep_id, won, func.count(distinct(DealRow.id)))
            .join(DealRow, DealRow.id == CallRow.deal_id)
            .where(DealRow.outcome.in_(("won", "lost")), CallRow.rep_id.is_not(None))
            .group_by(CallRow.rep_id)
        )
        return [tuple(r) for r in self.session.execute(self._window(query, since, until, rep_ids))]

    def call_deals(
        self, since: datetime | None, until: datetime | None, rep_ids: Sequence[int] | None
    ) -> list[tuple[int, int, str]]:
        """(call, deal, outcome) for calls linked to closed (won or lost) deals."""
        query = (
            select(CallRow.id, DealRow.id, DealRow.outcome)
            .join(DealRow, DealRow.id == CallRow.deal_id)
            .where(DealRow.outcome.in_(("won", "lost")))
        )
        return [tuple(r) for r in self.session.execute(self._window(query, since, until, rep_ids))]

    def quota_attainment(
        self, start: date, end: date, rep_ids: Sequence[int] | None
    ) -> list[tuple[int, float, float]]:
        """(rep, quota, won amount) over the quotas overlapping [start, end).

        Won amount: the rep's won deals closing inside those quota periods.
        """
        query = select(
            QuotaRow.rep_id, QuotaRow.period_start, QuotaRow.period_end, QuotaRow.amount
        ).where(QuotaRow.period_start < end, QuotaRow.period_end >= start)
        if rep_ids is not None:
            query = query.where(QuotaRow.rep_id.in_(list(rep_ids)))
        quotas: dict[int, list[tuple[date, date, float]]] = {}
        for q_rep, q_start, q_end, q_amount in self.session.execute(query):
            quotas.setdefault(q_rep, []).append((q_start, q_end, float(q_amount or 0.0)))
        if not quotas:
            return []
        result: list[tuple[int, float, float]] = []
        for reps in _chunks(sorted(quotas)):
            periods = {r: quotas[r] for r in reps}
            lowest = min(p[0] for ps in periods.values() for p in ps)
            highest = max(p[1] for ps in periods.values() for p in ps)
            deals = self.session.execute(
                select(DealRow.rep_id, DealRow.close_date, DealRow.amount).where(
                    DealRow.rep_id.in_(reps),
                    DealRow.outcome == "won",
                    and_(DealRow.close_date >= lowest, DealRow.close_date <= highest),
                )
            )
            won: dict[int, float] = {}
            for deal_rep, closed_on, amount in deals:
                if deal_rep is None or closed_on is None:
                    continue
                if any(s <= closed_on <= e for s, e, _ in periods[deal_rep]):
                    won[deal_rep] = won.get(deal_rep, 0.0) + float(amount or 0.0)
            for rep, items in periods.items():
                result.append((rep, sum(a for _, _, a in items), won.get(rep, 0.0)))
        return result

    # evidence and call details
    def criterion_evidence(
        self, pairs: Sequence[tuple[int, str]]
    ) -> list[tuple[int, str, float, list[Any]]]:
        """(run, criterion, confidence, evidence) for the given (run, criterion) pairs."""
        result: list[tuple[int, str, float, list[Any]]] = []
        wanted = set(pairs)
        runs = sorted({run for run, _ in pairs})
        criteria = sorted({crit for _, crit in pairs})
        for chunk in _chunks(runs):
            rows = self.session.execute(
                select(
                    CriterionScoreRow.run_id,
                    CriterionScoreRow.criterion_id,
                    CriterionScoreRow.confidence,
                    CriterionScoreRow.evidence,
                ).where(
                    CriterionScoreRow.run_id.in_(chunk),
                    CriterionScoreRow.criterion_id.in_(criteria),
                )
            )
            result.extend(
                (run, crit, conf, ev or []) for run, crit, conf, ev in rows if (run, crit) in wanted
            )
        return result

    def call_details(
        self, call_pks: Sequence[int]
    ) -> dict[int, tuple[str, datetime | None, str | None, int | None]]:
        """Call pk -> (call id, date, account, rep pk)."""
        result = {}
        for chunk in _chunks(sorted(set(call_pks))):
            rows = self.session.execute(
                select(
                    CallRow.id,
                    CallRow.external_id,
                    CallRow.call_date,
                    CallRow.account,
                    CallRow.rep_id,
                ).where(CallRow.id.in_(chunk))
            )
            for pk, ext, when, account, rep in rows:
                result[pk] = (ext, when, account, rep)
        return result

    def call_pk(self, external_id: str) -> tuple[int, int | None] | None:
        row = self.session.execute(
            select(CallRow.id, CallRow.rep_id).where(CallRow.external_id == external_id)
        ).first()
        return (row[0], row[1]) if row else None

    def call_pks(self, external_ids: Sequence[str]) -> dict[str, tuple[int, int | None]]:
        result = {}
        for chunk in _chunks(sorted(set(external_ids))):
            rows = self.session.execute(
                select(CallRow.external_id, CallRow.id, CallRow.rep_id).where(
                    CallRow.external_id.in_(chunk)
                )
            )
            for ext, pk, rep in rows:
                result[ext] = (pk, rep)
        return result

    def timed_calls(
        self, since: datetime | None, until: datetime | None, rep_ids: Sequence[int] | None
    ) -> list[tuple[int, str, int | None, datetime | None]]:
        """(call pk, call id, rep, date) of calls in the window."""
        query = select(CallRow.id, CallRow.external_id, CallRow.rep_id, CallRow.call_date)
        return [tuple(r) for r in self.session.execute(self._window(query, since, until, rep_ids))]

    def segments(
        self, call_pks: Sequence[int]
    ) -> list[tuple[int, int, str, str, float | None, float | None, str]]:
        """(call, index, speaker, role, start, end, text) ordered by call and index."""
        result: list[tuple[int, int, str, str, float | None, float | None, str]] = []
        for chunk in _chunks(sorted(set(call_pks))):
            rows = self.session.execute(
                select(
                    SegmentRow.call_id,
                    SegmentRow.idx,
                    SegmentRow.speaker,
                    SegmentRow.role,
                    SegmentRow.start_s,
                    SegmentRow.end_s,
                    SegmentRow.text,
                )
                .where(SegmentRow.call_id.in_(chunk))
                .order_by(SegmentRow.call_id, SegmentRow.idx)
            )
            result.extend((r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows)
        return result

    # coaching events
    def add_coaching_event(
        self,
        rep_pk: int,
        rubric_pk: int,
        criterion_id: str,
        coached_on: date,
        note: str | None,
        coach: str | None,
    ) -> int:
        result = self.session.execute(
            insert(CoachingEventRow)
            .values(
                rep_id=rep_pk,
                rubric_id=rubric_pk,
                criterion_id=criterion_id,
                coached_on=coached_on,
                note=note,
                coach=coach,
                created_at=now_utc(),
            )
            .returning(CoachingEventRow.id)
        )
        return int(result.scalar_one())

    def coaching_events(
        self, rubric_pk: int, rep_ids: Sequence[int] | None
    ) -> list[tuple[int, int, str, str, date, str | None, str | None]]:
        """(event id, rep pk, rep, criterion, coached on, note, coach), oldest first."""
        query = (
            select(
                CoachingEventRow.id,
                RepRow.id,
                RepRow.name,
                CoachingEventRow.criterion_id,
                CoachingEventRow.coached_on,
                CoachingEventRow.note,
                CoachingEventRow.coach,
            )
            .join(RepRow, RepRow.id == CoachingEventRow.rep_id)
            .where(CoachingEventRow.rubric_id == rubric_pk)
            .order_by(CoachingEventRow.coached_on, CoachingEventRow.id)
        )
        if rep_ids is not None:
            query = query.where(CoachingEventRow.rep_id.in_(list(rep_ids)))
        return [(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in self.session.execute(query)]

    def existing_runs(self, call_pks: Sequence[int]) -> set[tuple[int, int, str]]:
        """(call, rubric version pk, scorer) of the runs stored for these calls."""
        result: set[tuple[int, int, str]] = set()
        for chunk in _chunks(sorted(set(call_pks))):
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
            for chunk in _chunks(sorted({call for call, _, _ in wanted}))
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
        for chunk in _chunks(stale):
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

    # export
    def export_rows(
        self,
        rubric_slug: str | None,
        scorer: str | None,
        rep_ids: Sequence[int] | None,
        since: datetime | None = None,
        until: datetime | None = None,
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
        query = self._window(query, since, until, rep_ids)
        for row in self.session.execute(query.execution_options(yield_per=2000)):
            yield tuple(row)
