"""Deals and the calls that move them: each rep works a pipeline day by day.

Every call's true level per criterion is drawn around the rep's skill that day (ramp-up for new
reps, the effect of coaching, the call type, the rep's form that day). Whether a deal moves to
the next stage is then a logistic draw on the quality of its calls so far plus how well the
account fits, so better calls win more deals and outcome analysis has something real to find.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from callcoach.demo.accounts import Account, make_account
from callcoach.demo.model import (
    SUPPORTED_CRITERIA,
    CallPlan,
    DealPlan,
    RepProfile,
    WorkCalendar,
    sigmoid,
)

# How much each behaviour drives a deal forward (deliberately not the rubric's weights, so the
# outcome analysis can suggest different weights: value articulation barely matters here).
OUTCOME_DRIVERS = {
    "urgency_creation": 0.32,
    "close_attempt": 0.26,
    "objection_handling": 0.24,
    "discovery": 0.15,
    "value_articulation": 0.03,
}
QUALITY_SLOPE = 0.95
# A call type shifts what the rep shows a little: a closing call has less discovery in it.
TYPE_OFFSETS = {
    "discovery": {"discovery": 0.2, "close_attempt": -0.2},
    "demo": {"value_articulation": 0.2},
    "negotiation": {"objection_handling": 0.1},
    "closing": {"close_attempt": 0.2, "discovery": -0.3},
}
LEVEL_NOISE = 0.5
DAY_FORM_NOISE = 0.25
ADVANCE_BASE = {"discovery": 0.9, "demo": 0.5, "negotiation": 0.8, "closing": 0.2}
NEXT_TYPE = {"discovery": "demo", "demo": "negotiation", "negotiation": "closing"}
STAGE_OF = {
    "discovery": "Discovery",
    "demo": "Demo",
    "negotiation": "Negotiation",
    "closing": "Closing",
}
GAP_DAYS = {
    ("discovery", "demo"): (3, 9),
    ("demo", "demo"): (2, 6),
    ("demo", "negotiation"): (4, 10),
    ("negotiation", "negotiation"): (3, 7),
    ("negotiation", "closing"): (3, 8),
    ("closing", "closing"): (2, 6),
}
OBJECTION_WEIGHTS = {
    "discovery": {"status_quo": 4, "timing": 3, "competitor": 2, "price": 1},
    "demo": {"competitor": 3, "status_quo": 2, "price": 2, "timing": 2},
    "negotiation": {"price": 4, "authority": 3, "timing": 2, "competitor": 2},
    "closing": {"authority": 3, "price": 2, "timing": 2},
}
OBJECTION_COUNT = {"discovery": (1, 1), "demo": (1, 2), "negotiation": (2, 3), "closing": (1, 2)}
MINUTES = {"discovery": (8, 26), "demo": (12, 36), "negotiation": (8, 26), "closing": (5, 16)}
DISCOUNT_BY_HANDLING = {1: 0.22, 2: 0.12, 3: 0.06, 4: 0.03, 5: 0.0}
MAX_CALLS_PER_DAY = 6
STALE_AFTER_DAYS = 25  # an open deal with no call for this long is stalled


def call_quality(levels: dict[str, int]) -> float:
    """How much a call moves a deal: driver-weighted distance of its levels from 3."""
    return sum(weight * (levels[c] - 3) for c, weight in OUTCOME_DRIVERS.items())


@dataclass
class _Active:
    deal: DealPlan
    next_type: str
    next_due: int
    same_type_calls: int = 0
    qualities: tuple[float, ...] = ()
    calls: int = 0
    last_day: int | None = None
    done: bool = False  # no further calls: decided, lost or gone dark

    def score(self) -> float:
        if not self.qualities:
            return self.deal.fit
        return self.deal.fit + QUALITY_SLOPE * sum(self.qualities) / len(self.qualities)


@dataclass
class RepPipeline:
    """What one rep's simulation produced (call indexes are assigned later, globally)."""

    calls: list[CallPlan]
    deals: list[DealPlan]


