"""What a generated org contains, in the terms a newcomer understands."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from callcoach.demo.model import CALL_TYPES
from callcoach.demo.org import DemoOrg
from callcoach.demo.people import is_ramping


@dataclass(frozen=True)
class TeamLine:
    name: str
    manager: str | None
    reps: int
    calls: int


@dataclass(frozen=True)
class RepLine:
    name: str
    team: str | None
    start_date: date | None
    tenure_months: float
    ramping: bool
    calls: int
    deals_won: int
    deals_lost: int


@dataclass(frozen=True)
class MonthLine:
    month: str  # YYYY-MM
    by_type: dict[str, int]
    total: int


@dataclass(frozen=True)
class CoachingLine:
    rep: str
    criterion: str
    coached_on: date
    coach: str | None
    note: str | None


@dataclass(frozen=True)
class SkillLine:
    """Ground truth: a rep's skill per criterion (1-5) as generated. Not shown unless asked."""

    rep: str
    archetype: str
    skills: dict[str, float]
    coached: str | None
    coaching_worked: bool | None
    practised: str | None = None  # the criterion practised (demo/practice.py)
    practice_carried_over: bool | None = None  # did it raise the level on real calls after it


@dataclass(frozen=True)
class PracticeLine:
    """A rep's practice history as anyone can see it (whether it carried over is the truth)."""

    rep: str
    criterion: str
    assigned_by: str
    assigned_on: date
    first_session: date
    sessions: int
    attempts: int


@dataclass
class CallStats:
    """Filled while the transcripts are written (the org itself holds no words)."""

    segments: int = 0
    minutes: list[float] = field(default_factory=list)

    def add(self, segments: int, seconds: float) -> None:
        self.segments += segments
        self.minutes.append(seconds / 60)


@dataclass
class DemoSummary:
    seed: int
    end: date
    first_day: date
    rubric_id: str
    calls: int
    segments: int
    minutes_median: float
    minutes_min: float
    minutes_max: float
    teams: list[TeamLine]
    reps: list[RepLine]
    calls_by_type: dict[str, int]
    months: list[MonthLine]
    deals: int
    deals_by_outcome: dict[str, int]
    win_rate: float | None  # won / (won + lost)
    lost_after_verbal: int
    won_amount: float
    open_pipeline: float
    accounts: int
    activities: int
    quotas: int
    calls_rated: int
    ratings: int
    raters: list[str]
    vague_criterion: str
    coaching: list[CoachingLine]
    skills: list[SkillLine]
    practice: list[PracticeLine]
    short_transcripts: bool
    database: str | None = None
    seconds: float | None = None
    replaced_calls: int = 0

    @property
    def calls_per_second(self) -> float | None:
        if not self.seconds:
            return None
        return self.calls / self.seconds


def summarize(org: DemoOrg, stats: CallStats) -> DemoSummary:
    calendar = org.calendar
    calls_by_rep = Counter(p.rep_index for p in org.call_plans)
    won = Counter(d.rep_index for d in org.deal_plans if d.outcome == "won")
    lost = Counter(d.rep_index for d in org.deal_plans if d.outcome == "lost")
    last_day = calendar.days - 1
    teams = []
    for index, team in enumerate(org.teams):
        members = [p for p in org.reps if p.team_index == index]
        teams.append(
            TeamLine(
                team.name, team.manager, len(members), sum(calls_by_rep[p.index] for p in members)
            )
        )
    reps = [
        RepLine(
            name=p.rep.name,
            team=p.rep.team,
            start_date=p.rep.start_date,
            tenure_months=round(p.tenure_months(last_day), 1),
            ramping=is_ramping(p, last_day),
            calls=calls_by_rep[p.index],
            deals_won=won[p.index],
            deals_lost=lost[p.index],
        )
        for p in org.reps
    ]
    by_month: dict[str, Counter[str]] = {}
    for plan in org.call_plans:
        month = calendar.date_of(plan.day).strftime("%Y-%m")
        by_month.setdefault(month, Counter())[plan.call_type] += 1
    months = [
        MonthLine(month, {t: counts[t] for t in CALL_TYPES}, sum(counts.values()))
        for month, counts in sorted(by_month.items())
    ]
    outcomes = Counter(d.outcome.value for d in org.deals)
    closed = outcomes["won"] + outcomes["lost"]
    rated_calls = {r.call_id for r in org.ratings}
    skills = []
    practised = {p.rep_index: p for p in org.practice}
    for profile in org.reps:
        first = profile.coaching[0] if profile.coaching else None
        practice = practised.get(profile.index)
        skills.append(
            SkillLine(
                rep=profile.rep.name,
                archetype=profile.archetype,
                skills={c: round(profile.skills[c], 2) for c in org.criteria},
                coached=first.criterion if first else None,
                coaching_worked=(first.effect > 0) if first else None,
                practised=practice.criterion if practice else None,
                practice_carried_over=practice.carried_over if practice else None,
            )
        )
    minutes = stats.minutes or [0.0]
    return DemoSummary(
        seed=org.config.seed,
        end=calendar.date_of(last_day),
        first_day=calendar.date_of(0),
        rubric_id=org.rubric_id,
        calls=len(org.call_plans),
        segments=stats.segments,
        minutes_median=round(statistics.median(minutes), 1),
        minutes_min=round(min(minutes), 1),
        minutes_max=round(max(minutes), 1),
        teams=teams,
        reps=reps,
        calls_by_type={t: sum(m.by_type[t] for m in months) for t in CALL_TYPES},
        months=months,
        deals=len(org.deals),
        deals_by_outcome={k: outcomes[k] for k in ("won", "lost", "open", "stalled")},
        win_rate=outcomes["won"] / closed if closed else None,
        lost_after_verbal=sum(
            1 for d in org.deals if d.outcome.value == "lost" and d.verbal_commit_date is not None
        ),
        won_amount=sum(d.amount or 0.0 for d in org.deals if d.outcome.value == "won"),
        open_pipeline=sum(d.amount or 0.0 for d in org.deals if d.outcome.value == "open"),
        accounts=len(org.accounts),
        activities=len(org.activities),
        quotas=len(org.quotas),
        calls_rated=len(rated_calls),
        ratings=len(org.ratings),
        raters=sorted({r.rater for r in org.ratings}),
        vague_criterion=org.vague_criterion,
        coaching=[
            CoachingLine(e.rep, e.criterion_id, e.coached_on, e.coach, e.note)
            for e in sorted(org.coaching, key=lambda e: (e.coached_on, e.rep))
        ],
        skills=skills,
        practice=[
            PracticeLine(
                rep=org.reps[p.rep_index].rep.name,
                criterion=p.criterion,
                assigned_by=p.assigned_by,
                assigned_on=calendar.date_of(p.assigned_day),
                first_session=calendar.date_of(p.first_day),
                sessions=len(p.sessions),
                attempts=sum(len(s.attempts) for s in p.sessions),
            )
            for p in org.practice
        ],
        short_transcripts=org.config.short_transcripts,
    )
