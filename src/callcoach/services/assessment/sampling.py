"""Which calls to assess: the cycle's stratified sample, and the monthly check-in."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from callcoach.analytics.coaching import IMPROVEMENT
from callcoach.analytics.cycles import cycle_of
from callcoach.analytics.levels import DATE, REP
from callcoach.analytics.priorities import Priority, coaching_priorities
from callcoach.analytics.sampling import CHECKIN_CALLS, sample_rep
from callcoach.analytics.scorecards import MIN_CALLS_PER_REP
from callcoach.domain.access import SYSTEM, Viewer
from callcoach.domain.trust import excluded_from_decisions
from callcoach.services.assessment.query import (
    AssessmentQuery,
    CycleInfo,
    load_score_table,
    resolve_scope,
)
from callcoach.services.assessment.scorecards import attach_moments, latest_calls_table
from callcoach.services.scoring.trust import decision_states
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
    """One rep's month: the primary priority of the last quarterly assessment, and where the
    rep's recent calls stand on it."""

    rep: str
    team: str | None
    calls: list[SampledCall]  # the recent calls, oldest first
    primary: Priority | None  # from the quarterly assessment (its means are the quarter's)
    note: str | None
    recent_mean: float | None = None  # the criterion's mean over the recent calls
    change: float | None = None  # recent mean minus the quarter's mean
    progress: str | None = None  # in words, against the coaching loop's +0.5 rule


@dataclass
class CheckinReport:
    rubric: str
    scorer: str
    calls_per_rep: int
    reps: list[CheckinLine]
    assessment: CycleInfo | None = None  # the quarterly assessment the priorities come from
    notes: list[str] = field(default_factory=list)


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
        details = uow.analytics.call_details(chosen_pks, scope=scope.access)
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


def _progress(change: float | None, priority: Priority, recent_mean: float | None) -> str:
    """The month's reading of the priority, by the coaching loop's rule (+0.5 is a change)."""
    if change is None or recent_mean is None:
        return "not shown on the recent calls: no level to compare"
    if change >= IMPROVEMENT:
        reached = " and at the team's level" if recent_mean >= priority.team_mean else ""
        return f"improving: {change:+.2f} since the assessment{reached}"
    if change <= -IMPROVEMENT:
        return f"slipping: {change:+.2f} since the assessment"
    return f"no clear change yet ({change:+.2f}; {IMPROVEMENT:+.1f} counts as a change)"


def monthly_checkin(
    store: Store, query: AssessmentQuery, viewer: Viewer = SYSTEM, as_of: datetime | None = None
) -> CheckinReport:
    """Each rep's 5 most recent scored calls, read on the primary priority of the last
    quarterly assessment (method rule: the monthly check-in follows up the quarter's priority,
    it does not compute a new one from five calls).

    The assessment is the quarter before the one the most recent call falls in (or the quarter
    `--cycle` names); its priority keeps the quarter's rep and team means, and the recent
    calls' mean on that criterion is compared with the rep's quarter mean.
    """
    with store.unit_of_work() as uow:
        scope = resolve_scope(uow, query, viewer)
        table = load_score_table(uow, scope, None, as_of)
        recent = latest_calls_table(table, CHECKIN_CALLS)
        latest = recent.calls[DATE].max() if len(recent.calls) else None
        if query.cycle:
            assessed = scope.cycle
        else:
            anchor = latest.to_pydatetime() if latest is not None and latest == latest else None
            assessed = cycle_of(anchor or as_of or datetime.now()).previous()
        since, until = assessed.bounds()
        quarter = table.subset(
            ((table.calls[DATE] >= since) & (table.calls[DATE] < until)).to_numpy()
        )
        excluded = excluded_from_decisions(decision_states(uow, scope.rubric.rubric.id))
        priorities = coaching_priorities(
            quarter, scope.team_of(), scope.selected, limit=1, excluded=excluded
        )
        # The moments of the month: the lowest levels on that criterion among the recent calls.
        monthly = {
            rep: [replace(items[0], moments=[])] for rep, items in priorities.items() if items
        }
        attach_moments(uow, recent, monthly, scope.access)
        rep_calls = {
            rep: [int(k) for k in recent.calls.index[(recent.calls[REP] == rep).to_numpy()]]
            for rep in scope.selected
        }
        details = uow.analytics.call_details(
            [k for keys in rep_calls.values() for k in keys], scope=scope.access
        )
    lines = []
    for rep_pk in scope.selected:
        if rep_pk not in scope.reps.index:
            continue
        team = scope.reps.loc[rep_pk, "team"]
        calls = [
            SampledCall(details[k][0], details[k][1], details[k][2], 0)
            for k in sorted(rep_calls[rep_pk], key=lambda k: details[k][1] or datetime.min)
        ]
        items = monthly.get(rep_pk, [])
        line = CheckinLine(
            rep=str(scope.reps.loc[rep_pk, "name"]),
            team=team if isinstance(team, str) else None,
            calls=calls,
            primary=items[0] if items else None,
            note=None,
        )
        if not calls:
            line.note = "no scored calls yet"
        elif not (quarter.calls[REP] == rep_pk).any():
            line.note = f"no scored calls in the {assessed.label} assessment: no priority to follow"
        elif line.primary is None:
            line.note = (
                f"no coaching priority in the {assessed.label} assessment: nothing to follow up"
            )
        else:
            mine = recent.levels[(recent.calls[REP] == rep_pk).to_numpy()]
            values = mine[line.primary.criterion_id].dropna()
            line.recent_mean = float(values.mean()) if len(values) else None
            line.change = (
                line.recent_mean - line.primary.rep_mean if line.recent_mean is not None else None
            )
            line.progress = _progress(line.change, line.primary, line.recent_mean)
        lines.append(line)
    return CheckinReport(
        rubric=scope.rubric.rubric.id,
        scorer=scope.scorer,
        calls_per_rep=CHECKIN_CALLS,
        reps=lines,
        assessment=CycleInfo.of(assessed),
    )
