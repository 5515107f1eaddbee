"""Lean queries for the assessment analytics: plain tuples, ready for data frames.

Analytics read a lot of rows (100k calls x 5 criteria at scale), so these queries return only
the columns needed, pivot criterion levels into one row per call in SQL, and never build ORM
objects for the bulk of the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    Integer,
    String,
    case,
    func,
    literal_column,
    or_,
    select,
    text,
    type_coerce,
)
from sqlalchemy.orm import Session

from callcoach.domain.access import Scope
from callcoach.store.models import (
    CallRow,
    CriterionScoreRow,
    HumanRatingRow,
    RepRow,
    RubricRow,
    RubricVersionRow,
    ScoreRunRow,
    TeamRow,
)
from callcoach.store.repositories.analytics_deals import (
    INLINE_CHUNK,
    DealAnalytics,
    allowed,
    ids_in,
    in_window,
    plain_rows,
)
from callcoach.store.repositories.calls import chunks
from callcoach.store.repositories.scoping import scoped

ScoreRow = tuple[Any, ...]
# Levels 1-5 packed as octal digits: 10 criteria stay within a 32-bit integer on every backend.
MAX_PACKED_CRITERIA = 10


class AnalyticsRepository(DealAnalytics):
    """Reads of people's data take the scope; a rep's scorecard is benchmarked against their
    team, so the assessment services pass a scope widened to the team for the aggregate reads
    (`Scope.widened`) and show only the rows of the viewer's own scope."""

    UNSCOPED: ClassVar[dict[str, str]] = {
        "rubric_pk": "a rubric's key, no person's rows",
        "version_pks": "a rubric's versions, no person's rows",
        "scorer_counts": "run counts per scorer over the organisation, no person's rows",
        "has_scores": "whether a scorer ran on a rubric, no person's rows",
        "latest_scored_call_date": "the reporting cycle's end: a date, no person's rows",
        "latest_call_date": "the reporting cycle's end: a date, no person's rows",
        "teammates": "the roster's team links, to widen a scope for a team benchmark",
        "runs_stamp": "the score runs' highest id and count, no person's rows",
    }

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

    def runs_stamp(self) -> tuple[int, str, int]:
        """(highest id, that run's time, count) of the score runs: changes whenever a run is
        added or removed (a re-score replaces runs with new rows), and between two databases
        that happen to hold as many runs (the time), for caches of what the runs say."""
        newest = (
            self.session.connection()
            .execute(
                select(ScoreRunRow.id, ScoreRunRow.created_at)
                .order_by(ScoreRunRow.id.desc())
                .limit(1)
            )
            .first()
        )
        count = self.session.connection().execute(select(func.count(ScoreRunRow.id))).scalar()
        if newest is None:
            return 0, "", int(count or 0)
        return int(newest[0]), str(newest[1]), int(count or 0)

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
        *,
        scope: Scope,
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
        reps = allowed(scope, rep_ids)
        version: Any = ScoreRunRow.rubric_version_id
        scorer_column: Any = ScoreRunRow.scorer
        if sqlite and reps is not None:
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
        query = in_window(query, since, until, reps)
        if call_pks is None:
            rows = plain_rows(self.session, query)
        else:
            rows = []
            for chunk in chunks(list(call_pks)):
                rows.extend(plain_rows(self.session, query.where(ScoreRunRow.call_id.in_(chunk))))
        return [row for row in rows if row[6] is not None] if sqlite else rows

    def overrides(
        self,
        rubric_pk: int,
        since: datetime | None = None,
        until: datetime | None = None,
        rep_ids: Sequence[int] | None = None,
        *,
        scope: Scope,
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
            for r in self.session.connection().execute(
                in_window(query, since, until, allowed(scope, rep_ids))
            )
        ]

    def human_ratings(
        self,
        rubric_pk: int,
        since: datetime | None = None,
        until: datetime | None = None,
        rep_ids: Sequence[int] | None = None,
        source: str = "import",
        *,
        scope: Scope,
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
            for r in self.session.connection().execute(
                in_window(query, since, until, allowed(scope, rep_ids))
            )
        ]

    # people
    def rep_rows(
        self, rep_ids: Sequence[int] | None = None, *, scope: Scope
    ) -> list[tuple[int, str, str | None, str | None]]:
        """(rep pk, name, team, manager): the rep's own manager, else the team's."""
        query = select(
            RepRow.id, RepRow.name, TeamRow.name, func.coalesce(RepRow.manager, TeamRow.manager)
        ).outerjoin(TeamRow, RepRow.team_id == TeamRow.id)
        reps = allowed(scope, rep_ids)
        if reps is not None:
            query = query.where(RepRow.id.in_(sorted(reps)))
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

    def rep_pk(self, name: str, *, scope: Scope) -> int | None:
        """The rep of that name if the scope allows them (else None, like an unknown name)."""
        exact = select(RepRow.id).where(RepRow.name == name)
        pk: int | None = self.session.scalar(scoped(exact, RepRow.id, scope))
        if pk is None:
            pk = self.session.scalar(
                scoped(
                    select(RepRow.id).where(func.lower(RepRow.name) == name.strip().lower()),
                    RepRow.id,
                    scope,
                )
            )
        return pk

    def team_rep_pks(self, team: str, *, scope: Scope) -> set[int] | None:
        """The team's reps that the scope allows; None when there is no such team, or the scope
        allows none of its reps and is not a manager's scope over that team (it looks unknown)."""
        team_pk = self.session.scalar(select(TeamRow.id).where(TeamRow.name == team))
        if team_pk is None:
            return None
        members = set(
            self.session.scalars(
                scoped(select(RepRow.id).where(RepRow.team_id == team_pk), RepRow.id, scope)
            )
        )
        if members or scope.everything:
            return members
        return members if scope.team_ids is not None and team_pk in scope.team_ids else None

    # evidence and call details
    def criterion_evidence(
        self, pairs: Sequence[tuple[int, str]], *, scope: Scope
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
            for chunk in chunks(sorted(runs), INLINE_CHUNK):
                query = select(
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
                if scope.rep_ids is not None:
                    query = scoped(
                        query.join(ScoreRunRow, ScoreRunRow.id == CriterionScoreRow.run_id).join(
                            CallRow, CallRow.id == ScoreRunRow.call_id
                        ),
                        CallRow.rep_id,
                        scope,
                    )
                rows = plain_rows(self.session, query)
                for run, conf, segment, start, speaker, quote in rows:
                    item = (
                        [{"segment": segment, "start": start, "speaker": speaker, "quote": quote}]
                        if quote
                        else []
                    )
                    result.append((run, crit, conf, item))
        return result

    def call_details(
        self, call_pks: Sequence[int], *, scope: Scope
    ) -> dict[int, tuple[str, datetime | None, str | None, int | None]]:
        """Call pk -> (call id, date, account, rep pk) of the calls the scope allows."""
        result = {}
        for chunk in chunks(sorted(set(call_pks)), INLINE_CHUNK):
            query = select(
                CallRow.id,
                CallRow.external_id,
                CallRow.call_date,
                CallRow.account,
                CallRow.rep_id,
            ).where(ids_in(CallRow.id, chunk))
            rows = plain_rows(self.session, scoped(query, CallRow.rep_id, scope))
            for pk, ext, when, account, rep in rows:
                # DBAPI rows: SQLite gives the date as its ISO text.
                day = datetime.fromisoformat(when) if isinstance(when, str) else when
                result[pk] = (ext, day, account, rep)
        return result

    def call_pk(self, external_id: str, *, scope: Scope) -> tuple[int, int | None] | None:
        """(pk, rep pk) of the call if the scope allows it (else None, like an unknown id)."""
        query = select(CallRow.id, CallRow.rep_id).where(CallRow.external_id == external_id)
        row = self.session.connection().execute(scoped(query, CallRow.rep_id, scope)).first()
        return (row[0], row[1]) if row else None

    def timed_calls(
        self,
        since: datetime | None,
        until: datetime | None,
        rep_ids: Sequence[int] | None,
        *,
        scope: Scope,
    ) -> list[tuple[int, str, int | None, datetime | None]]:
        """(call pk, call id, rep, date) of calls in the window."""
        query = select(CallRow.id, CallRow.external_id, CallRow.rep_id, CallRow.call_date)
        return [
            tuple(r)
            for r in self.session.connection().execute(
                in_window(query, since, until, allowed(scope, rep_ids))
            )
        ]
