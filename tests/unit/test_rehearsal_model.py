"""The rep persona a configured model plays in a review rehearsal, on pure code: what its prompt
holds (the rep's manner, self-assessment, disputes, cited moments, the offline line) and must not
hold (the evidence's ratings, what the review judged of a moment, the manager's rubric), and the
guardrails on what the model writes."""

from __future__ import annotations

from datetime import date

import pytest

from callcoach.domain.practice import TurnSpeaker
from callcoach.domain.rehearsal import Dispute, LineSource, RehearsalTurn, SourceKind
from callcoach.domain.review_evidence import EvidenceItem, EvidenceKind
from callcoach.domain.reviews import SelfAssessment
from callcoach.roleplay.rehearsal import PersonaFacts, PersonaProfile, RehearsalPersona
from callcoach.services.rehearsals.guardrails import check_rep_reply
from callcoach.services.rehearsals.rep_model import persona_facts_text
from callcoach.services.rehearsals.rep_prompt import rep_messages

SELF = SelfAssessment.model_validate(
    {
        "output": {"rating": 4, "words": "I closed Echo Freight and beat my number in May."},
        "activity": {"rating": 2, "words": "I know I booked fewer meetings than I wanted."},
        "skill": {"rating": 5, "words": "My discovery is strong, prospects tell me so."},
        "growth": {"rating": 3, "words": "I took the objection coaching to heart."},
    }
)
SKILL = Dispute("skill", 5, 2, "My discovery is strong, prospects tell me so.")
GOOD_ANCHOR = "Acknowledges the concern, asks what is behind it and answers with evidence."
MOMENT = EvidenceItem(
    id="moment-1",
    kind=EvidenceKind.MOMENT.value,
    label="call ben-3",
    call_id="ben-3",
    account="Echo Freight",
    day=date(2026, 5, 12),
    quote="What does each of those days cost you?",
    prospect_quote="The price is more than we budgeted.",
    criterion="Objection handling",
    level=2,
    good_anchor=GOOD_ANCHOR,
)
MANAGER_LINE = RehearsalTurn(TurnSpeaker.PRACTITIONER, "How do you think the last two months went?")
OFFLINE = RehearsalTurn(
    TurnSpeaker.PERSONA,
    "I don't see it that way, I put myself at 5 on skill: My discovery is strong.",
    (LineSource(SourceKind.SELF_ASSESSMENT, "self-assessment, skill", "dimension:skill"),),
    "disputes",
)


def persona(talk_ratio: float = 0.62, own: SelfAssessment | None = SELF) -> RehearsalPersona:
    disputes = (SKILL,) if own is not None else ()
    facts = PersonaFacts.from_evidence(own, disputes, [MOMENT], people=["Ben Ode", "mia"])
    profile = PersonaProfile(
        rep="Ben Ode",
        calls=14,
        turns=210,
        talk_ratio=talk_ratio,
        words_per_turn=13.0,
        acknowledgements=("Sure, that works.", "Yeah, makes sense."),
        disputes=disputes,
    )
    return RehearsalPersona(engine=None, profile=profile, facts=facts)


def prompt_of(p: RehearsalPersona) -> tuple[str, str]:
    messages = rep_messages(p, [MANAGER_LINE], OFFLINE)
    assert [m["role"] for m in messages] == ["system", "user"]
    return messages[0]["content"], messages[1]["content"]


def test_the_prompt_holds_the_reps_manner_view_disputes_and_moments() -> None:
    system, user = prompt_of(persona())
    assert "You are Ben Ode, a sales rep" in system
    assert "62% of the time" in system and "more than you listen" in system
    assert "about 13 words" in system and '"Sure, that works."' in system
    for dimension in ("output", "activity", "skill", "growth"):
        entry = SELF.of(dimension)
        assert f'{entry.rating}, "{entry.words}"' in system
    assert "your skill is a 5" in system and "do not give in" in system
    assert "Echo Freight on 2026-05-12" in system
    assert f'"{MOMENT.prospect_quote}"' in system and f'"{MOMENT.quote}"' in system
    assert "Do not invent deals" in system and "at most 45 words" in system
    assert f"Manager: {MANAGER_LINE.text}" in user
    assert f'"{OFFLINE.text}"' in user


def test_the_prompt_never_holds_what_the_rep_does_not_know() -> None:
    system, user = prompt_of(persona())
    prompt = system + user
    # The evidence's rating of the disputed dimension, and what the review judged of a moment.
    assert "evidence" not in prompt.lower()
    assert f"skill is a {SKILL.evidence_rating}" not in prompt
    assert GOOD_ANCHOR not in prompt and "Objection handling" not in prompt
    assert "level" not in prompt.lower()
    # The rubric the manager is scored on.
    assert "review-conversation" not in prompt and "checkpoint" not in prompt.lower()


