"""Lean queries for the assessment analytics: plain tuples, ready for data frames.

Analytics read a lot of rows (100k calls x 5 criteria at scale), so these queries return only
the columns needed, pivot criterion levels into one row per call in SQL, and never build ORM
objects for the bulk of the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    func,
    literal_column,
    or_,
    select,
    text,
    type_coerce,
)
from sqlalchemy.orm import Session

from callcoach.store.models import (
    CallRow,
    CriterionScoreRow,
    DealRow,
    HumanRatingRow,
    QuotaRow,
    RepRow,
    RubricRow,
    RubricVersionRow,
    ScoreRunRow,
    TeamRow,
)
from callcoach.store.repositories.calls import chunks

_INLINE_CHUNK = 5000  # integer ids written into one IN (...) list
_BOUND_IDS = 200  # up to this many, the ids are bound parameters of a cached statement

ScoreRow = tuple[Any, ...]
# Levels 1-5 packed as octal digits: 10 criteria stay within a 32-bit integer on every backend.
MAX_PACKED_CRITERIA = 10


def ids_in(column: Any, ids: Sequence[int]) -> Any:
    """`column IN (1, 2, ...)`. Up to a few hundred ids, bound parameters: the statement is then
    compiled once and cached (a page's moments and details queries were each compiled anew,
    several milliseconds apiece). Beyond, the integers are written into the SQL: thousands of
    bound parameters cost more to prepare than the query takes to run. Only ever integers."""
    if len(ids) <= _BOUND_IDS:
        return column.in_([int(i) for i in ids])
    listed = ", ".join(str(int(i)) for i in ids) or "NULL"
    return text(f"{column.table.name}.{column.name} IN ({listed})")


def in_window(
    query: Any,
    since: datetime | None,
    until: datetime | None,
    rep_ids: Sequence[int] | None,
) -> Any:
    """Calls dated in [since, until) of these reps (None: every rep)."""
    if since is not None:
        query = query.where(CallRow.call_date >= since)
    if until is not None:
        query = query.where(CallRow.call_date < until)
    if rep_ids is not None:
        query = query.where(CallRow.rep_id.in_(list(rep_ids)))
    return query


class AnalyticsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # rubric and scorers
    def rubric_pk(self, slug: str) -> int | None:
        return self.session.scalar(select(RubricRow.id).where(RubricRow.slug == slug))

    def version_pks(self, rubric_pk: int) -> dict[int, int]:
        """Rubric version primary key -> version number."""
        rows = self.session.connection().execute(
            select(RubricVersionRow.id, RubricVersionRow.version).where(
                RubricVersionRow.rubric_id == rubric_pk
            )
        )
        return {pk: version for pk, version in rows}

    def scorer_counts(self, rubric_pk: int) -> list[tuple[str, int]]:
        """Machine scorers that scored calls on this rubric, with their number of runs."""
        rows = self.session.connection().execute(
            select(ScoreRunRow.scorer, func.count(ScoreRunRow.id))
            .join(RubricVersionRow, ScoreRunRow.rubric_version_id == RubricVersionRow.id)
            .where(RubricVersionRow.rubric_id == rubric_pk, ScoreRunRow.status == "scored")
            .group_by(ScoreRunRow.scorer)
        )
        return sorted(((s, int(n)) for s, n in rows), key=lambda r: (-r[1], r[0]))

    def has_scores(self, rubric_pk: int, scorer: str) -> bool:
        """Whether `scorer` scored any call on this rubric (without counting them all)."""
        return (
            self.session.scalar(
                select(ScoreRunRow.id)
                .join(RubricVersionRow, ScoreRunRow.rubric_version_id == RubricVersionRow.id)
                .where(
                    RubricVersionRow.rubric_id == rubric_pk,
                    ScoreRunRow.scorer == scorer,
                    ScoreRunRow.status == "scored",
                )
                .limit(1)
            )
            is not None
        )

    def latest_scored_call_date(self, version_pks: Sequence[int], scorer: str) -> datetime | None:
        """The newest call date with a scored run: walks the call-date index from the end."""
        scored = (
            select(ScoreRunRow.id)
            .where(
                ScoreRunRow.call_id == CallRow.id,
                ScoreRunRow.rubric_version_id.in_(list(version_pks)),
                ScoreRunRow.scorer == scorer,
                ScoreRunRow.status == "scored",
            )
            .exists()
        )
        return self.session.scalar(
            select(CallRow.call_date)
            .where(CallRow.call_date.is_not(None), scored)
            .order_by(CallRow.call_date.desc())
            .limit(1)
        )

    def latest_call_date(self) -> datetime | None:
        return self.session.scalar(select(func.max(CallRow.call_date)))

    # per-call levels
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
        """One row per scored run: (run, call, rep, call date, version pk, deal, packed levels).

        The levels of all criteria come packed in one integer, `criteria[k]`'s level in octal
        digit k (0: no level; see `unpack_levels`): one aggregate per run instead of one per
        criterion, and fewer columns to fetch, which is most of the cost at 100k calls. The
        call date comes back as stored (text on SQLite) for the caller to parse in bulk.
        """
        if len(criteria) > MAX_PACKED_CRITERIA:
            raise ValueError(f"at most {MAX_PACKED_CRITERIA} criteria can be read at once")
        sqlite = self.session.get_bind().dialect.name == "sqlite"
        version: Any = ScoreRunRow.rubric_version_id
        scorer_column: Any = ScoreRunRow.scorer
        if sqlite and rep_ids is not None:
            # SQLite plans without statistics (nothing here runs ANALYZE), and left alone it
            # walks every run of the rubric to find one team's: 100 ms where 10 would do. A
            # unary + keeps these terms off the runs' indexes, so the plan starts from the
            # reps' calls (their index) and reaches the runs by call.
            version = literal_column("+score_runs.rubric_version_id", Integer)
            scorer_column = literal_column("+score_runs.scorer", String)
        runs = (
            version.in_(list(version_pks)),
            scorer_column == scorer,
            ScoreRunRow.status == "scored",
        )
        packed = func.sum(
            case(
                *[
                    (CriterionScoreRow.criterion_id == crit, CriterionScoreRow.level * 8**position)
                    for position, crit in enumerate(criteria)
                ],
                else_=0,
            )
        )
        keys = (
            ScoreRunRow.id,
            ScoreRunRow.call_id,
            CallRow.rep_id,
            type_coerce(CallRow.call_date, String),
            ScoreRunRow.rubric_version_id,
            CallRow.deal_id,
        )
        if sqlite:
            # A correlated aggregate per run: SQLite reads each run's few index entries in
            # place instead of sorting every joined row for the GROUP BY (a quarter less time
            # at 100k calls). A run without criterion rows gives NULL and is dropped below,
            # as the join leaves it out on PostgreSQL.
            levels = (
                select(packed).where(CriterionScoreRow.run_id == ScoreRunRow.id).scalar_subquery()
            )
            query = (
                select(*keys, levels).join(CallRow, CallRow.id == ScoreRunRow.call_id).where(*runs)
            )
        else:
            query = (
                select(*keys, packed)
                .join(CallRow, CallRow.id == ScoreRunRow.call_id)
                .join(CriterionScoreRow, CriterionScoreRow.run_id == ScoreRunRow.id)
                .where(*runs)
                .group_by(*keys)
            )
            # Compiling the plan to machine code costs more than this sub-second query saves.
            self.session.connection().execute(text("SET LOCAL jit = off"))
        query = in_window(query, since, until, rep_ids)
        if call_pks is None:
            rows = self._plain_rows(query)
        else:
            rows = []
            for chunk in chunks(list(call_pks)):
                rows.extend(self._plain_rows(query.where(ScoreRunRow.call_id.in_(chunk))))
        return [row for row in rows if row[6] is not None] if sqlite else rows

    def _plain_rows(self, query: Any) -> list[ScoreRow]:
        """The DBAPI's own row tuples: at 100k rows, SQLAlchemy's Row objects cost as much as the
        query. Parameters still go through SQLAlchemy; every column is read untyped."""
        result = self.session.connection().execute(query)
        try:
            return list(result.cursor.fetchall()) if result.cursor is not None else []
        finally:
            result.close()

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
        return [
            tuple(r)
            for r in self.session.connection().execute(in_window(query, since, until, rep_ids))
        ]

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
        return [
            tuple(r)
            for r in self.session.connection().execute(in_window(query, since, until, rep_ids))
        ]

    def rated_rows(
        self,
        rubric_pk: int,
        since: datetime | None = None,
        until: datetime | None = None,
        rep_ids: Sequence[int] | None = None,
    ) -> list[tuple[int, int, str, int | None, str, float, int]]:
        """Managers' ratings for manual review, one row per call and criterion: (call pk, rep
        pk, call date as stored, deal pk, criterion, mean level of its raters, raters)."""
        query = (
            select(
                HumanRatingRow.call_id,
                CallRow.rep_id,
                type_coerce(CallRow.call_date, String),
                CallRow.deal_id,
                HumanRatingRow.criterion_id,
                func.avg(HumanRatingRow.level),
                func.count(func.distinct(HumanRatingRow.rater)),
            )
            .join(CallRow, CallRow.id == HumanRatingRow.call_id)
            .where(HumanRatingRow.rubric_id == rubric_pk, HumanRatingRow.source == "import")
            .group_by(
                HumanRatingRow.call_id,
                CallRow.rep_id,
                CallRow.call_date,
                CallRow.deal_id,
                HumanRatingRow.criterion_id,
            )
        )
        rows = self.session.connection().execute(in_window(query, since, until, rep_ids))
        return [(r[0], r[1], r[2], r[3], r[4], float(r[5]), int(r[6])) for r in rows]

    def has_ratings(self, rubric_pk: int) -> bool:
        """Whether any manager rated a call on the rubric (manual review)."""
        query = select(HumanRatingRow.id).where(
            HumanRatingRow.rubric_id == rubric_pk, HumanRatingRow.source == "import"
        )
        return self.session.execute(query.limit(1)).first() is not None

    def latest_rated_call_date(self, rubric_pk: int) -> datetime | None:
        query = (
            select(func.max(CallRow.call_date))
            .join(HumanRatingRow, HumanRatingRow.call_id == CallRow.id)
            .where(HumanRatingRow.rubric_id == rubric_pk, HumanRatingRow.source == "import")
        )
        return self.session.scalar(query)

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
        return [
            (r[0], r[1], r[2], r[3])
            for r in self.session.connection().execute(query.order_by(RepRow.name))
        ]

    def teammates(self, rep_ids: Sequence[int]) -> set[int] | None:
        """The given reps and every rep of their teams (team benchmarks need them); None (every
        rep) when one of them has no team: they are benchmarked against the organisation."""
        teamless = self.session.scalar(
            select(func.count(RepRow.id)).where(
                RepRow.id.in_(list(rep_ids)), RepRow.team_id.is_(None)
            )
        )
        if teamless:
            return None
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
    def closed_deals(self, deal_pks: Sequence[int]) -> list[tuple[int, bool]]:
        """(deal, won) of those of these deals that are closed (won or lost).

        Only the deals a report links to, by primary key: reading every closed deal of a large
        store (100k at scale) to look up a team's few dozen cost more than the team's report.
        """
        result: list[tuple[int, bool]] = []
        for chunk in chunks(sorted(set(deal_pks)), _INLINE_CHUNK):
            rows = self._plain_rows(
                select(DealRow.id, DealRow.outcome).where(
                    ids_in(DealRow.id, chunk), DealRow.outcome.in_(("won", "lost"))
                )
            )
            result.extend((pk, outcome == "won") for pk, outcome in rows)
        return result

    def call_deals(
        self, since: datetime | None, until: datetime | None, rep_ids: Sequence[int] | None
    ) -> list[tuple[int, int, str]]:
        """(call, deal, outcome) for calls linked to closed (won or lost) deals."""
        query = (
            select(CallRow.id, DealRow.id, DealRow.outcome)
            .join(DealRow, DealRow.id == CallRow.deal_id)
            .where(DealRow.outcome.in_(("won", "lost")))
        )
        return [
            tuple(r)
            for r in self.session.connection().execute(in_window(query, since, until, rep_ids))
        ]

    def last_won_deals(
        self, count: int, rep_ids: Sequence[int] | None
    ) -> list[tuple[int, date | None]]:
        """(deal, close date) of the `count` most recently closed won deals (undated last)."""
        query = select(DealRow.id, DealRow.close_date).where(DealRow.outcome == "won")
        if rep_ids is not None:
            query = query.where(DealRow.rep_id.in_(list(rep_ids)))
        query = query.order_by(
            DealRow.close_date.is_(None), DealRow.close_date.desc(), DealRow.id.desc()
        ).limit(count)
        return [(int(r[0]), r[1]) for r in self.session.execute(query)]

    def closed_deal_calls(
        self, won_pks: Sequence[int], lost_since: date | None, rep_ids: Sequence[int] | None
    ) -> list[tuple[int, int, str]]:
        """(call, deal, outcome) for calls linked to the given won deals, and to the lost deals
        closed on or after `lost_since` (None: every lost deal), whatever the calls' dates."""
        lost = DealRow.outcome == "lost"
        if lost_since is not None:
            lost = and_(lost, DealRow.close_date >= lost_since)
        query = (
            select(CallRow.id, DealRow.id, DealRow.outcome)
            .join(DealRow, DealRow.id == CallRow.deal_id)
            .where(or_(DealRow.id.in_(list(won_pks)), lost))
        )
        if rep_ids is not None:
            query = query.where(CallRow.rep_id.in_(list(rep_ids)))
        return [(int(r[0]), int(r[1]), str(r[2])) for r in self.session.execute(query)]

    def quota_attainment(
        self, start: date, end: date, rep_ids: Sequence[int] | None
    ) -> list[tuple[int, float, float]]:
        """(rep, quota, won amount) over the quotas overlapping [start, end).

        Won amount: the rep's won deals closing inside those quota periods (one query: each
        quota joined to the won deals of its period).
        """
        won = func.coalesce(func.sum(DealRow.amount), 0.0)
        query = (
            select(QuotaRow.rep_id, QuotaRow.id, QuotaRow.amount, won)
            .outerjoin(
                DealRow,
                and_(
                    DealRow.rep_id == QuotaRow.rep_id,
                    DealRow.outcome == "won",
                    DealRow.close_date >= QuotaRow.period_start,
                    DealRow.close_date <= QuotaRow.period_end,
                ),
            )
            .where(QuotaRow.period_start < end, QuotaRow.period_end >= start)
            .group_by(QuotaRow.rep_id, QuotaRow.id, QuotaRow.amount)
        )
        if rep_ids is not None:
            query = query.where(QuotaRow.rep_id.in_(list(rep_ids)))
        totals: dict[int, tuple[float, float]] = {}
        for rep, _quota_pk, amount, won_amount in self._plain_rows(query):
            quota, achieved = totals.get(rep, (0.0, 0.0))
            totals[rep] = (quota + float(amount or 0.0), achieved + float(won_amount or 0.0))
        return [(rep, quota, achieved) for rep, (quota, achieved) in totals.items()]

    # evidence and call details
    def criterion_evidence(
        self, pairs: Sequence[tuple[int, str]]
    ) -> list[tuple[int, str, float, list[dict[str, Any]]]]:
        """(run, criterion, confidence, evidence) for exactly the given (run, criterion) pairs.

        Only the first evidence item is read, field by field in SQL: a call moment shows one
        quote per call, and decoding whole evidence lists of thousands of calls in Python is
        most of the cost.
        """
        by_criterion: dict[str, set[int]] = {}
        for run, crit in pairs:
            by_criterion.setdefault(crit, set()).add(run)
        first = CriterionScoreRow.evidence[0]
        result: list[tuple[int, str, float, list[dict[str, Any]]]] = []
        for crit, runs in sorted(by_criterion.items()):
            for chunk in chunks(sorted(runs), _INLINE_CHUNK):
                rows = self._plain_rows(
                    select(
                        CriterionScoreRow.run_id,
                        CriterionScoreRow.confidence,
                        first["segment"].as_integer(),
                        first["start"].as_float(),
                        first["speaker"].as_string(),
                        first["quote"].as_string(),
                    ).where(
                        CriterionScoreRow.criterion_id == crit,
                        ids_in(CriterionScoreRow.run_id, chunk),
                    )
                )
                for run, conf, segment, start, speaker, quote in rows:
                    item = (
                        [{"segment": segment, "start": start, "speaker": speaker, "quote": quote}]
                        if quote
                        else []
                    )
                    result.append((run, crit, conf, item))
        return result

    def call_details(
        self, call_pks: Sequence[int]
    ) -> dict[int, tuple[str, datetime | None, str | None, int | None]]:
        """Call pk -> (call id, date, account, rep pk)."""
        result = {}
        for chunk in chunks(sorted(set(call_pks)), _INLINE_CHUNK):
            rows = self._plain_rows(
                select(
                    CallRow.id,
                    CallRow.external_id,
                    CallRow.call_date,
                    CallRow.account,
                    CallRow.rep_id,
                ).where(ids_in(CallRow.id, chunk))
            )
            for pk, ext, when, account, rep in rows:
                # DBAPI rows: SQLite gives the date as its ISO text.
                day = datetime.fromisoformat(when) if isinstance(when, str) else when
                result[pk] = (ext, day, account, rep)
        return result

    def call_pk(self, external_id: str) -> tuple[int, int | None] | None:
        row = (
            self.session.connection()
            .execute(select(CallRow.id, CallRow.rep_id).where(CallRow.external_id == external_id))
            .first()
        )
        return (row[0], row[1]) if row else None

    def timed_calls(
        self, since: datetime | None, until: datetime | None, rep_ids: Sequence[int] | None
    ) -> list[tuple[int, str, int | None, datetime | None]]:
        """(call pk, call id, rep, date) of calls in the window."""
        query = select(CallRow.id, CallRow.external_id, CallRow.rep_id, CallRow.call_date)
        return [
            tuple(r)
            for r in self.session.connection().execute(in_window(query, since, until, rep_ids))
        ]
