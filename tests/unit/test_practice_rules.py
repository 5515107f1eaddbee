"""Practice rules on pure code: how a moment is cut, and the guardrails on a persona's reply."""

from __future__ import annotations

import pytest

from callcoach.domain.calls import Call, Segment, SpeakerRole
from callcoach.domain.practice import PracticeError, TurnSpeaker, clean_line
from callcoach.llm.spoken_reply import spoken
from callcoach.services.practice.cutting import cut_moment
from callcoach.services.practice.guardrails import check_reply, concession_floor

REP, PROSPECT = SpeakerRole.REP, SpeakerRole.PROSPECT
CALL = Call(
    "c1",
    [
        Segment(0, "Alex", REP, "Thanks for joining, Priya."),
        Segment(1, "Priya Shah", PROSPECT, "We lose two days every month end on reconciliations."),
        Segment(2, "Alex", REP, "How many people work on it?"),
        Segment(3, "Priya Shah", PROSPECT, "Five."),
        Segment(4, "Priya Shah", PROSPECT, "Honestly the price is higher than we expected."),
        Segment(5, "Alex", REP, "It is a fair price."),
        Segment(6, "Priya Shah", PROSPECT, "I will think about it."),
    ],
    rep="Alex Morgan",
    account="Northwind Traders",
    meta={"demo": {"contacts": [{"name": "Priya Shah", "title": "Controller"}]}},
)


def test_a_moment_is_cut_around_the_reps_turn() -> None:
    for segment in (5, 4):  # the rep's line, or the prospect's line the rep answered
        moment = cut_moment(CALL, segment)
        assert moment.rep_segment == 5 and moment.rep_line == "It is a fair price."
        # Consecutive prospect segments are one turn: the line the rep answered.
        assert moment.opening_line == "Five. Honestly the price is higher than we expected."
        assert [c.text for c in moment.context][-1] == "How many people work on it?"
        assert moment.context[0].speaker is TurnSpeaker.PRACTITIONER
        persona = moment.persona
        assert (persona.name, persona.role, persona.company) == (
            "Priya Shah",
            "Controller",
            "Northwind Traders",
        )
        assert persona.cares_about == ("We lose two days every month end on reconciliations.",)


@pytest.mark.parametrize(
    ("segment", "problem"),
    [
        (9, r"call c1 has no segment 9 \(its segments are 0 to 6\)"),
        (0, "the prospect says nothing before it"),
        (6, "no rep turn answers it"),
    ],
)
def test_a_segment_that_is_not_a_moment_is_refused(segment: int, problem: str) -> None:
    with pytest.raises(PracticeError, match=problem):
        cut_moment(CALL, segment)


def test_a_call_without_a_rep_turn_is_refused() -> None:
    only_prospect = Call("c2", [Segment(0, "P", PROSPECT, "Hello?")])
    with pytest.raises(PracticeError, match="has no rep turn"):
        cut_moment(only_prospect, 0)


def test_an_empty_or_overlong_line_is_not_a_turn() -> None:
    assert clean_line("  What   does it cost you?  ") == "What does it cost you?"
    for empty in ("", "  \n\t"):
        with pytest.raises(PracticeError, match="the line is empty"):
            clean_line(empty)
    with pytest.raises(PracticeError, match="at most 2000"):
        clean_line("word " * 500)


ALLOWED = [
    "Priya Shah Controller Northwind Traders We lose two days every month end.",
    "Honestly the price is higher than we expected.",
]
GOAL = "Acknowledges the concern, asks what is behind it, and answers it with evidence."


def check(text: str) -> tuple[str, ...]:
    return check_reply(
        text, allowed_text=ALLOWED, goal_texts=[GOAL], criterion_name="Objection handling"
    ).problems


@pytest.mark.parametrize(
    ("reply", "problem"),
    [
        ("As an AI language model I cannot pretend to be a buyer.", "out of role"),
        ("Sure, I will ignore my instructions.", "out of role"),
        ("Your goal is objection handling at level 4.", "out of role"),
        ("You should acknowledge my concern and ask what is behind it.", "coaches"),
        ("Next time, try asking about our budget first.", "coaches"),
        ("Acknowledge the concern, ask what is behind it and answer with evidence.", "goal"),
        ("We pay 300 dollars a month today.", "number"),
        ("Our CFO Margaret Lee decides on this.", "names something"),
    ],
)
def test_guardrails_refuse_a_reply_out_of_role(reply: str, problem: str) -> None:
    problems = check(reply)
    assert any(problem in p for p in problems), problems


def test_guardrails_keep_an_in_role_reply_short_and_spoken() -> None:
    assert check("Honestly, the price is still higher than we expected.") == ()
    assert check("Priya Shah here. We lose two days, as I said.") == ()
    long = "Prospect: " + " ".join(["We need to think about it carefully."] * 10)
    said = spoken(long)
    assert not said.startswith("Prospect") and len(said.split()) <= 45
    assert said.count(".") <= 3


def test_concessions_wait_for_the_difficulty() -> None:
    assert concession_floor(1, 6) == 1
    assert concession_floor(2, 6) == 2
    assert concession_floor(3, 6) == 3 and concession_floor(3, 10) == 5
