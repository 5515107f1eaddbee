"""Small, timed sales calls for the scoring tests, stored through the real repositories."""

from __future__ import annotations

from datetime import datetime, timedelta

from callcoach.domain.calls import Call, Rep, Segment, SpeakerRole
from callcoach.store.uow import Store

OPENINGS = [
    "Thanks for making time today. What made you take this call?",
    "Good to meet you. Before I show anything, how do orders reach you today?",
    "Hi, thanks for joining. Walk me through what happens when a new order comes in.",
]
PROBLEMS = [
    "We type every order into a spreadsheet and it takes most of Friday.",
    "Our reports are always late because two people copy the numbers by hand.",
    "Honestly it works, but we lose a few orders every month.",
]
FOLLOW_UPS = [
    "You said that takes most of Friday. What does that cost the team?",
    "Who else feels it when the report is late?",
    "Let me just show you the product and you can see for yourself.",
]
OBJECTIONS = [
    "It sounds expensive for a team our size.",
    "We are already talking to another vendor.",
    "I am not sure this is the right time for us.",
]
ANSWERS = [
    "That's fair. When you say expensive, is that compared to another quote or to your budget?",
    "Okay, I can knock twenty percent off if you sign this week.",
    "Apart from the timing, is there anything else that would stop you going ahead?",
]
CLOSES = [
    "Based on everything we covered, shall we get you started on the annual plan today?",
    "Anyway, have a think and let me know.",
    "Can we put thirty minutes in the calendar on Thursday with your CFO to sign off?",
]


def sales_call(index: int, rep: str = "Dana Ortiz", day: datetime | None = None) -> Call:
    """A timed call between a rep and a prospect; wording varies with `index`."""
    pick = lambda options, shift=0: options[(index + shift) % len(options)]  # noqa: E731
    lines = [
        (rep, SpeakerRole.REP, pick(OPENINGS)),
        ("Sam Lee", SpeakerRole.PROSPECT, pick(PROBLEMS, 1)),
        (rep, SpeakerRole.REP, pick(FOLLOW_UPS, 2)),
        (
            "Sam Lee",
            SpeakerRole.PROSPECT,
            "Probably a full day of work every week, across the team.",
        ),
        (rep, SpeakerRole.REP, "So each week of delay is roughly another day of manual work."),
        ("Sam Lee", SpeakerRole.PROSPECT, pick(OBJECTIONS, 1)),
        (rep, SpeakerRole.REP, pick(ANSWERS, index // 3)),
        ("Sam Lee", SpeakerRole.PROSPECT, "Compared to our budget, mostly."),
        (rep, SpeakerRole.REP, pick(CLOSES, index // 2)),
        ("Sam Lee", SpeakerRole.PROSPECT, "Let me check with my manager and come back to you."),
    ]
    segments = []
    clock = 0.0
    for number, (speaker, role, text) in enumerate(lines):
        length = 1.5 + len(text.split()) * 0.4
        segments.append(Segment(number, speaker, role, text, clock, clock + length))
        clock += length + 0.5
    return Call(
        external_id=f"call-{index:03d}",
        segments=segments,
        rep=rep,
        date=(day or datetime(2026, 9, 1, 10, 0)) + timedelta(days=index),
        account=f"Account {index % 4}",
    )


def short_call(index: int, rep: str = "Dana Ortiz") -> Call:
    """A call the rep barely speaks in: not scorable."""
    return Call(
        external_id=f"short-{index:03d}",
        segments=[
            Segment(0, rep, SpeakerRole.REP, "Hello?", 0.0, 1.0),
            Segment(1, "Sam Lee", SpeakerRole.PROSPECT, "Wrong number, sorry.", 1.0, 2.5),
        ],
        rep=rep,
        date=datetime(2026, 9, 1, 9, 0),
    )


def store_calls(store: Store, calls: list[Call], team: str | None = None) -> None:
    with store.unit_of_work() as uow:
        for call in calls:
            rep_id = None
            if call.rep:
                row, _ = uow.people.upsert_rep(Rep(name=call.rep, team=team))
                rep_id = row.id
            uow.calls.save(call, rep_id, None)


def add_template_rubric(store: Store, name: str = "one-call-close") -> None:
    from callcoach.services.rubrics.catalog import add_rubric_text, template_text

    add_rubric_text(store, template_text(name), f"template {name}")
