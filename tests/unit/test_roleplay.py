"""The offline persona: real replies, chosen for the turn being answered, kept consistent."""

from __future__ import annotations

import pytest

from callcoach.domain.calls import Call, Segment, SpeakerRole
from callcoach.roleplay.encoders import HashedWordEncoder
from callcoach.roleplay.engine import ReplyEngine, Scene, SessionTurn
from callcoach.roleplay.features import RANKED
from callcoach.roleplay.index import build_reply_index
from callcoach.roleplay.names import SceneNames
from callcoach.roleplay.parameters import RankingParameters
from callcoach.roleplay.persona import prospect_persona, rep_persona

REP, PROSPECT = SpeakerRole.REP, SpeakerRole.PROSPECT
ENCODE = HashedWordEncoder()
# The shipped weights are standardised for MiniLM's cosines (mean about 0.3); the hashed encoder's
# cosines sit near 0, so these tests rank with plain weights on the same features: what is tested
# here is the engine's mechanics. The shipped ranker is measured in bench/practice.py and run
# with MiniLM in tests/integration/test_roleplay_minilm.py.
UNIT_WEIGHTS = {
    "reply_prompt": 1.0,
    "mapped": 1.0,
    "neighbour_prompt": 1.0,
    "neighbour_context": 0.5,
    "reply_concern": 0.5,
    "own_repeat": -1.0,
    "reply_context": 0.5,
}
UNIT_PARAMETERS = RankingParameters(
    features=RANKED,
    means=(0.0,) * len(RANKED),
    scales=(1.0,) * len(RANKED),
    weights=tuple(UNIT_WEIGHTS.get(f, 0.0) for f in RANKED),
    intercept=0.0,
    ridge_alpha=1.0,
)


def call(
    call_id: str,
    exchanges: list[tuple[str, str]],
    *,
    account: str | None = None,
    rep: str = "Alex Morgan",
    contact: str = "Customer",
) -> Call:
    segments = []
    for rep_line, prospect_line in exchanges:
        segments.append(Segment(len(segments), rep, REP, rep_line))
        segments.append(Segment(len(segments), contact, PROSPECT, prospect_line))
    return Call(external_id=call_id, segments=segments, rep=rep, account=account)


OPENING = ("Thanks for making the time today.", "Sure, happy to talk.")
TOPICS = {
    "budget": [
        (
            "What budget have you set aside for this project?",
            "We set aside a modest budget this year.",
        ),
        (
            "Is there budget set aside for a project like this?",
            "The budget is set aside already, but it is modest.",
        ),
    ],
    "team": [
        (
            "How big is the team that would use the tool?",
            "The support team is small, mostly part-time agents.",
        ),
        (
            "Who on the team would use the tool every day?",
            "Mainly our support agents, a small team.",
        ),
    ],
    "timeline": [
        (
            "When would you want to go live with the rollout?",
            "We hope to go live before the holidays.",
        ),
        (
            "What timeline do you have in mind for the rollout?",
            "Ideally the rollout finishes before the holidays.",
        ),
    ],
    "competitor": [
        ("Which other vendors are you looking at?", "We are comparing two vendors at the moment."),
        (
            "Are you talking to other vendors as well?",
            "Yes, a couple of other vendors are in the running.",
        ),
    ],
}


def library() -> list[Call]:
    calls = []
    for topic, pairs in TOPICS.items():
        for i, pair in enumerate(pairs):
            calls.append(call(f"{topic}-{i}", [OPENING, pair]))
    return calls


def practise(engine: ReplyEngine, line: str, scene: Scene | None = None, **kw: int) -> str:
    chosen = engine.choose(scene or Scene(concern=""), [SessionTurn(REP, line)], **kw)
    assert chosen is not None
    return chosen.source.call_id


def test_the_reply_chosen_answered_a_rep_turn_like_the_practice_turn() -> None:
    engine = prospect_persona(library(), ENCODE, UNIT_PARAMETERS)
    assert practise(engine, "How much budget have you set aside?").startswith("budget-")
    assert practise(engine, "When do you plan to go live?").startswith("timeline-")
    assert practise(engine, "Which vendors are you comparing us with?").startswith("competitor-")


def test_ranked_replies_come_from_the_replying_role_with_where_they_came_from() -> None:
    engine = prospect_persona(library(), ENCODE, UNIT_PARAMETERS)
    ranked = engine.rank(Scene(concern=""), [SessionTurn(REP, "Who on your team would use it?")])
    assert ranked[0].candidate.call_id.startswith("team-")
    calls = {c.external_id: c for c in library()}
    for option in ranked:
        source = calls[option.candidate.call_id]
        assert all(source.segments[i].role is PROSPECT for i in option.candidate.segments)
    assert [o.score for o in ranked] == sorted((o.score for o in ranked), reverse=True)


