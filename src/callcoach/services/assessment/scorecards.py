"""Scorecards, team benchmarks and coaching priorities for a cycle."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd

from callcoach.analytics.agreement import TARGET_WITHIN_ONE, rubric_agreement
from callcoach.analytics.levels import DEAL, REP, RUN, VERSION, ScoreTable
from callcoach.analytics.priorities import (
    MOMENTS_PER_PRIORITY,
    Moment,
    Priority,
    choose_moments,
    coaching_priorities,
    lowest_level_calls,
)
from callcoach.analytics.scorecards import (
    MIN_CALLS_PER_REP,
    RepScorecard,
    TeamBenchmark,
    not_enough_calls,
    rep_scorecards,
    team_benchmarks,
)
from callcoach.domain.access import SYSTEM, Scope, Viewer
from callcoach.domain.trust import CriterionTrust, excluded_from_decisions
from callcoach.services.assessment.query import (
    MANUAL,
    AssessmentQuery,
    CycleInfo,
    Question,
    load_score_table,
    resolve_scope,
    split_by_date,
)
from callcoach.services.scoring.trust import decision_states
from callcoach.store.uow import Store, UnitOfWork

# Candidate calls fetched per priority: more than shown, since some low levels have no quote.
_MOMENT_CANDIDATES = MOMENTS_PER_PRIORITY + 1


@dataclass
class ScorecardReport:
    rubric: str
    rubric_version: int  # the rubric's latest version
    scorer: str
    cycle: CycleInfo
    previous_cycle: CycleInfo
    reps: list[RepScorecard]
    teams: list[TeamBenchmark]
    overridden_levels: int
    notes: list[str] = field(default_factory=list)
    rubric_name: str = ""
    scored_versions: list[int] = field(default_factory=list)  # versions the counted runs used
    # Per criterion: can its scores be trusted (domain/trust.py); shown next to every score.
    trust: dict[str, CriterionTrust] = field(default_factory=dict)


@dataclass
class RepPriorities:
    rep: str
    team: str | None
    calls: int
    enough_calls: bool
    priorities: list[Priority]
    flags: list[str] = field(default_factory=list)
    note: str | None = None


@dataclass
class PrioritiesReport:
    rubric: str
    rubric_version: int  # the rubric's latest version
    scorer: str
    cycle: CycleInfo
    reps: list[RepPriorities]
    notes: list[str] = field(default_factory=list)
    rubric_name: str = ""
    scored_versions: list[int] = field(default_factory=list)  # versions the counted runs used
    trust: dict[str, CriterionTrust] = field(default_factory=dict)


def scored_versions(table: ScoreTable) -> list[int]:
    """The rubric versions the counted machine runs were scored on (a cycle can mix them:
    each call counts its latest run, whatever version it used)."""
    return sorted({int(v) for v in table.calls[VERSION].unique()})


def deal_frame(uow: UnitOfWork, scope: Question, current: ScoreTable) -> pd.DataFrame:
    """Per rep of the population: won and closed deals linked to their scored calls in the
    cycle (each deal once per rep), and quota attainment."""
    linked = current.calls[DEAL].to_numpy()
    closed = dict(
        uow.analytics.closed_deals(np.unique(linked[linked >= 0]).tolist(), scope=scope.benchmark)
    )
    # Plain counting over the (rep, deal) pairs: a pandas groupby here cost more than the
    # queries on a rep page.
    won: dict[int, int] = {}
    count: dict[int, int] = {}
    for rep, deal in set(zip(current.calls[REP].tolist(), linked.tolist(), strict=True)):
        if deal in closed:
            count[rep] = count.get(rep, 0) + 1
            won[rep] = won.get(rep, 0) + int(closed[deal])
    reps = scope.reps.index
    quotas = uow.analytics.quota_attainment(
        scope.cycle.start, scope.cycle.end, scope.population, scope=scope.benchmark
    )
    attainment = {rep: won_amount / quota for rep, quota, won_amount in quotas if quota > 0}
    return pd.DataFrame(
        {
            "won": np.array([won.get(r, 0) for r in reps], dtype=np.int64),
            "closed": np.array([count.get(r, 0) for r in reps], dtype=np.int64),
            "attainment": np.array([attainment.get(r, np.nan) for r in reps], dtype=float),
        },
        index=reps,
    )


def agreement_note(uow: UnitOfWork, scope: Question) -> str | None:
    """A warning when managers agree within one level on less than 80% of what they rated on
    this rubric (method rule: below that, scores built on the rubric are not a fair basis),
    naming the criteria whose anchors are too vague. Organisation-wide: agreement is a property
    of the rubric's anchors, not of one team."""
    organisation = Scope.system("rubric agreement: an organisation-wide aggregate")
    rows = uow.analytics.human_ratings(scope.rubric_pk, scope=organisation)
    ratings = pd.DataFrame(rows, columns=["pk", "call", "criterion", "rater", "level"])
    result = rubric_agreement(ratings, [c.id for c in scope.criteria])
    if result.meets_target is not False or result.within_one is None:
        return None
    names = {c.id: c.name for c in scope.criteria}
    vague = ", ".join(names[c] for c in result.below_target) or "none singled out"
    return (
        f"managers agree within one level on only {result.within_one:.0%} of the "
        f"{result.pairs} rated pairs on rubric {scope.rubric.rubric.id} (target "
        f"{TARGET_WITHIN_ONE:.0%}): read these scores with care, and refine the anchors of "
        f"{vague} (`callcoach agreement` shows the calls behind it)"
    )


