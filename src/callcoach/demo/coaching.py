"""Coaching events: who was coached on what, when, and whether it worked (the ground truth).

Several tenured reps are coached 2-3 months before the end of the window on their weakest
criterion. For most, the true level on that criterion rises by 0.7-1.0 for calls after the
session; for one or two it does not, and one of those is coached again a cycle later, still
without effect, so "change the coaching approach" has a case to flag.
"""

from __future__ import annotations

import random

from callcoach.demo.grammar import Phraser
from callcoach.demo.model import CoachingPlan, RepProfile, WorkCalendar
from callcoach.demo.people import is_ramping

NOTES = {
    "discovery": (
        "(Reviewed|Listened to) two calls where the pitch started in the first five minutes. "
        "(Practice|Agreed): three open questions and (one follow-up|a follow-up on the "
        "answer) before any demo, and summarise the problem back.",
        "(Role-played|Practised) discovery: (walk me through|tell me about) questions, then "
        "'what does that cost you' and 'who else feels it'. (Goal|Target): the prospect "
        "states the need before we pitch.",
    ),
    "urgency_creation": (
        "(Role-played|Practised) putting a number on waiting with the prospect's own figures "
        "(hours, rate, monthly cost), tied to their event. No more 'no rush'.",
        "(Reviewed|Went through) three calls that ended with 'whenever you're ready'. "
        "(Practice|Agreed): ask what waiting costs and work back from their date.",
    ),
    "objection_handling": (
        "(Worked on|Practised) acknowledge, ask what's behind it, answer with their numbers, "
        "confirm. (Drilled|Role-played) the price objection with 'compared to what?'.",
        "(Reviewed|Listened to) calls where objections got a stock reply or a discount. "
        "(Agreed|Practice): one question before any answer, and check it's resolved.",
    ),
    "close_attempt": (
        "(Practised|Role-played) asking for a dated next step at the end of every call "
        "instead of 'let me know'; handle the first no with a question.",
        "(Reviewed|Went through) calls that ended without an ask. (Agreed|Practice): "
        "summarise the value, ask for the decision with terms and a date.",
    ),
    "value_articulation": (
        "(Rewrote|Reworked) the demo talk track: one stated problem per screen, with the "
        "outcome and a customer number. No feature lists.",
        "(Practised|Role-played) building the business case in the prospect's own numbers "
        "and asking whether it solves their problem.",
    ),
}
GENERIC_NOTE = (
    "Reviewed recent calls together and agreed what to practise before the next cycle.",
)


def coaching_note(criterion: str, rng: random.Random) -> str:
    return Phraser(rng).pick(NOTES.get(criterion, GENERIC_NOTE))


def plan_coaching(
    reps: list[RepProfile], managers: list[str], calendar: WorkCalendar, rng: random.Random
) -> None:
    """Attach coaching plans to reps (mutates their profiles; the pipeline reads the effects).

    In the default org: three reps per team; the first manager's coaching works every time,
    the second's for one rep in three. Larger orgs coach about a third of tenured reps, each
    manager with their own success rate.
    """
    by_team: dict[int, list[RepProfile]] = {}
    for profile in reps:
        by_team.setdefault(profile.team_index, []).append(profile)
    for team_index, members in sorted(by_team.items()):
        day = calendar.days - 1 - rng.randint(43, 65)  # two to three months before the end
        eligible = [p for p in members if not is_ramping(p, day)]
        rng.shuffle(eligible)
        if len(reps) <= 12:
            chosen = eligible[:3]
            success_rate = 1.0 if team_index == 0 else 1 / 3
        else:
            chosen = eligible[: max(1, round(len(eligible) * 0.35))]
            success_rate = rng.uniform(0.45, 0.95)
        successes = round(len(chosen) * success_rate)
        coach = managers[team_index]
        for position, profile in enumerate(chosen):
            criterion = profile.weakest
            works = position < successes
            session_day = day + rng.randint(-4, 4)
            profile.coaching.append(
                CoachingPlan(
                    criterion=criterion,
                    day=session_day,
                    effect=rng.uniform(0.7, 1.0) if works else 0.0,
                    coach=coach,
                    note=coaching_note(criterion, rng),
                )
            )
            if not works and position == len(chosen) - 1:
                # Coached again a cycle later on the same criterion, still without effect.
                profile.coaching.append(
                    CoachingPlan(
                        criterion=criterion,
                        day=session_day + rng.randint(22, 28),
                        effect=0.0,
                        coach=coach,
                        note=coaching_note(criterion, rng),
                    )
                )
