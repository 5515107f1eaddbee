"""Conversation signals per call and per rep, from segment timing."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from callcoach.analytics.signals import CallSignals, SignalSummary, call_signals, summarize
from callcoach.domain.access import SYSTEM, Viewer
from callcoach.services.assessment.query import (
    AssessmentQuery,
    CycleInfo,
    resolve_scope,
)
from callcoach.services.common import NotFoundError
from callcoach.store.uow import Store


@dataclass
class RepSignals:
    rep: str
    team: str | None
    summary: SignalSummary
    team_summary: SignalSummary | None


@dataclass
class SignalsReport:
    cycle: CycleInfo | None
    calls: list[CallSignals]  # per call (one call asked for, or the rep's calls)
    reps: list[RepSignals]
    notes: list[str] = field(default_factory=list)


def call_signals_report(store: Store, call_id: str, viewer: Viewer = SYSTEM) -> SignalsReport:
    """Signals of one call the viewer may see."""
    with store.unit_of_work() as uow:
        access = uow.people.scope_for(viewer)
        found = uow.analytics.call_pk(call_id, scope=access)
        if found is None:
            raise NotFoundError(f"no call {call_id!r}")
        segments = uow.calls.segments([found[0]], scope=access)
    signals = call_signals(call_id, segments.get(found[0], []))
    return SignalsReport(cycle=None, calls=[signals], reps=[])


def build_signals(store: Store, query: AssessmentQuery, viewer: Viewer = SYSTEM) -> SignalsReport:
    """Per rep (mean over the cycle's calls) next to their team; per call when one rep is asked."""
    with store.unit_of_work() as uow:
        scope = resolve_scope(uow, query, viewer, require_scores=False)
        selected, population = scope.selected, scope.population
        since, until = scope.cycle.bounds()
        calls = uow.analytics.timed_calls(since, until, population, scope=scope.benchmark)
        segments = uow.calls.segments([c[0] for c in calls], scope=scope.benchmark)
    per_call: dict[int, CallSignals] = {}
    by_rep: dict[int, list[CallSignals]] = defaultdict(list)
    for pk, external_id, rep_pk, _when in sorted(calls, key=lambda c: (c[3] is None, c[3], c[1])):
        signals = call_signals(external_id, segments.get(pk, []))
        per_call[pk] = signals
        if rep_pk is not None:
            by_rep[rep_pk].append(signals)
    teams = scope.reps["team"]
    by_team: dict[str | None, list[CallSignals]] = defaultdict(list)
    for rep_pk, items in by_rep.items():
        team = teams.get(rep_pk)
        by_team[team if isinstance(team, str) else None].extend(items)
    reps = []
    for rep_pk in selected:
        if rep_pk not in scope.reps.index:
            continue
        team = teams.get(rep_pk)
        team_name = team if isinstance(team, str) else None
        reps.append(
            RepSignals(
                rep=str(scope.reps.loc[rep_pk, "name"]),
                team=team_name,
                summary=summarize(by_rep.get(rep_pk, [])),
                team_summary=summarize(by_team[team_name]) if by_team.get(team_name) else None,
            )
        )
    shown_calls = by_rep.get(selected[0], []) if query.rep and selected else []
    notes = []
    untimed = sum(1 for s in per_call.values() if s.omitted)
    if untimed:
        notes.append(
            f"{untimed} call(s) have no segment timing (plain transcripts): their signals are "
            "omitted, not counted as zero"
        )
    return SignalsReport(cycle=CycleInfo.of(scope.cycle), calls=shown_calls, reps=reps, notes=notes)