def _scope_notes(scope: Question, table: ScoreTable) -> list[str]:
    notes = []
    if scope.scorer == MANUAL:
        notes.append(
            f"Manual review: no call is scored on this rubric, so the levels are managers' own "
            f"ratings ({len(table.levels)} call(s) rated by hand; a call rated by several "
            "managers counts their mean)"
        )
    if table.overridden:
        notes.append(
            f"{table.overridden} criterion level(s) come from managers' overrides, which replace "
            "the machine's level"
        )
    return notes


def build_scorecards(
    store: Store, query: AssessmentQuery, viewer: Viewer = SYSTEM
) -> ScorecardReport:
    """Scorecards of the reps `viewer` may see (or the one rep / team asked for), with the
    benchmarks of their teams."""
    with store.unit_of_work() as uow:
        scope = resolve_scope(uow, query, viewer)
        report, _ = _scorecards(uow, scope)
    return report


def _scorecards(uow: UnitOfWork, scope: Question) -> tuple[ScorecardReport, ScoreTable]:
    """The scorecard report, and the cycle's levels (priorities reuse them)."""
    start, _ = scope.cycle.previous().bounds()
    boundary, end = scope.cycle.bounds()
    table = load_score_table(uow, scope, start, end)
    before, current = split_by_date(table, boundary)
    return scorecard_report(uow, scope, current, before), current


def scorecard_report(
    uow: UnitOfWork, scope: Question, current: ScoreTable, before: ScoreTable
) -> ScorecardReport:
    """The report from the cycle's levels of the population (`current`) and the previous
    cycle's levels of at least the selected reps (`before`: only their own change reads it)."""
    previous = scope.cycle.previous()
    deals = deal_frame(uow, scope, current)
    cards = rep_scorecards(current, before, scope.reps, deals, scope.selected)
    team_of = scope.reps["team"].to_dict()
    name_of = scope.reps["name"].to_dict()
    teams_shown = {team_of[r] for r in scope.selected if r in team_of}
    benchmarks = [b for b in team_benchmarks(current, scope.reps, deals) if b.team in teams_shown]
    visible_names = {name_of[r] for r in scope.selected if r in name_of}
    for bench in benchmarks:
        if bench.top_vs_bottom is not None:
            # Names of reps the viewer may not see are not shown, only their outcome.
            for group in (bench.top_vs_bottom.top, bench.top_vs_bottom.bottom):
                group[:] = [
                    g if g.rep in visible_names else type(g)("(another rep)", g.value)
                    for g in group
                ]
    notes = _scope_notes(scope, current)
    if (agreement := agreement_note(uow, scope)) is not None:
        notes.insert(0, agreement)
    thin = sum(1 for c in cards if not c.enough_calls)
    if thin:
        notes.append(
            f"{thin} rep(s) have fewer than {MIN_CALLS_PER_REP} scored calls in {scope.cycle.label}: "
            "their numbers are shown but are not a meaningful assessment"
        )
    return ScorecardReport(
        rubric=scope.rubric.rubric.id,
        rubric_version=scope.rubric.version,
        rubric_name=scope.rubric.rubric.name,
        scored_versions=scored_versions(current),
        scorer=scope.scorer,
        cycle=CycleInfo.of(scope.cycle),
        previous_cycle=CycleInfo.of(previous),
        reps=cards,
        teams=benchmarks,
        overridden_levels=current.overridden,
        notes=notes,
        trust=decision_states(uow, scope.rubric.rubric.id),
    )


def attach_moments(
    uow: UnitOfWork, table: ScoreTable, priorities: dict[int, list[Priority]], access: Scope
) -> None:
    """Give each priority the call moments that show it: the lowest levels, with their quotes
    (only calls the viewer's scope allows)."""
    wanted = {rep: [p.criterion_id for p in items] for rep, items in priorities.items() if items}
    if not wanted:
        return
    candidates = lowest_level_calls(table, wanted, _MOMENT_CANDIDATES)
    call_keys = sorted({call for calls in candidates.values() for call, _ in calls})
    run_of = dict(
        zip(call_keys, table.calls[RUN].reindex(call_keys).to_numpy().tolist(), strict=True)
    )
    pairs = [
        (run_of[call], criterion_id)
        for (_, criterion_id), calls in candidates.items()
        for call, _ in calls
    ]
    evidence = {
        (run, crit): (conf, ev)
        for run, crit, conf, ev in uow.analytics.criterion_evidence(pairs, scope=access)
    }
    details = uow.analytics.call_details(call_keys, scope=access)
    for rep, items in priorities.items():
        for priority in items:
            moments: list[Moment] = []
            for call_pk, level in candidates.get((rep, priority.criterion_id), []):
                confidence, quotes = evidence.get(
                    (run_of[call_pk], priority.criterion_id), (None, [])
                )
                call_id, when, account, _rep = details.get(call_pk, ("?", None, None, None))
                for item in quotes:
                    moments.append(
                        Moment(
                            call_id=call_id,
                            date=when,
                            account=account,
                            level=level,
                            timestamp=item.get("start"),
                            speaker=str(item.get("speaker") or ""),
                            quote=str(item.get("quote") or ""),
                            segment=int(item.get("segment", -1)),
                            confidence=confidence,
                        )
                    )
            priority.moments = choose_moments(moments)