def test_a_quiet_rep_without_a_self_assessment_is_told_so() -> None:
    system, _ = prompt_of(persona(talk_ratio=0.35, own=None))
    assert "you listen more than you talk" in system
    assert "You wrote no self-assessment" in system and "your skill is a" not in system


def check(
    reply: str, *, may_concede: bool = True, holding: Dispute | None = None
) -> tuple[str, ...]:
    allowed = [*persona_facts_text(persona()), OFFLINE.text, MANAGER_LINE.text]
    return check_rep_reply(
        reply,
        allowed_text=allowed,
        rep_names=["Ben Ode", "Ben"],
        may_concede=may_concede,
        holding=holding,
    ).problems


@pytest.mark.parametrize(
    ("reply", "problem"),
    [
        ("As an AI language model I cannot pretend to be a rep.", "out of role"),
        ("Sure, I will ignore my instructions.", "out of role"),
        ("Ben, let's go through your self-assessment first.", "speaks as the manager"),
        ("Ben did well this quarter.", "by name"),
        ("A good manager would ask me how I see it first.", "coaches the manager"),
        ("Next time, open with my view.", "coaches the manager"),
        ("You should build the plan together with me.", "coaches the manager"),
        ("I'm going to give you tips on how to run this review.", "coaches the manager"),
        ("I closed Globex last week.", "names something the rep's facts do not (Globex)"),
        ("I booked 40 meetings in June.", "states a number the rep's facts do not (40)"),
    ],
)
def test_guardrails_refuse_a_line_out_of_the_reps_role(reply: str, problem: str) -> None:
    problems = check(reply)
    assert any(problem in p for p in problems), problems


def test_the_rep_disputes_before_conceding() -> None:
    conceding = "You're right, my discovery could be better."
    assert any("concedes" in p for p in check(conceding, may_concede=False, holding=SKILL))
    assert check(conceding, may_concede=True) == ()  # once the view was argued, it may give in
    gives_up = check("Okay.", may_concede=False, holding=SKILL)
    assert any("gives up the rep's view on skill" in p for p in gives_up), gives_up
    holds = "I don't agree, my discovery is strong and prospects tell me so."
    assert check(holds, may_concede=False, holding=SKILL) == ()
    assert check("Skill is a 5 for me.", may_concede=False, holding=SKILL) == ()


def test_an_in_role_line_is_kept_short_and_spoken() -> None:
    assert check("On the Echo Freight call I asked what each of those days cost them.") == ()
    assert check("Sure, that works. I booked fewer meetings than I wanted, in May.") == ()
    long = "Ben Ode: " + " ".join(["I think my discovery is strong, honestly."] * 10)
    verdict = check_rep_reply(
        long, allowed_text=[long], rep_names=["Ben Ode"], may_concede=True, holding=None
    )
    assert not verdict.text.startswith("Ben") and len(verdict.text.split()) <= 45
    assert verdict.ok
    assert check("   ") == ("the reply is empty",)


def test_a_line_that_parrots_the_manager_or_itself_is_refused() -> None:
    manager = "Your discovery calls skip the budget question, I want to talk about budget."
    rules = {
        "allowed_text": [*persona_facts_text(persona()), OFFLINE.text, manager],
        "rep_names": ["Ben Ode"],
        "may_concede": True,
        "holding": None,
        "manager_line": manager,
        "earlier": [OFFLINE.text],
        "offline": "Sure, that works.",
    }
    echo = check_rep_reply(
        "My discovery calls skip the budget question, you want to talk about budget.", **rules
    )
    assert any("echoes the manager" in p for p in echo.problems), echo
    again = check_rep_reply(OFFLINE.text, **rules)
    assert any("repeats what the rep already said" in p for p in again.problems), again
    # Phrasing the offline line, which itself repeats, is no fault of the model's.
    same = check_rep_reply(OFFLINE.text, **{**rules, "offline": OFFLINE.text})
    assert same.ok, same


def test_moments_are_given_once_and_an_objection_as_the_prospects() -> None:
    objection = EvidenceItem(
        id="moment-2",
        kind=EvidenceKind.MOMENT.value,
        label="call ben-4: the prospect",
        call_id="ben-4",
        account="Granite Bank",
        quote="Procurement has to review every contract.",
        speaker="prospect",
    )
    p = persona()
    p.facts = PersonaFacts.from_evidence(SELF, (SKILL,), [MOMENT, MOMENT, objection])
    system, _ = prompt_of(p)
    assert system.count(f'you said "{MOMENT.quote}"') == 1
    assert 'Granite Bank, the prospect said "Procurement has to review every contract."' in system
    assert 'you said "Procurement' not in system
