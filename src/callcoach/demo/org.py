"""The whole demo org from a seed: people, pipeline, activity, ratings and coaching.

`generate_org` decides everything except the words (fast, even for 100k calls); transcripts are
written on demand by `DemoOrg.call(i)` / `DemoOrg.calls()`, each from its own random stream, so
an importer can stream them in batches and the same seed always gives the same text.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, time

from callcoach.demo.accounts import Account
from callcoach.demo.activity import activities, quotas
from callcoach.demo.coaching import plan_coaching
from callcoach.demo.grammar import pick_one
from callcoach.demo.model import (
    SUPPORTED_CRITERIA,
    CallPlan,
    DealPlan,
    DemoConfig,
    DemoConfigError,
    RepProfile,
    WorkCalendar,
)
from callcoach.demo.names import FIRST_NAMES, LAST_NAMES
from callcoach.demo.people import make_org
from callcoach.demo.pipeline import PipelineSimulator
from callcoach.demo.practice import PracticePlan, apply_practice, plan_practice
from callcoach.demo.ratings import rate_calls, rater_pairs, vague_criterion
from callcoach.demo.transcripts import CallContext, write_call
from callcoach.domain.calls import Activity, Call, Deal, DealOutcome, Quota, Team
from callcoach.domain.scores import CoachingEvent, HumanRating

CLOSED_STAGES = {"won": "Closed Won", "lost": "Closed Lost"}


@dataclass
class DemoOrg:
    config: DemoConfig
    calendar: WorkCalendar
    rubric_id: str
    criteria: tuple[str, ...]
    teams: list[Team]
    managers: list[str]
    engineers: list[str]  # one solutions engineer per team
    reps: list[RepProfile]
    accounts: list[Account]
    deal_plans: list[DealPlan]
    call_plans: list[CallPlan]  # in time order; plan.index is the position
    deals: list[Deal] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    quotas: list[Quota] = field(default_factory=list)
    ratings: list[HumanRating] = field(default_factory=list)
    coaching: list[CoachingEvent] = field(default_factory=list)
    practice: list[PracticePlan] = field(default_factory=list)  # with its truth (demo/practice.py)
    vague_criterion: str = ""
    # Calls already written (those the managers rated), reused when the importer streams them.
    written: dict[int, Call] = field(default_factory=dict, repr=False)

    def when(self, plan: CallPlan) -> datetime:
        return self.calendar.at(plan.day, plan.minute)

    def call(self, index: int) -> Call:
        """Write call `index` (its transcript, timing and ground truth)."""
        if index in self.written:
            return self.written[index]
        plan = self.call_plans[index]
        profile = self.reps[plan.rep_index]
        context = CallContext(
            seed=self.config.seed,
            profile=profile,
            account=self.accounts[plan.account_index],
            engineer=self.engineers[profile.team_index],
            short=self.config.short_transcripts,
        )
        deal = self.deal_plans[plan.deal_index]
        return write_call(plan, context, self.when(plan), deal.external_id, self.criteria)

    def calls(self, start: int = 0, stop: int | None = None) -> Iterator[Call]:
        for index in range(start, len(self.call_plans) if stop is None else stop):
            yield self.call(index)


def _budgets(reps: list[RepProfile], total: int, calendar: WorkCalendar) -> list[int]:
    """Calls per rep: proportional to days on the phone and call volume, summing to `total`."""
    weights = [p.call_share * max(1, calendar.days - max(0, p.start_day + 10)) for p in reps]
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    budgets = [max(1, int(r)) for r in raw]
    remainders = sorted(range(len(reps)), key=lambda i: (raw[i] - int(raw[i]), -i), reverse=True)
    position = 0
    while sum(budgets) < total:
        budgets[remainders[position % len(reps)]] += 1
        position += 1
    while sum(budgets) > total:
        largest = max(range(len(reps)), key=lambda i: budgets[i])
        budgets[largest] -= 1
    return budgets


def _deal(
    plan: DealPlan, reps: list[RepProfile], accounts: list[Account], calendar: WorkCalendar
) -> tuple[Deal, float]:
    account = accounts[plan.account_index]
    amount = float(account.annual_value)
    if plan.outcome == "won":
        amount = round(amount * (1 - plan.discount), -2)
    stage = CLOSED_STAGES.get(plan.outcome, plan.stage)
    return (
        Deal(
            external_id=plan.external_id,
            account=account.name,
            amount=amount,
            stage=stage,
            outcome=DealOutcome(plan.outcome),
            created_date=calendar.date_of(plan.created_day),
            close_date=calendar.date_of(plan.close_day) if plan.close_day is not None else None,
            verbal_commit_date=calendar.date_of(plan.verbal_day)
            if plan.verbal_day is not None
            else None,
            rep=reps[plan.rep_index].rep.name,
            name=f"{account.name} - {account.pain.module} annual",
        ),
        amount,
    )


def generate_org(
    config: DemoConfig,
    criteria: tuple[str, ...] = SUPPORTED_CRITERIA,
    rubric_id: str = "one-call-close",
    weights: dict[str, float] | None = None,
) -> DemoOrg:
    """Everything about the demo org except the transcripts' words, from `config.seed`."""
    config.check()
    unknown = [c for c in criteria if c not in SUPPORTED_CRITERIA]
    if unknown:
        raise DemoConfigError(
            f"rubric {rubric_id!r} has criteria the demo cannot act out: {', '.join(unknown)} "
            f"(the demo speaks {', '.join(SUPPORTED_CRITERIA)})"
        )
    seed = config.seed
    calendar = WorkCalendar.for_months(config.end, config.months)
    teams, managers, reps = make_org(config, calendar, random.Random(f"{seed}/org"))
    taken = {p.rep.name for p in reps} | set(managers)
    engineers_rng = random.Random(f"{seed}/engineers")
    engineers = []
    for _ in teams:
        name = f"{pick_one(engineers_rng, FIRST_NAMES)} {pick_one(engineers_rng, LAST_NAMES)}"
        while name in taken:
            name = f"{pick_one(engineers_rng, FIRST_NAMES)} {pick_one(engineers_rng, LAST_NAMES)}"
        taken.add(name)
        engineers.append(name)
    plan_coaching(reps, managers, calendar, random.Random(f"{seed}/coaching"))

    simulator = PipelineSimulator(calendar, config.short_transcripts)
    plans: list[CallPlan] = []
    deal_plans: list[DealPlan] = []
    for profile, budget in zip(reps, _budgets(reps, config.calls, calendar), strict=True):
        result = simulator.simulate(profile, budget, random.Random(f"{seed}/rep/{profile.index}"))
        plans.extend(result.calls)
        deal_plans.extend(result.deals)
    plans.sort(key=lambda p: (p.day, p.minute, p.rep_index))
    deal_plans.sort(key=lambda d: d.index)
    for index, plan in enumerate(plans):
        plan.index = index
        deal_plans[plan.deal_index].calls.append(index)

    org = DemoOrg(
        config=config,
        calendar=calendar,
        rubric_id=rubric_id,
        criteria=criteria,
        teams=teams,
        managers=managers,
        engineers=engineers,
        reps=reps,
        accounts=simulator.accounts,
        deal_plans=deal_plans,
        call_plans=plans,
    )
    amounts = []
    for deal_plan in deal_plans:
        deal, amount = _deal(deal_plan, reps, simulator.accounts, calendar)
        org.deals.append(deal)
        amounts.append(amount)
    org.activities = activities(reps, plans, calendar, random.Random(f"{seed}/activity"))
    org.quotas = quotas(reps, deal_plans, calendar, amounts)
    org.coaching = [
        CoachingEvent(
            rep=profile.rep.name,
            criterion_id=plan.criterion,
            rubric_id=rubric_id,
            coached_on=calendar.date_of(plan.day),
            note=plan.note,
            coach=plan.coach,
        )
        for profile in reps
        for plan in profile.coaching
        if plan.criterion in criteria
    ]
    # Practice is placed between each rep's simulated calls, and raises the true level of the
    # calls after it where it carries over; before the ratings, which rate the true levels.
    org.practice = plan_practice(
        reps, plans, managers, calendar, criteria, random.Random(f"{seed}/practice")
    )
    apply_practice(plans, org.practice, seed)
    org.vague_criterion = vague_criterion(criteria, weights or {})
    team_reps: dict[int, list[int]] = {}
    for profile in reps:
        team_reps.setdefault(profile.team_index, []).append(profile.index)
    org.ratings = rate_calls(
        plans,
        rater_pairs(managers, team_reps),
        criteria,
        org.vague_criterion,
        rubric_id,
        org.when,
        lambda plan: org.written.setdefault(plan.index, org.call(plan.index)),
        random.Random(f"{seed}/ratings"),
        recent_from=calendar.days // 2,
        latest=datetime.combine(config.end, time(18, 0)),
    )
    return org