def other_account_library() -> list[Call]:
    calls = library()
    calls.append(
        call(
            "northwind",
            [
                OPENING,
                (
                    "What are you using for reporting today?",
                    "At Northwind Traders we report from spreadsheets every week.",
                ),
            ],
            account="Northwind Traders",
            contact="Priya Shah",
        )
    )
    return calls


def test_a_reply_naming_another_account_is_adapted_to_the_scenario_account() -> None:
    engine = prospect_persona(other_account_library(), ENCODE, UNIT_PARAMETERS)
    scene = Scene(concern="", names=SceneNames(account="Contoso Ltd", persona="Dana Reyes"))
    chosen = engine.choose(scene, [SessionTurn(REP, "What do you use for reporting today?")])
    assert chosen is not None and chosen.source.call_id == "northwind"
    assert chosen.text == "At Contoso Ltd we report from spreadsheets every week."
    assert chosen.replacements == (("Northwind Traders", "Contoso Ltd"),)
    assert "Northwind" not in chosen.text


def test_a_reply_naming_another_account_is_not_used_when_it_cannot_be_adapted() -> None:
    engine = prospect_persona(other_account_library(), ENCODE, UNIT_PARAMETERS)
    chosen = engine.choose(Scene(concern=""), [SessionTurn(REP, "What do you use for reporting?")])
    assert chosen is not None
    assert chosen.source.call_id != "northwind"
    assert "Northwind" not in chosen.text
    assert chosen.passed_over["names another call's account or person"] >= 1


def test_a_known_person_of_another_call_is_replaced_by_their_first_name_counterpart() -> None:
    calls = library()
    calls.append(
        call(
            "globex",
            [OPENING, ("Who signs off on the purchase?", "Priya signs off, she runs finance.")],
            account="Globex",
            contact="Priya Shah",
        )
    )
    engine = prospect_persona(calls, ENCODE, UNIT_PARAMETERS)
    scene = Scene(concern="", names=SceneNames(account="Contoso", persona="Dana Reyes"))
    chosen = engine.choose(scene, [SessionTurn(REP, "Who signs off on a purchase like this?")])
    assert chosen is not None and chosen.source.call_id == "globex"
    assert chosen.text == "Dana signs off, she runs finance."


def test_an_unknown_name_in_mid_sentence_keeps_the_reply_out() -> None:
    calls = library()
    calls.append(
        call(
            "unknown-name",
            [
                OPENING,
                ("Who else should join the next call?", "I would bring Marguerite from legal."),
            ],
        )
    )
    engine = prospect_persona(calls, ENCODE, UNIT_PARAMETERS)
    chosen = engine.choose(Scene(concern=""), [SessionTurn(REP, "Who else should join the call?")])
    assert chosen is None or "Marguerite" not in chosen.text
    # ...unless the scenario itself already names her.
    scene = Scene(concern="", context=((PROSPECT, "Marguerite from legal reviews contracts."),))
    chosen = engine.choose(scene, [SessionTurn(REP, "Who else should join the call?")])
    assert chosen is not None and chosen.text == "I would bring Marguerite from legal."


def test_no_reply_is_repeated_in_a_session() -> None:
    engine = prospect_persona(library(), ENCODE, UNIT_PARAMETERS)
    session = [SessionTurn(REP, "What budget have you set aside?")]
    said: list[str] = []
    for _ in range(3):
        chosen = engine.choose(Scene(concern=""), session)
        assert chosen is not None
        assert chosen.text not in said
        said.append(chosen.text)
        session = [
            *session,
            SessionTurn(PROSPECT, chosen.text, chosen.source),
            SessionTurn(REP, "What budget have you set aside?"),
        ]
    assert len(set(said)) == 3


def test_a_reply_contradicting_a_number_already_given_is_not_used() -> None:
    calls = library()
    calls.append(
        call(
            "seats-45",
            [OPENING, ("How many seats would you need?", "All 45 people would need a seat.")],
        )
    )
    calls.append(
        call(
            "seats-few",
            [OPENING, ("How many seats do you need?", "Only the managers would need a seat.")],
        )
    )
    engine = prospect_persona(calls, ENCODE, UNIT_PARAMETERS)
    scene = Scene(
        concern="We have 20 people in the team.", own_lines=("We have 20 people in the team.",)
    )
    chosen = engine.choose(scene, [SessionTurn(REP, "How many seats would you need?")])
    assert chosen is not None and "45" not in chosen.text
    assert chosen.passed_over.get("contradicts a number already given", 0) >= 1
    free = engine.choose(Scene(concern=""), [SessionTurn(REP, "How many seats would you need?")])
    assert free is not None and free.source.call_id == "seats-45"


