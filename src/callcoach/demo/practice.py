"""Practice history: who practised what, when, at which level, and whether it carried over.

Issue 17 section 4: the demo org gets practice whose effect on later real calls is known. Most
tenured reps are assigned three practice sessions on their weakest criterion not already coached,
each session cut from one of their own low moments on a real call. For about three in five of
them practice carries over: their true level on that criterion rises by 0.7-1.0 on real calls
after the first session (taking hold over two weeks, as coaching does). For the others it does
not: they practise, their practice levels rise just the same, and their real calls do not move.
That is the case a manager must be able to tell apart, and only the real calls tell it.

How the effect is applied: deals and calls are simulated first (pipeline.py), then the practised
criterion's true level is raised on the calls after the first session. Deals are therefore
decided on the pre-practice levels. That is a simplification (one criterion on a few weeks of
calls barely moves a deal), and it keeps every deal, every other rep's calls and every other
criterion exactly as they were without practice, so the demo's other figures stand.

Ramping reps are left out: their skill rises anyway as they ramp, which would blur "practice
done, no change". The attempts' levels are the generator's choice (written into the attempt's
words, as a call's levels are); services/demo/practice.py stores them flagged as such.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from callcoach.demo.accounts import Account, Contact
from callcoach.demo.grammar import Phraser
from callcoach.demo.model import CallPlan, RepProfile, WorkCalendar
from callcoach.demo.people import is_ramping
from callcoach.demo.phrases import closing, common, discovery, objections, urgency, value
from callcoach.demo.scene import Cast, Scene, Turn
from callcoach.domain.calls import SpeakerRole

PRACTISING_SHARE = 0.75  # of the reps not ramping: most practise, some do not
CARRY_SHARE = 0.6  # of those who practise: for about three in five it carries over
EFFECT = (0.7, 1.0)  # the rise of the true level on real calls when it carries over
TAKES_HOLD_DAYS = 10  # working days: like coaching, practice takes hold over two weeks
CALLS_BEFORE = 10  # the 30-day loop compares 10 calls before with 10 after
CALLS_AFTER = 12  # the first session leaves at least this many of the rep's calls to come
LAST_START = 23  # working days before the end: the 30-day re-score falls inside the window
SESSIONS = 3  # the assignment: three sessions (domain.assignments.DEFAULT_SESSIONS)
DUE_DAYS = 12  # working days from assignment to due date
TURN_LIMIT = 6  # the scenario's turn limit (domain.practice.DEFAULT_TURN_LIMIT)
MIN_REP_TURNS = 2  # what the scorers need to judge an attempt (scoring.base.MIN_REP_TURNS)...
MIN_REP_WORDS = 25  # ...and a little over its 20 words
MAX_MOVES = 3


@dataclass(frozen=True)
class PracticeAttemptPlan:
    level: int  # the level the attempt is written at (the generator's choice)
    minute: int  # minute of the day it starts


@dataclass(frozen=True)
class PracticeSessionPlan:
    day: int  # working-day index
    attempts: tuple[PracticeAttemptPlan, ...]


@dataclass(frozen=True)
class PracticePlan:
    """One rep's practice on one criterion, and what it does to the truth."""

    rep_index: int
    criterion: str
    assigned_day: int
    due_day: int
    assigned_by: str  # the rep's manager
    source_call: int  # the call plan index the scenario is cut from (a low moment, before)
    sessions: tuple[PracticeSessionPlan, ...]
    effect: float  # added to the true level on real calls after the first session; 0: none

    @property
    def first_day(self) -> int:
        return self.sessions[0].day

    @property
    def carried_over(self) -> bool:
        return self.effect > 0

    def effect_on(self, day: int) -> float:
        if self.effect <= 0 or day <= self.first_day:
            return 0.0
        return self.effect * min(1.0, (day - self.first_day) / TAKES_HOLD_DAYS)


def _clamp(value: float) -> int:
    return min(5, max(1, round(value)))


def _first_day(mine: list[CallPlan], last_day: int, rng: random.Random) -> int | None:
    """The first session: after at least 10 of the rep's calls, with 12 or more still to come
    (fewer calls: halfway through them), and early enough for the 30-day re-score."""
    if len(mine) < 2:
        return None
    if len(mine) >= CALLS_BEFORE + CALLS_AFTER:
        position = max(CALLS_BEFORE, len(mine) - CALLS_AFTER - rng.randint(0, 2))
    else:
        position = len(mine) // 2
    day = min(mine[position - 1].day + 1, last_day - LAST_START)
    return day if day > mine[0].day else None


def _source_call(mine: list[CallPlan], criterion: str, before: int) -> CallPlan:
    """The rep's lowest moment on the criterion before practice (the most recent of the lowest)."""
    earlier = [p for p in mine if p.day < before] or mine[:1]
    return min(earlier, key=lambda p: (p.levels[criterion], -p.day, -p.minute))


def _sessions(
    profile: RepProfile, criterion: str, first: int, last_day: int, rng: random.Random
) -> tuple[PracticeSessionPlan, ...]:
    """Three sessions over about two weeks; most start with a retry. Practice levels climb with
    practice for everyone: they do not say whether it carries over."""
    base = profile.expected_level(criterion, first)
    days = [first, first + rng.randint(2, 4), first + rng.randint(5, 9)]
    sessions = []
    for number, day in enumerate(days):
        tries = 2 if rng.random() < 0.7 else 1
        minute = rng.randint(8 * 60, 17 * 60)
        attempts = []
        for attempt in range(tries):
            level = _clamp(base + 0.45 * number + 0.35 * attempt + rng.gauss(0.0, 0.35))
            attempts.append(PracticeAttemptPlan(level, minute))
            minute += rng.randint(4, 9)  # the retry follows the coach's debrief
        sessions.append(PracticeSessionPlan(min(day, last_day), tuple(attempts)))
    return tuple(sessions)


