"""What every assessment use case shares: which rubric, scorer, cycle and reps, and the levels.

Level rule (docs/assessment.md): for each call the latest machine run for the rubric counts
(any version, with the weights of the version it used); a manager's override replaces the
machine level of that criterion.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from callcoach.analytics.cycles import Cycle, cycle_of, parse_cycle, window_cycle
from callcoach.analytics.levels import (
    DATE,
    DEAL,
    REP,
    RUN,
    VERSION,
    CriterionInfo,
    ScoreTable,
    build_score_table,
    empty_score_table,
)
from callcoach.domain.access import SYSTEM, Scope, Viewer
from callcoach.services.common import NotFoundError, ServiceError
from callcoach.store.repositories.analytics import MAX_PACKED_CRITERIA
from callcoach.store.repositories.rubrics import StoredRubric
from callcoach.store.uow import UnitOfWork


@dataclass(frozen=True)
class AssessmentQuery:
    """What a manager asks about: rubric, scorer, cycle and which reps."""

    rubric: str
    scorer: str | None = None  # None: whatever scored the calls, preferring `preferred_scorer`
    preferred_scorer: str = "embedded"
    cycle: str | None = None  # "2026-Q3"; None: the latest quarter with scored calls
    start: date | None = None  # a custom window instead of a quarter (inclusive)
    end: date | None = None  # inclusive
    rep: str | None = None
    team: str | None = None


@dataclass(frozen=True)
class CycleInfo:
    label: str
    start: date
    end: date  # inclusive, as people read it

    @classmethod
    def of(cls, cycle: Cycle) -> CycleInfo:
        return cls(cycle.label, cycle.start, cycle.last_day)


@dataclass
class Question:
    """The resolved question: rubric versions, scorer, cycle, and the reps concerned.

    `access` is the viewer's scope (the rows shown); `benchmark` the same viewer's scope widened
    to the population (a rep's team), read only for team benchmarks and aggregates.
    """

    rubric: StoredRubric
    rubric_pk: int
    versions: dict[int, StoredRubric]  # by version primary key
    scorer: str
    cycle: Cycle
    criteria: list[CriterionInfo]
    selected: list[int]  # reps reported on
    population: list[int] | None  # reps whose calls are loaded (their whole teams); None = all
    reps: pd.DataFrame  # index rep pk; columns name, team, manager (the population)
    access: Scope
    benchmark: Scope
    notes: list[str] = field(default_factory=list)

    everyone: bool = False  # every rep is selected (an administrator asking about all)

    @property
    def rep_filter(self) -> list[int] | None:
        """The selected reps as a query filter: None only when every rep is selected."""
        return None if self.everyone else self.selected

    @property
    def version_pks(self) -> list[int]:
        return sorted(self.versions)

    def weights_by_version(self) -> dict[int, dict[str, float]]:
        return {s.version: s.rubric.weights() for s in self.versions.values()}

    def team_of(self) -> pd.Series:
        return self.reps["team"]


def criteria_of(stored: StoredRubric) -> list[CriterionInfo]:
    return [
        CriterionInfo(
            id=c.id,
            name=c.name,
            weight=c.weight,
            good=c.anchors.get(4, ""),
            anchors=dict(c.anchors),
        )
        for c in stored.rubric.criteria
    ]


def resolve_rubric(uow: UnitOfWork, slug: str) -> tuple[StoredRubric, int, dict[int, StoredRubric]]:
    versions = uow.rubrics.versions(slug)
    rubric_pk = uow.analytics.rubric_pk(slug)
    if not versions or rubric_pk is None:
        known = ", ".join(s.rubric.id for s, _ in uow.rubrics.list()) or "none yet"
        raise NotFoundError(
            f"no rubric {slug!r}; rubrics: {known} (add one with `callcoach rubric add`)"
        )
    return versions[-1], rubric_pk, {v.version_pk: v for v in versions}


MANUAL = "manual"  # the "scorer" of a manual review: managers' ratings stand in for scores


# Which machine scorer answers a rubric's questions, per process, while the score runs stay as
# they were: every page asks, and on a large organisation without runs of the preferred scorer
# the answer reads the whole runs table (about 30 ms a page at 100,000 calls).
_SCORER_MEMO: dict[tuple[str, int, str | None, str], tuple[tuple[int, str, int], str]] = {}
_SCORER_MEMO_LOCK = threading.Lock()


def resolve_scorer(uow: UnitOfWork, rubric_pk: int, slug: str, query: AssessmentQuery) -> str:
    """The requested scorer, else the preferred one if it scored calls, else the busiest one;
    with no calls scored, managers' ratings (a manual review, `MANUAL`) when there are some.
    A machine scorer found is remembered for the process until the score runs change."""
    if query.scorer == MANUAL:
        return _resolve_scorer(uow, rubric_pk, slug, query)
    key = (
        str(uow.session.connection().engine.url),
        rubric_pk,
        query.scorer,
        query.preferred_scorer,
    )
    stamp = uow.analytics.runs_stamp()
    with _SCORER_MEMO_LOCK:
        kept = _SCORER_MEMO.get(key)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    scorer = _resolve_scorer(uow, rubric_pk, slug, query)
    if scorer != MANUAL:  # manual review depends on ratings, not runs: never remembered
        with _SCORER_MEMO_LOCK:
            _SCORER_MEMO[key] = (stamp, scorer)
    return scorer


def _resolve_scorer(uow: UnitOfWork, rubric_pk: int, slug: str, query: AssessmentQuery) -> str:
    if query.scorer == MANUAL:
        if uow.manual_ratings.any(rubric_pk):
            return MANUAL
        raise ServiceError(
            f"no manager has rated calls on rubric {slug!r}: `callcoach import ratings FILE` "
            "(or rate calls on their page) for a manual review"
        )
    if query.scorer and uow.analytics.has_scores(rubric_pk, query.scorer):
        return query.scorer
    # Counting every run per scorer reads the whole runs table; the usual answer (the preferred
    # scorer has scores) needs one index probe.
    if not query.scorer and uow.analytics.has_scores(rubric_pk, query.preferred_scorer):
        return query.preferred_scorer
    used = uow.analytics.scorer_counts(rubric_pk)
    names = [name for name, _ in used]
    if query.scorer:
        if query.scorer not in names:
            raise ServiceError(
                f"no calls scored by {query.scorer!r} on rubric {slug!r}; scorers with scores: "
                f"{', '.join(names) or 'none (run `callcoach score` or `callcoach import scores`)'}"
            )
        return query.scorer
    if not used:
        if uow.manual_ratings.any(rubric_pk):
            return MANUAL  # rule: unscored calls are reviewed by hand; ratings feed the sample
        raise ServiceError(
            f"no calls are scored on rubric {slug!r} yet: run `callcoach score` "
            "(or `callcoach import scores FILE.jsonl`) first"
        )
    return query.preferred_scorer if query.preferred_scorer in names else names[0]


@dataclass(frozen=True)
class RepSelection:
    """The reps a question is about, within what the viewer may see."""

    selected: list[int]  # reps reported on
    population: list[int] | None  # reps whose calls benchmarks need; None: every rep
    everyone: bool  # every rep is selected (an administrator asking about all)

    @property
    def rep_filter(self) -> list[int] | None:
        """The selected reps as a query filter: None only when every rep is selected."""
        return None if self.everyone else self.selected


def _sorted_or_all(reps: set[int] | None) -> list[int] | None:
    return None if reps is None else sorted(reps)


def resolve_reps(uow: UnitOfWork, access: Scope, rep: str | None, team: str | None) -> RepSelection:
    """The reps reported on and those whose calls are needed, within the viewer's scope.

    A rep without a team is benchmarked against the organisation, so their population is every
    rep. A rep or team the viewer cannot see is reported exactly like one that does not exist.
    """
    if rep:
        pk = uow.analytics.rep_pk(rep, scope=access)
        if pk is None:
            raise NotFoundError(f"no rep {rep!r}")
        return RepSelection([pk], _sorted_or_all(uow.analytics.teammates([pk])), everyone=False)
    if team:
        shown = uow.analytics.team_rep_pks(team, scope=access)
        if not shown:
            raise NotFoundError(f"no team {team!r}")
        everyone = Scope.system("team benchmark: the whole team of reps the viewer may see")
        members = uow.analytics.team_rep_pks(team, scope=everyone) or shown
        return RepSelection(sorted(shown), sorted(members), everyone=False)
    if access.rep_ids is None:
        rows = uow.analytics.rep_rows(scope=access)
        return RepSelection([pk for pk, *_ in rows], None, everyone=True)
    if not access.rep_ids:
        return RepSelection([], [], everyone=False)
    population = _sorted_or_all(uow.analytics.teammates(sorted(access.rep_ids)))
    return RepSelection(sorted(access.rep_ids), population, everyone=False)


def benchmark_scope(access: Scope, reps: RepSelection) -> Scope:
    """The viewer's scope widened to the reps a benchmark needs (their teams, or everyone for
    a rep without a team): read for aggregates only, never shown row by row."""
    return access.widened(
        None if reps.population is None else frozenset(reps.population) | set(reps.selected),
        "team benchmark",
    )


def rep_frame(uow: UnitOfWork, population: list[int] | None, benchmark: Scope) -> pd.DataFrame:
    rows = uow.analytics.rep_rows(population, scope=benchmark)
    frame = pd.DataFrame(rows, columns=["pk", "name", "team", "manager"]).set_index("pk")
    frame["team"] = frame["team"].astype(object).where(frame["team"].notna(), None)
    return frame


def explicit_window(query: AssessmentQuery) -> Cycle | None:
    """The cycle or window the query names, or None when it names none."""
    if query.start or query.end:
        if not (query.start and query.end):
            raise ServiceError("give both --from and --to (or a --cycle like 2026-Q3)")
        try:
            return window_cycle(query.start, query.end + timedelta(days=1))
        except ValueError as exc:
            raise ServiceError(str(exc)) from exc
    if query.cycle:
        try:
            return parse_cycle(query.cycle)
        except ValueError as exc:
            raise ServiceError(str(exc)) from exc
    return None


def resolve_scope(
    uow: UnitOfWork, query: AssessmentQuery, viewer: Viewer = SYSTEM, require_scores: bool = True
) -> Question:
    """Rubric, scorer, cycle and reps of a query, within the viewer's scope (resolved here,
    once for the question). Without `require_scores`, a rubric nobody scored yet gives an empty
    scorer name instead of an error."""
    access = uow.people.scope_for(viewer)
    stored, rubric_pk, versions = resolve_rubric(uow, query.rubric)
    try:
        scorer = resolve_scorer(uow, rubric_pk, query.rubric, query)
    except ServiceError:
        if require_scores or query.scorer:
            raise
        scorer = ""
    cycle = explicit_window(query)
    if cycle is None:
        if scorer == MANUAL:
            latest = uow.manual_ratings.latest_call_date(rubric_pk)
        else:
            latest = (
                uow.analytics.latest_scored_call_date(sorted(versions), scorer) if scorer else None
            )
        cycle = cycle_of(latest or uow.analytics.latest_call_date() or datetime.now())
    reps = resolve_reps(uow, access, query.rep, query.team)
    benchmark = benchmark_scope(access, reps)
    return Question(
        rubric=stored,
        rubric_pk=rubric_pk,
        versions=versions,
        scorer=scorer,
        cycle=cycle,
        criteria=criteria_of(stored),
        selected=reps.selected,
        population=reps.population,
        reps=rep_frame(uow, reps.population, benchmark),
        access=access,
        benchmark=benchmark,
        everyone=reps.everyone,
    )


def load_score_table(
    uow: UnitOfWork,
    scope: Question,
    since: datetime | None,
    until: datetime | None,
    rep_ids: list[int] | None = None,
    call_pks: list[int] | None = None,
    with_overrides: bool = True,
) -> ScoreTable:
    """Effective levels of the calls in [since, until) of the population (or `rep_ids`),
    read within the question's benchmark scope."""
    reps = scope.population if rep_ids is None else rep_ids
    if not scope.scorer:
        return empty_score_table(scope.criteria)
    if scope.scorer == MANUAL:
        return _manual_score_table(uow, scope, since, until, reps, call_pks)
    criteria = [c.id for c in scope.criteria]
    # A rubric of more than 10 criteria (4-6 are advised) is read 10 criteria at a time.
    groups = [
        criteria[i : i + MAX_PACKED_CRITERIA] for i in range(0, len(criteria), MAX_PACKED_CRITERIA)
    ]
    rows = uow.analytics.score_rows(
        scope.version_pks,
        groups[0],
        scope.scorer,
        since,
        until,
        reps,
        call_pks,
        scope=scope.benchmark,
    )
    if not rows:
        return empty_score_table(scope.criteria)
    # One object array, sliced by column: far faster than a frame built from 100k row tuples.
    data = np.array(rows, dtype=object)
    number = {pk: s.version for pk, s in scope.versions.items()}
    index = pd.Index(data[:, 1].astype(np.int64))
    runs = data[:, 0].astype(np.int64)
    calls = pd.DataFrame(
        {
            REP: _ids(data[:, 2]),
            DATE: _dates(data[:, 3]),
            VERSION: pd.Series(_ids(data[:, 4])).map(number).to_numpy(dtype=np.int64),
            RUN: runs,
            DEAL: _ids(data[:, 5]),
        },
        index=index,
    )
    parts = [unpack_levels(_ids(data[:, 6]), len(groups[0]))]
    for group in groups[1:]:
        more = np.array(
            uow.analytics.score_rows(
                scope.version_pks,
                group,
                scope.scorer,
                since,
                until,
                reps,
                call_pks,
                scope=scope.benchmark,
            ),
            dtype=object,
        )
        by_run = pd.Series(_ids(more[:, 6]), index=more[:, 0].astype(np.int64))
        parts.append(unpack_levels(by_run.reindex(runs).fillna(0).to_numpy(np.int64), len(group)))
    levels = pd.DataFrame(np.hstack(parts), columns=criteria, index=index)
    overrides = None
    if with_overrides:
        override_rows = uow.analytics.overrides(
            scope.rubric_pk, since, until, reps, scope=scope.benchmark
        )
        overrides = pd.DataFrame(override_rows, columns=["call", "criterion", "level", "created"])
    return build_score_table(calls, levels, scope.criteria, scope.weights_by_version(), overrides)


