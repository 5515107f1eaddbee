"""The rest of a real call: stories, security and implementation questions, pricing mechanics,
scheduling. Neutral on the rubric; they give calls their length.

A call draws topics without repeating one. A topic the rep opens with an open question, or in
which the rep ties the product to the prospect's situation, is only used when the rep's true
level on that criterion is high enough, so neutral talk never contradicts the call's truth.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from callcoach.demo.phrases import topics_business as biz
from callcoach.demo.phrases import topics_commercial as com
from callcoach.demo.phrases import topics_product as prod
from callcoach.demo.phrases.questions import QA
from callcoach.demo.phrases.topics_business import Topic
from callcoach.demo.scene import Scene

ALL = frozenset({"discovery", "demo", "negotiation", "closing"})
EARLY = frozenset({"discovery", "demo"})
LATE = frozenset({"negotiation", "closing"})


@dataclass(frozen=True)
class NeutralTopic:
    name: str
    steps: Topic
    call_types: frozenset[str]
    requires: dict[str, int] = field(default_factory=dict)  # minimum true level per criterion
    needs_buyer: bool = False  # only when the economic buyer is on the call

    def fits(self, call_type: str, levels: dict[str, int], buyer_present: bool) -> bool:
        return (
            call_type in self.call_types
            and (buyer_present or not self.needs_buyer)
            and all(levels.get(c, 5) >= level for c, level in self.requires.items())
        )


ASKS_OPEN = {"discovery": 3}
TOPICS: tuple[NeutralTopic, ...] = (
    NeutralTopic("month_end_story", biz.MONTH_END_STORY, EARLY | {"negotiation"}, ASKS_OPEN),
    NeutralTopic(
        "audit_story", biz.AUDIT_STORY, EARLY | {"negotiation"}, {"value_articulation": 3}
    ),
    NeutralTopic("team_story", biz.TEAM_STORY, EARLY, ASKS_OPEN),
    NeutralTopic("systems", biz.SYSTEMS_LANDSCAPE, EARLY, {"discovery": 4}),
    NeutralTopic("growth", biz.GROWTH_PLANS, ALL - {"closing"}, ASKS_OPEN),
    NeutralTopic(
        "previous_tool", biz.PREVIOUS_TOOL, EARLY, {"discovery": 4, "objection_handling": 3}
    ),
    NeutralTopic("day_in_life", biz.DAY_IN_LIFE, frozenset({"discovery"}), ASKS_OPEN),
    NeutralTopic("board_pressure", biz.BOARD_PRESSURE, LATE | {"demo"}, needs_buyer=True),
    NeutralTopic("industry_chat", biz.INDUSTRY_CHAT, ALL),
    NeutralTopic("decision_process", biz.DECISION_PROCESS, EARLY | {"negotiation"}, ASKS_OPEN),
    NeutralTopic("security", prod.SECURITY, frozenset({"demo", "negotiation"})),
    NeutralTopic("integration", prod.INTEGRATION, frozenset({"demo", "closing"})),
    NeutralTopic("implementation", prod.IMPLEMENTATION, ALL),
    NeutralTopic("product_qa", prod.PRODUCT_QA, EARLY),
    NeutralTopic("reporting_qa", prod.REPORTING_QA, EARLY | {"negotiation"}),
    NeutralTopic("support_qa", prod.SUPPORT_QA, ALL - {"discovery"}),
    NeutralTopic("data_migration", prod.DATA_MIGRATION, frozenset({"demo"})),
    NeutralTopic("pricing_mechanics", com.PRICING_MECHANICS, LATE),
    NeutralTopic("contract_terms", com.CONTRACT_TERMS, LATE),
    NeutralTopic("procurement", com.PROCUREMENT, LATE, needs_buyer=True),
    NeutralTopic("logistics", com.LOGISTICS, ALL),
    NeutralTopic("reference", com.REFERENCE_CALL, ALL - {"closing"}, {"value_articulation": 3}),
    NeutralTopic("onboarding_dates", com.ONBOARDING_DATES, LATE | {"demo"}),
    NeutralTopic("conference", com.TANGENT_CONFERENCE, ALL),
    NeutralTopic("interruption", com.TANGENT_INTERRUPTION, ALL),
    NeutralTopic("billing_setup", com.BILLING_SETUP, LATE),
    NeutralTopic("invoice_address", com.INVOICE_ADDRESS, LATE),
    NeutralTopic("admin_owner", com.ADMIN_OWNER, LATE),
    NeutralTopic("signature", com.SIGNATURE_LOGISTICS, frozenset({"closing"}), needs_buyer=True),
    NeutralTopic("change_management", com.CHANGE_MANAGEMENT, LATE | {"demo"}),
    *(
        NeutralTopic(
            f"question_{i}", (("prospect", question), ("engineer", answer)), EARLY | {"negotiation"}
        )
        for i, (question, answer) in enumerate(QA)
    ),
)


# At most this many single product questions per call: a discovery call is not a FAQ.
QUESTIONS_PER_CALL = {"discovery": 3, "demo": 12, "negotiation": 3, "closing": 0}


def topics_for(
    call_type: str, levels: dict[str, int], buyer_present: bool, rng: random.Random
) -> list[NeutralTopic]:
    """The topics a call may use, in a random order, product questions capped by call type."""
    fitting = [topic for topic in TOPICS if topic.fits(call_type, levels, buyer_present)]
    questions = [t for t in fitting if t.name.startswith("question_")]
    others = [t for t in fitting if not t.name.startswith("question_")]
    rng.shuffle(questions)
    chosen = others + questions[: QUESTIONS_PER_CALL[call_type]]
    rng.shuffle(chosen)
    return chosen


def process_walkthrough(scene: Scene, pain: str | None = None) -> None:
    """The prospect explains how the work gets done today, step by step; the rep listens."""
    steps = biz.PROCESS_STEPS[pain or scene.account.pain.key]
    count = scene.rng.randint(3, min(6, len(steps)))
    start = scene.rng.randint(0, len(steps) - count)
    scene.prospect(biz.PROCESS_LEAD_IN)
    for step in steps[start : start + count]:
        if scene.chance(0.25):
            scene.prospect(step, biz.ASIDES)
        else:
            scene.prospect(step)
        if scene.chance(0.6):
            scene.rep(BACKCHANNEL_LINES)
    scene.prospect(biz.PROCESS_WRAP)


def second_process(scene: Scene) -> None:
    """Discovery calls often cover a second process next to the main pain."""
    others = sorted(key for key in biz.PROCESS_STEPS if key != scene.account.pain.key)
    other = others[scene.rng.randrange(len(others))]
    with scene.using(other_pain=OTHER_PAIN[other]):
        scene.prospect(
            "(And|Oh, and) (while we're at it|since we're on process), (the|our) (other|"
            "second) (headache|big one) is {other_pain}."
        )
        process_walkthrough(scene, other)


OTHER_PAIN = {
    "reconciliation": "the bank reconciliation",
    "payables": "invoice processing",
    "close": "the month-end close",
    "reporting": "the weekly cash report",
}


# What reps add after an answer.
ELABORATIONS = (
    "(Happy to|I can) go deeper on that (later|in the follow-up) if (it's|that's) useful.",
    "(That's|It's) one of the (most common|top) questions we get, (honestly|actually).",
    "(I'll|Let me) (send|share) (a short video|the help article) on that (after the call|"
    "with the notes).",
    "(Does that|Did that) (make sense|answer it), or (should|shall) I (go into|show) "
    "(more detail|the screen)?",
    "(Our|The) onboarding team (sets|configures) (that|most of that) (up|) (with you|for "
    "you), (so|and) (nobody|no one) (has to|needs to) (figure it out|learn it) (alone|"
    "from scratch).",
    "(I'll|Let me) (write|note) that down so we (cover|confirm) it (properly|in writing).",
)

BACKCHANNEL_LINES = ("(Okay.|Right.|Mm-hm.|Got it.|Sure.|Yep.)",)


def play(scene: Scene, topic: NeutralTopic) -> None:
    """Act a topic out: each step is a speaker and the parts of what they say."""
    speakers = {
        "rep": scene.rep,
        "prospect": scene.prospect,
        "buyer": scene.buyer,
        "tech": scene.tech,
        "engineer": scene.engineer,
    }
    for speaker, *parts in topic.steps:
        assert isinstance(speaker, str)
        answering = scene.last_was_question()
        text = scene.text(*parts)  # type: ignore[arg-type]
        # People add a remark to an answer (not to a question).
        statement = (
            answering and len(text.split()) >= 8 and not text.endswith("?") and not scene.compact
        )
        if statement and speaker == "prospect" and scene.chance(0.3):
            text = f"{text} {scene.text(biz.ASIDES)}"
        elif statement and speaker == "rep" and scene.chance(0.25):
            text = f"{text} {scene.text(ELABORATIONS)}"
        speakers[speaker](text)