class PipelineSimulator:
    """Simulates every rep's calls and deals; accounts are shared so their names stay unique."""

    def __init__(self, calendar: WorkCalendar, short: bool) -> None:
        self.calendar = calendar
        self.short = short
        self.accounts: list[Account] = []
        self._account_names: set[str] = set()
        self._deal_count = 0

    def _new_deal(self, profile: RepProfile, rng: random.Random, created_day: int) -> DealPlan:
        account = make_account(rng, self._account_names)
        self.accounts.append(account)
        deal = DealPlan(
            index=self._deal_count,
            rep_index=profile.index,
            account_index=len(self.accounts) - 1,
            created_day=created_day,
            fit=rng.gauss(0.0, 0.9),
        )
        self._deal_count += 1
        return deal

    def _slots(self, profile: RepProfile, budget: int, rng: random.Random) -> list[tuple[int, int]]:
        """(working day, minute of day) for each of the rep's calls, in time order."""
        first = max(0, profile.start_day + 10)  # two weeks of onboarding before calls
        first = min(first, self.calendar.days - 1)
        per_day: dict[int, list[int]] = {}
        for _ in range(budget):
            for _attempt in range(50):
                day = rng.randrange(first, self.calendar.days)
                if len(per_day.get(day, ())) < MAX_CALLS_PER_DAY:
                    break
            hours = per_day.setdefault(day, [])
            free = [h for h in range(9, 17) if h not in hours] or list(range(9, 17))
            hours.append(rng.choice(free))
        slots = []
        for day, hours in per_day.items():
            for hour in hours:
                slots.append((day, hour * 60 + rng.choice((0, 0, 0, 2, 5, 30, 32))))
        slots.sort()
        return slots

    def _levels(
        self, profile: RepProfile, call_type: str, day: int, rng: random.Random
    ) -> dict[str, int]:
        form = rng.gauss(0.0, DAY_FORM_NOISE)
        offsets = TYPE_OFFSETS[call_type]
        levels = {}
        for criterion in SUPPORTED_CRITERIA:
            latent = (
                profile.expected_level(criterion, day)
                + offsets.get(criterion, 0.0)
                + form
                + rng.gauss(0.0, LEVEL_NOISE)
            )
            levels[criterion] = min(5, max(1, round(latent)))
        return levels

    def _objections(self, account: Account, call_type: str, rng: random.Random) -> tuple[str, ...]:
        weights = dict(OBJECTION_WEIGHTS[call_type])
        if account.competitor is None:
            weights.pop("competitor", None)
        low, high = OBJECTION_COUNT[call_type]
        count = low if self.short else rng.randint(low, high)
        chosen: list[str] = []
        while len(chosen) < count and weights:
            kinds = list(weights)
            kind = rng.choices(kinds, weights=[weights[k] for k in kinds], k=1)[0]
            chosen.append(kind)
            del weights[kind]
        return tuple(chosen)

    def _minutes(self, call_type: str, rng: random.Random) -> float:
        if self.short:
            return rng.uniform(2.0, 4.0)
        if rng.random() < 0.08:  # a quick check-in
            return rng.uniform(5.0, 9.0)
        low, high = MINUTES[call_type]
        return rng.uniform(low, high)

    def _seed_pipeline(
        self, profile: RepProfile, rng: random.Random, first_slot: int
    ) -> list[_Active]:
        """Deals already in flight when the window opens (their earlier calls predate it)."""
        if profile.start_day + 10 > 0:
            return []
        active = []
        for _ in range(rng.randint(3, 5)):
            deal = self._new_deal(profile, rng, created_day=-rng.randint(5, 40))
            next_type = rng.choice(("demo", "demo", "negotiation", "closing"))
            deal.stage = STAGE_OF[next_type]
            active.append(_Active(deal, next_type, first_slot + rng.randint(0, 8)))
        return active

    def simulate(self, profile: RepProfile, budget: int, rng: random.Random) -> RepPipeline:
        slots = self._slots(profile, budget, rng)
        active = self._seed_pipeline(profile, rng, slots[0][0] if slots else 0)
        deals = [a.deal for a in active]
        calls: list[CallPlan] = []
        for day, minute in slots:
            due = [a for a in active if a.next_due <= day]
            if due:
                current = min(due, key=lambda a: (a.next_due, a.deal.index))
            else:
                current = _Active(self._new_deal(profile, rng, day), "discovery", day)
                active.append(current)
                deals.append(current.deal)
            call = self._call(profile, current, day, minute, rng)
            calls.append(call)
            if current.done:
                active.remove(current)
        for state in active:
            last = state.last_day
            if last is not None and self.calendar.days - 1 - last > STALE_AFTER_DAYS:
                state.deal.outcome = "stalled"
        return RepPipeline(calls=calls, deals=deals)

    def _call(
        self, profile: RepProfile, state: _Active, day: int, minute: int, rng: random.Random
    ) -> CallPlan:
        deal = state.deal
        call_type = state.next_type
        account = self.accounts[deal.account_index]
        levels = self._levels(profile, call_type, day, rng)
        state.qualities = (*state.qualities, call_quality(levels))
        call = CallPlan(
            index=-1,
            rep_index=profile.index,
            deal_index=deal.index,
            account_index=deal.account_index,
            call_type=call_type,
            day=day,
            minute=minute,
            nth_in_deal=state.calls,
            levels=levels,
            objections=self._objections(account, call_type, rng),
            result="advance",
            target_minutes=self._minutes(call_type, rng),
        )
        state.calls += 1
        state.last_day = day
        deal.stage = STAGE_OF[call_type]
        state.done = True  # until _decide schedules a next call
        self._decide(state, call, levels, rng)
        return call

    def _decide(
        self, state: _Active, call: CallPlan, levels: dict[str, int], rng: random.Random
    ) -> None:
        """What the call leads to, and when the deal's next call is due."""
        deal, call_type, day = state.deal, call.call_type, call.day
        score = state.score()
        if call_type == "closing":
            self._decide_close(state, call, levels, score, rng)
            return
        if rng.random() < sigmoid(ADVANCE_BASE[call_type] + score):
            repeat = call_type in ("demo", "negotiation") and state.same_type_calls == 0
            if repeat and rng.random() < 0.2:
                next_type = call_type  # a technical deep dive, a second pricing round
                state.same_type_calls += 1
            else:
                next_type = NEXT_TYPE[call_type]
                state.same_type_calls = 0
            call.result = "advance" if next_type != call_type else "continue"
            self._schedule(state, call_type, next_type, day, levels, rng)
            return
        if rng.random() < 0.68:
            call.result = "lost"
            deal.outcome = "lost"
            deal.close_day = day + rng.randint(0, 3)
            self._finish_in_window(deal)
        else:
            call.result = "dark"
            deal.outcome = "stalled"

    def _decide_close(
        self,
        state: _Active,
        call: CallPlan,
        levels: dict[str, int],
        score: float,
        rng: random.Random,
    ) -> None:
        deal, day = state.deal, call.day
        close_level = levels["close_attempt"]
        if rng.random() < sigmoid(ADVANCE_BASE["closing"] + score + 0.5 * (close_level - 3)):
            if close_level >= 3:
                # A verbal yes on the call; the signature (or the loss) comes later. Deals lost
                # after a verbal commit are likelier when the rep never made the date matter.
                call.result = "verbal_commit"
                deal.verbal_day = day
                deal.stage = "Verbal commit"
                slip = sigmoid(-1.7 - 0.6 * (levels["urgency_creation"] - 3) - 0.5 * deal.fit)
                deal.outcome = "lost" if rng.random() < slip else "won"
                deal.close_day = day + rng.randint(4, 15)
            else:
                call.result = "advance"  # the prospect moves on their own; no verbal on the call
                deal.outcome = "won"
                deal.close_day = day + rng.randint(3, 12)
            deal.discount = self._discount(deal, levels, rng)
            self._finish_in_window(deal)
            return
        roll = rng.random()
        if roll < 0.35 and state.same_type_calls < 2:
            call.result = "continue"
            state.same_type_calls += 1
            self._schedule(state, "closing", "closing", day, levels, rng)
        elif roll < 0.85:
            call.result = "lost"
            deal.outcome = "lost"
            deal.close_day = day + rng.randint(0, 3)
            self._finish_in_window(deal)
        else:
            call.result = "dark"
            deal.outcome = "stalled"

    def _discount(self, deal: DealPlan, levels: dict[str, int], rng: random.Random) -> float:
        return DISCOUNT_BY_HANDLING[levels["objection_handling"]] + rng.uniform(0.0, 0.03)

    def _finish_in_window(self, deal: DealPlan) -> None:
        """A decision that lands after the window's end has not happened yet: the deal is open."""
        if deal.close_day is not None and deal.close_day >= self.calendar.days:
            deal.outcome = "open"
            deal.close_day = None

    def _schedule(
        self,
        state: _Active,
        call_type: str,
        next_type: str,
        day: int,
        levels: dict[str, int],
        rng: random.Random,
    ) -> None:
        low, high = GAP_DAYS[(call_type, next_type)]
        # Without urgency, prospects take longer to come back.
        stretch = 1.0 + 0.2 * max(0, 3 - levels["urgency_creation"])
        state.done = False
        state.next_type = next_type
        state.next_due = day + max(1, round(rng.randint(low, high) * stretch))
        state.deal.stage = STAGE_OF[next_type]