def _manual_score_table(
    uow: UnitOfWork,
    scope: Question,
    since: datetime | None,
    until: datetime | None,
    reps: list[int] | None,
    call_pks: list[int] | None,
) -> ScoreTable:
    """Levels of a manual review: per call and criterion, the mean of the managers who rated
    it, read as if one run on the rubric's current version had scored it (rule: calls nobody
    scored are rated by hand, and those ratings feed the sample, scorecards and priorities)."""
    rows = uow.manual_ratings.rows(scope.rubric_pk, since, until, reps, scope=scope.benchmark)
    if call_pks is not None:
        wanted = set(call_pks)
        rows = [r for r in rows if r[0] in wanted]
    if not rows:
        return empty_score_table(scope.criteria)
    frame = pd.DataFrame(rows, columns=["call", REP, DATE, DEAL, "criterion", "level", "raters"])
    meta = frame.drop_duplicates("call").set_index("call")
    calls = pd.DataFrame(
        {
            REP: meta[REP].astype(np.int64),
            DATE: _dates(meta[DATE].to_numpy(dtype=object)),
            VERSION: np.int64(scope.rubric.version),
            RUN: np.int64(0),
            DEAL: _ids(meta[DEAL].to_numpy(dtype=object)),
        },
        index=pd.Index(meta.index.astype(np.int64)),
    )
    levels = frame.pivot_table(index="call", columns="criterion", values="level", aggfunc="mean")
    levels = levels.reindex(index=calls.index, columns=[c.id for c in scope.criteria])
    return build_score_table(calls, levels, scope.criteria, scope.weights_by_version(), None)