PUSH_BACK = [
    "That price is too high for us, we cannot justify it.",
    "Honestly it is too expensive and we cannot justify the cost.",
    "We cannot justify that price, it is too high.",
]
CONCEDE = [
    "That sounds fair, let us go ahead with it.",
    "Fair enough, we can go ahead at that level.",
    "Sounds good, go ahead and send the paperwork.",
]


def pricing_library() -> tuple[list[Call], dict[str, bool]]:
    calls, outcomes = [], {}
    for i in range(12):
        for kind, replies, won in (("lost", PUSH_BACK, False), ("won", CONCEDE, True)):
            call_id = f"{kind}-{i}"
            ask = ["The annual licence is twelve thousand.", "Pricing is twelve thousand a year."][
                i % 2
            ]
            calls.append(call(call_id, [OPENING, (ask, replies[i % 3])]))
            outcomes[call_id] = won
    return calls, outcomes


def test_difficulty_moves_the_choice_between_push_back_and_concession() -> None:
    calls, outcomes = pricing_library()
    engine = prospect_persona(calls, ENCODE, UNIT_PARAMETERS, outcomes=outcomes)
    assert engine.difficulty_available
    turn = [SessionTurn(REP, "The licence is twelve thousand a year.")]
    hard = engine.choose(Scene(concern=""), turn, difficulty=3)
    easy = engine.choose(Scene(concern=""), turn, difficulty=1)
    assert hard is not None and hard.source.call_id.startswith("lost-")
    assert easy is not None and easy.source.call_id.startswith("won-")
    assert hard.resistance > easy.resistance


def test_without_known_outcomes_difficulty_changes_nothing_and_says_so() -> None:
    calls, _ = pricing_library()
    engine = prospect_persona(calls, ENCODE, UNIT_PARAMETERS)
    assert not engine.difficulty_available
    turn = [SessionTurn(REP, "The licence is twelve thousand a year.")]
    picks = {engine.choose(Scene(concern=""), turn, difficulty=d).source for d in (1, 2, 3)}  # type: ignore[union-attr]
    assert len(picks) == 1


def test_a_persona_of_a_rep_answers_with_that_reps_own_turns() -> None:
    calls = [
        call(
            "sam-1",
            [("Hello, thanks for joining.", "Your price is far too high for us.")],
            rep="Sam Lee",
        ),
        call(
            "sam-2",
            [("Good to see you again.", "Why should we pay more than for your rival?")],
            rep="Sam Lee",
        ),
        call("kim-1", [("Hi there.", "Your price is too high.")], rep="Kim Park"),
    ]
    # In each call the prospect pushes back and the rep answers; give the reps their answers.
    answers = {
        "sam-1": "I hear you, let me show where the price pays for itself.",
        "sam-2": "Fair question, the difference is the onboarding we include.",
        "kim-1": "We can drop the price if you sign today.",
    }
    for c in calls:
        c.segments.append(Segment(len(c.segments), c.rep or "", REP, answers[c.external_id]))
    engine = rep_persona(calls, "Sam Lee", ENCODE, UNIT_PARAMETERS)
    assert engine.reply_as is REP and not engine.difficulty_available
    manager = [
        SessionTurn(SpeakerRole.OTHER, "The customer said the price is too high. What do you say?")
    ]
    chosen = engine.choose(Scene(concern=""), manager)
    assert chosen is not None
    assert chosen.original == answers["sam-1"]
    assert chosen.source.call_id.startswith("sam-")
    with pytest.raises(ValueError, match="no calls of rep"):
        rep_persona(calls, "Nobody", ENCODE)


def test_bad_input_is_refused_with_a_reason() -> None:
    engine = prospect_persona(library(), ENCODE, UNIT_PARAMETERS)
    with pytest.raises(ValueError, match="empty"):
        engine.choose(Scene(concern=""), [SessionTurn(REP, "   ")])
    with pytest.raises(ValueError, match="difficulty"):
        engine.choose(Scene(concern=""), [SessionTurn(REP, "Hello")], difficulty=4)
    with pytest.raises(ValueError, match="answers a turn of the other side"):
        engine.choose(Scene(concern=""), [SessionTurn(PROSPECT, "Hello")])
    with pytest.raises(ValueError, match="index is empty"):
        ReplyEngine(build_reply_index([], ENCODE), UNIT_PARAMETERS)