def plan_practice(
    reps: list[RepProfile],
    plans: list[CallPlan],
    managers: list[str],
    calendar: WorkCalendar,
    criteria: tuple[str, ...],
    rng: random.Random,
) -> list[PracticePlan]:
    """Who practises what and when (after the calls are simulated: sessions are placed between
    the rep's own calls). Deterministic for the seed's random stream."""
    last_day = calendar.days - 1
    by_rep: dict[int, list[CallPlan]] = {}
    for plan in plans:
        by_rep.setdefault(plan.rep_index, []).append(plan)
    candidates = [
        p
        for p in reps
        if not is_ramping(p, last_day - CALLS_AFTER * 4) and len(by_rep.get(p.index, ())) >= 2
    ]
    rng.shuffle(candidates)
    chosen = candidates[: round(len(candidates) * PRACTISING_SHARE)]
    carrying = round(len(chosen) * CARRY_SHARE)
    if len(chosen) >= 2:
        carrying = min(len(chosen) - 1, max(1, carrying))
    result = []
    for position, profile in enumerate(chosen):
        coached = {c.criterion for c in profile.coaching}
        open_criteria = [c for c in criteria if c not in coached] or list(criteria)
        criterion = min(open_criteria, key=lambda c: (profile.skills[c], c))
        mine = sorted(by_rep[profile.index], key=lambda p: (p.day, p.minute))
        first = _first_day(mine, last_day, rng)
        if first is None:
            continue
        assigned = max(0, first - rng.randint(1, 3))
        result.append(
            PracticePlan(
                rep_index=profile.index,
                criterion=criterion,
                assigned_day=assigned,
                due_day=min(last_day, assigned + DUE_DAYS),
                assigned_by=managers[profile.team_index],
                source_call=_source_call(mine, criterion, first).index,
                sessions=_sessions(profile, criterion, first, last_day, rng),
                effect=rng.uniform(*EFFECT) if position < carrying else 0.0,
            )
        )
    return sorted(result, key=lambda p: p.rep_index)


def apply_practice(plans: list[CallPlan], practice: list[PracticePlan], seed: int) -> None:
    """Raise the practised criterion's true level on the calls after the first session.

    A call's level is its latent skill rounded; where in its rounding interval the latent sat is
    drawn from the call's own stream, so adding the effect moves a level up by the right amount
    on average, and the same seed always gives the same levels.
    """
    carried = {p.rep_index: p for p in practice if p.carried_over}
    for plan in plans:
        practised = carried.get(plan.rep_index)
        if practised is None:
            continue
        effect = practised.effect_on(plan.day)
        level = plan.levels[practised.criterion]
        if effect <= 0 or level >= 5:
            continue
        position = random.Random(f"{seed}/practice/{plan.index}").random()
        plan.levels[practised.criterion] = _clamp(level - 0.5 + position + effect)


# The move each criterion is practised with: the same phrase banks real demo calls are written
# with, so a practice attempt at level 2 reads like a level-2 moment of a call.
def _move(scene: Scene, criterion: str, objection: str) -> None:
    if criterion == "discovery":
        discovery.discovery(scene, 2)
    elif criterion == "urgency_creation":
        urgency.urgency(scene)
    elif criterion == "objection_handling":
        objections.objection(scene, objection)
    elif criterion == "close_attempt":
        closing.close_attempt(scene)
    else:
        value.value(scene)


def attempt_turns(
    seed: int,
    rep: str,
    source: CallPlan,
    prospect: Contact,
    account: Account,
    criterion: str,
    level: int,
    key: str,
) -> list[Turn]:
    """One practice attempt's turns: the rep answers the scenario's prospect line at `level`.

    Written by the move the criterion is shown with on calls, with the source call's prospect
    and account (nothing from any other call); the move's own opening prospect lines are left out
    (the scenario's line at the moment stands for them), and the rep's lines stop at the turn
    limit."""
    rng = random.Random(f"{seed}/practice-attempt/{key}")
    slots: dict[str, Any] = dict(common.SHARED_SLOTS)
    slots.update(account.slots())
    slots["rep_first"] = rep.split()[0]
    scene = Scene(
        phraser=Phraser(rng, slots),
        cast=Cast(rep=rep, champion=prospect),
        account=account,
        call_type=source.call_type,
        levels={**source.levels, criterion: level},
        objections=source.objections,
        result=source.result,
        first_call=False,
        compact=True,
    )
    objection = source.objections[0] if source.objections else "price"
    turns: list[Turn] = []
    # The prospect presses the point again until the rep has said enough to be judged (the
    # scorer's rule: two turns and 20 words), as a real attempt runs a few exchanges.
    for _ in range(MAX_MOVES):
        _move(scene, criterion, objection)
        turns = list(scene.turns)
        while turns and turns[0].role is not SpeakerRole.REP:
            turns.pop(0)
        said = [t.text for t in turns if t.role is SpeakerRole.REP]
        if len(said) >= MIN_REP_TURNS and sum(len(t.split()) for t in said) >= MIN_REP_WORDS:
            break
    kept: list[Turn] = []
    spoken = 0
    for turn in turns:
        if turn.role is SpeakerRole.REP:
            if spoken == TURN_LIMIT:
                break
            spoken += 1
        kept.append(turn)
    return kept