def _rep_priorities(
    scope: Question,
    table: ScoreTable,
    priorities: dict[int, list[Priority]],
    selected: Sequence[int],
) -> list[RepPriorities]:
    counts = table.calls["rep"].value_counts().to_dict()
    names = scope.reps["name"].to_dict()
    teams = scope.reps["team"].to_dict()
    result = []
    for rep in selected:
        if rep not in names:
            continue
        n = int(counts.get(rep, 0))
        items = priorities.get(rep, [])
        note = None
        if n == 0:
            note = "no scored calls in this cycle"
        team = teams[rep]
        if n and not items:
            benchmark = "team" if isinstance(team, str) else "organisation"
            note = (
                f"at or above the {benchmark} mean on every criterion: no gap to coach; "
                "build on strengths"
            )
        result.append(
            RepPriorities(
                rep=str(names[rep]),
                team=team if isinstance(team, str) else None,
                calls=n,
                enough_calls=n >= MIN_CALLS_PER_REP,
                priorities=items,
                flags=[] if n >= MIN_CALLS_PER_REP else [not_enough_calls(n)],
                note=note,
            )
        )
    return result


def build_priorities(
    store: Store, query: AssessmentQuery, viewer: Viewer = SYSTEM, limit: int = 2
) -> PrioritiesReport:
    """Each rep's top coaching priorities in the cycle, with the moments that show them."""
    with store.unit_of_work() as uow:
        scope = resolve_scope(uow, query, viewer)
        since, until = scope.cycle.bounds()
        return priorities_report(uow, scope, load_score_table(uow, scope, since, until), limit)


def priorities_report(
    uow: UnitOfWork, scope: Question, table: ScoreTable, limit: int
) -> PrioritiesReport:
    trust = decision_states(uow, scope.rubric.rubric.id)
    excluded = excluded_from_decisions(trust)
    priorities = coaching_priorities(table, scope.team_of(), scope.selected, limit, excluded)
    attach_moments(uow, table, priorities, scope.access)
    return PrioritiesReport(
        rubric=scope.rubric.rubric.id,
        rubric_version=scope.rubric.version,
        rubric_name=scope.rubric.rubric.name,
        scored_versions=scored_versions(table),
        scorer=scope.scorer,
        cycle=CycleInfo.of(scope.cycle),
        reps=_rep_priorities(scope, table, priorities, scope.selected),
        notes=[
            n
            for n in (
                agreement_note(uow, scope),
                trust_note(scope, trust),
                *_scope_notes(scope, table),
            )
            if n
        ],
        trust=trust,
    )


def trust_note(scope: Question, trust: dict[str, CriterionTrust]) -> str | None:
    """Which criteria are kept out of the priorities because their scores are not trusted."""
    names = {c.id: c.name for c in scope.criteria}
    held = [names.get(c, c) for c in sorted(excluded_from_decisions(trust))]
    if not held:
        return None
    return (
        f"not trusted, so not used for priorities: {', '.join(held)} (the machine disagrees "
        "with your team's verdicts; `callcoach scorer trust` shows why, `callcoach scorer "
        "teach` improves it, `callcoach scorer trust --opt-in CRITERION` uses it anyway)"
    )


@dataclass
class AssessmentReport:
    """A cycle's scorecards and coaching priorities together."""

    scorecards: ScorecardReport
    priorities: PrioritiesReport


def build_assessment(
    store: Store, query: AssessmentQuery, viewer: Viewer = SYSTEM, limit: int = 2
) -> AssessmentReport:
    """Scorecards and priorities from one read of the levels: what a team page or the demo's
    report shows (the same numbers as `build_scorecards` and `build_priorities`)."""
    with store.unit_of_work() as uow:
        scope = resolve_scope(uow, query, viewer)
        scorecards, current = _scorecards(uow, scope)
        priorities = priorities_report(uow, scope, current, limit)
    return AssessmentReport(scorecards=scorecards, priorities=priorities)


def latest_calls_table(table: ScoreTable, count: int, until: datetime | None = None) -> ScoreTable:
    """Each rep's `count` most recent calls (before `until` if given)."""
    calls = table.calls
    if until is not None:
        calls = calls[calls["date"] < pd.Timestamp(until)]
    ordered = calls.sort_values("date", kind="stable")
    keep = ordered.groupby("rep", sort=False).tail(count).index
    return table.subset(table.calls.index.isin(keep))
