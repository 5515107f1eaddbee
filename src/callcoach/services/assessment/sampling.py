"""Which calls to assess: the cycle's stratified sample, and the monthly check-in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from callcoach.analytics.levels import DATE, REP
from callcoach.analytics.priorities import Priority, coaching_priorities
from callcoach.analytics.sampling import CHECKIN_CALLS, sample_rep
from callcoach.analytics.scorecards import MIN_CALLS_PER_REP
from callcoach.domain.access import SYSTEM, Viewer
from callcoach.services.assessment.query import (
    AssessmentQuery,
    CycleInfo,
    load_score_table,
    resolve_scope,
)
from callcoach.services.assessment.scorecards import attach_moments, latest_calls_table
from callcoach.store.uow import Store


@dataclass(frozen=True)
class SampledCall:
    call_id: str
    date: datetime | None
    account: str | None
    week: int  # 1-based week of the cycle


@dataclass
class RepSampleLine:
    rep: str
    team: str | None
    scored_calls: int
    weeks_with_calls: int
    weeks_covered: int
    calls: list[SampledCall]
    flag: str | None


@dataclass
class SampleReport:
    rubric: str
    scorer: str
    cycle: CycleInfo
    per_rep: int
    seed: int
    reps: list[RepSampleLine]
    notes: list[str] = field(default_factory=list)


@dataclass
class CheckinLine:
    rep: str
    team: str | None
    calls: list[SampledCall]
    primary: Priority | None
    note: str | None


@dataclass
class CheckinReport:
    rubric: str
    scorer: str
    calls_per_rep: int
    reps: list[CheckinLine]


def draw_sample(
    store: Store,
    query: AssessmentQuery,
    per_rep: int = MIN_CALLS_PER_REP,
    seed: int = 0,
    viewer: Viewer = SYSTEM,
) -> SampleReport:
    """At least 10 scored calls per rep, spread across the cycle's weeks; same seed, same sample."""
    per_rep = max(per_rep, MIN_CALLS_PER_REP)
    with store.unit_of_work() as uow:
        scope = resolve_scope(uow, query, viewer)
        since, until = scope.cycle.bounds()
        table = load_score_table(uow, scope, since, until, rep_ids=scope.rep_filter)
        lines = []
        chosen_pks: list[int] = []
        samples = {}
        for rep_pk in scope.selected:
            if rep_pk not in scope.reps.index:
                continue
            name = str(scope.reps.loc[rep_pk, "name"])
            calls = table.calls.loc[(table.calls[REP] == rep_pk).to_numpy(), [DATE]]
            sample = sample_rep(
                name, calls.rename(columns={DATE: "date"}), scope.cycle, per_rep, seed
            )
            samples[rep_pk] = sample
            chosen_pks.extend(int(k) for k in sample.sampled)  # type: ignore[call-overload]
        details = uow.analytics.call_details(chosen_pks)
    for rep_pk, sample in samples.items():
        team = scope.reps.loc[rep_pk, "team"]
        calls_out = []
        for key in sample.sampled:
            call_id, when, account, _ = details[int(key)]  # type: ignore[call-overload]
            week = scope.cycle.week_index(when) + 1 if when else 0
            calls_out.append(SampledCall(call_id, when, account, week))
        lines.append(
            RepSampleLine(
                rep=sample.rep,
                team=team if isinstance(team, str) else None,
                scored_calls=sample.scored_calls,
                weeks_with_calls=sample.weeks_with_calls,
                weeks_covered=sample.weeks_covered,
                calls=calls_out,
                flag=sample.flag,
            )
        )
    flagged = sum(1 for line in lines if line.flag)
    notes = [
        f"{len(scope.cycle.weeks())} weeks in {scope.cycle.label}; each rep's sample visits the "
        "weeks in random order, one call per week per pass"
    ]
    if flagged:
        notes.append(
            f"{flagged} rep(s) have fewer than {MIN_CALLS_PER_REP} scored calls: all of theirs are listed"
        )
    return SampleReport(
        rubric=scope.rubric.rubric.id,
        scorer=scope.scorer,
        cycle=CycleInfo.of(scope.cycle),
        per_rep=per_rep,
        seed=seed,
        reps=lines,
        notes=notes,
    )


def monthly_checkin(
    store: Store, query: AssessmentQuery, viewer: Viewer = SYSTEM, as_of: datetime | None = None
) -> CheckinReport:
    """Each rep's 5 most recent scored calls and only their primary priority on those calls,
    against their team's mean over the team members' own 5 most recent calls."""
    with store.unit_of_work() as uow:
        scope = resolve_scope(uow, query, viewer)
        table = load_score_table(uow, scope, None, as_of)
        recent = latest_calls_table(table, CHECKIN_CALLS)
        priorities = coaching_priorities(recent, scope.team_of(), scope.selected, limit=1)
        attach_moments(uow, recent, priorities)
        rep_calls = {
            rep: [int(k) for k in recent.calls.index[(recent.calls[REP] == rep).to_numpy()]]
            for rep in scope.selected
        }
        details = uow.analytics.call_details([k for keys in rep_calls.values() for k in keys])
    lines = []
    for rep_pk in scope.selected:
        if rep_pk not in scope.reps.index:
            continue
        team = scope.reps.loc[rep_pk, "team"]
        calls = [
            SampledCall(details[k][0], details[k][1], details[k][2], 0)
            for k in sorted(rep_calls[rep_pk], key=lambda k: details[k][1] or datetime.min)
        ]
        items = priorities.get(rep_pk, [])
        note = None
        if not calls:
            note = "no scored calls yet"
        elif not items:
            note = "at or above the team on every criterion over the last calls: nothing to fix"
        lines.append(
            CheckinLine(
                rep=str(scope.reps.loc[rep_pk, "name"]),
                team=team if isinstance(team, str) else None,
                calls=calls,
                primary=items[0] if items else None,
                note=note,
            )
        )
    return CheckinReport(
        rubric=scope.rubric.rubric.id, scorer=scope.scorer, calls_per_rep=CHECKIN_CALLS, reps=lines
    )