def _ids(values: np.ndarray) -> np.ndarray:
    """Integer keys with -1 for none (a call without a rep or a deal)."""
    keys: np.ndarray = np.nan_to_num(values.astype(float), nan=-1).astype(np.int64)
    return keys


def unpack_levels(packed: np.ndarray, count: int) -> np.ndarray:
    """Levels packed as octal digits (digit k: criterion k, 0: no level) to a float matrix."""
    digits = (packed[:, None] // (8 ** np.arange(count, dtype=np.int64))) % 8
    return np.asarray(np.where(digits > 0, digits, np.nan), dtype=float)


def _dates(values: np.ndarray) -> pd.DatetimeIndex:
    """Call dates as stored: ISO text (SQLite) or datetimes (PostgreSQL); missing stays NaT."""
    if len(values) and isinstance(next((v for v in values if v is not None), None), str):
        try:  # numpy's own ISO parser: a quarter of pandas' time for SQLite's naive timestamps
            return pd.DatetimeIndex(np.array(values.tolist(), dtype="datetime64[us]"))
        except ValueError:  # anything numpy does not read (an offset): pandas reads it
            return pd.DatetimeIndex(
                pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601")
            )
    return pd.DatetimeIndex(pd.to_datetime(pd.Series(values, dtype=object)))


def split_by_date(table: ScoreTable, boundary: datetime) -> tuple[ScoreTable, ScoreTable]:
    """(calls before the boundary, calls from it on)."""
    later = (table.calls[DATE] >= pd.Timestamp(boundary)).to_numpy()
    return table.subset(~later), table.subset(later)
