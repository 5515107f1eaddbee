"""Writing one call: the moves its type calls for, at the rep's true level, in words.

A call is a pure function of the seed and its plan (its own random stream), so calls can be
written in any order, in batches, and come out byte-identical every time.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from callcoach.demo.accounts import Account
from callcoach.demo.grammar import Phraser
from callcoach.demo.model import CallPlan, RepProfile
from callcoach.demo.phrases import (
    closing,
    common,
    discovery,
    neutral,
    objections,
    questions,
    urgency,
    value,
)
from callcoach.demo.scene import Cast, Scene, Turn
from callcoach.demo.speech import Voice, estimate_seconds, timed_segments
from callcoach.domain.calls import Call

TRUTH_KEY = "demo_truth"
MIN_SECONDS = 5 * 60 + 15  # full transcripts: every call at least five minutes
MAX_SECONDS = 45 * 60 - 30
# Who else joins, by call type: the economic buyer, an IT contact, our solutions engineer.
BUYER_JOINS = {"discovery": 0.05, "demo": 0.2, "negotiation": 0.5, "closing": 0.6}
TECH_JOINS = {"discovery": 0.1, "demo": 0.5, "negotiation": 0.1, "closing": 0.05}
ENGINEER_JOINS = {"discovery": 0.0, "demo": 0.45, "negotiation": 0.0, "closing": 0.0}

Block = list[Turn]


@dataclass(frozen=True)
class CallContext:
    """What writing a call needs beyond its plan."""

    seed: int
    profile: RepProfile
    account: Account
    engineer: str  # the team's solutions engineer
    short: bool


def _record(scene: Scene, move: Callable[..., None], *args: Any) -> Block:
    saved = scene.turns
    scene.turns = []
    try:
        move(scene, *args)
        return scene.turns
    finally:
        scene.turns = saved


def _cast(plan: CallPlan, ctx: CallContext, rng: random.Random) -> Cast:
    kind = plan.call_type
    return Cast(
        rep=ctx.profile.rep.name,
        champion=ctx.account.champion,
        buyer=ctx.account.buyer if rng.random() < BUYER_JOINS[kind] else None,
        tech=ctx.account.tech if rng.random() < TECH_JOINS[kind] else None,
        engineer=ctx.engineer if rng.random() < ENGINEER_JOINS[kind] else None,
    )


def _core(scene: Scene, plan: CallPlan, short: bool) -> list[Block]:
    """The behaviours the call type calls for, in a plausible, varied order."""
    rng = scene.rng
    kind = plan.call_type
    blocks: list[Block] = []
    if kind == "discovery":
        rounds = 2 if short else rng.randint(3, 6)
        blocks.append(_record(scene, discovery.discovery, rounds))
    else:
        blocks.append(_record(scene, discovery.recap))
    if kind == "demo":
        # Longer demos show more of the product: about a screen every three minutes.
        screens = 1 if short else min(14, max(4, round(plan.target_minutes / 3)))
        blocks.append(_record(scene, value.walkthrough, screens))
    if kind == "negotiation":
        blocks.append(_record(scene, _proposal_review, 1 if short else rng.randint(3, 6)))
    rest = [_record(scene, objections.objection, kind_) for kind_ in plan.objections]
    rest.append(_record(scene, value.value))  # every call shows every criterion somewhere
    rng.shuffle(rest)
    # Urgency lands after the first objection or value statement, rarely first.
    position = rng.randint(1, len(rest)) if rest else 0
    rest.insert(position, _record(scene, urgency.urgency))
    return blocks + rest


def _proposal_review(scene: Scene, items: int) -> None:
    """Negotiation calls go through the proposal line by line with the buyer."""
    order = list(range(len(questions.PROPOSAL_ITEMS)))
    scene.rng.shuffle(order)
    for index in order[:items]:
        question, answer = questions.PROPOSAL_ITEMS[index]
        scene.buyer(question)
        scene.rep(answer)


def _scenario(scene: Scene) -> None:
    value.scenario(scene, scene.rng.randint(5, 9))


def _fill(scene: Scene, plan: CallPlan, core_seconds: float, target: float) -> list[Block]:
    """Neutral exchanges (security, pricing mechanics, stories...) until the call is long enough.

    No topic is used twice in a call; a call whose topics run out is simply shorter.
    """
    topics = neutral.topics_for(
        plan.call_type, plan.levels, scene.cast.buyer is not None, scene.rng
    )
    moves: list[Callable[[Scene], None]] = [
        lambda s, topic=topic: neutral.play(s, topic)  # type: ignore[misc]
        for topic in topics
    ]
    if plan.call_type in ("discovery", "demo"):
        moves.insert(scene.rng.randint(0, min(2, len(moves))), neutral.process_walkthrough)
    if plan.call_type == "discovery":
        moves.insert(scene.rng.randint(3, max(3, len(moves))), neutral.second_process)
    if plan.call_type == "demo":
        moves.insert(scene.rng.randint(2, max(2, len(moves))), _scenario)
    blocks: list[Block] = []
    seconds = core_seconds
    for move in moves:
        if seconds >= target:
            break
        block = _record(scene, move)
        blocks.append(block)
        seconds += estimate_seconds(block)
    return blocks


def _slots(ctx: CallContext) -> dict[str, Any]:
    slots: dict[str, Any] = dict(common.SHARED_SLOTS)
    slots.update(ctx.account.slots())
    slots["rep_first"] = ctx.profile.rep.name.split()[0]
    return slots


def write_turns(plan: CallPlan, ctx: CallContext, rng: random.Random) -> tuple[Cast, list[Turn]]:
    """The call's turns in order, before timing."""
    cast = _cast(plan, ctx, rng)
    scene = Scene(
        phraser=Phraser(rng, _slots(ctx)),
        cast=cast,
        account=ctx.account,
        call_type=plan.call_type,
        levels=plan.levels,
        objections=plan.objections,
        result=plan.result,
        first_call=plan.nth_in_deal == 0 and plan.call_type == "discovery",
        compact=ctx.short,
    )
    opening = _record(scene, common.opening)
    early: Block = []
    if plan.levels["close_attempt"] == 2 and rng.random() < 0.5:
        early = _record(scene, closing.early_weak_ask)  # asking too early, before any value
    middle = _core(scene, plan, ctx.short)
    ending = _record(scene, closing.close_attempt) + _record(scene, common.goodbye)
    core_seconds = sum(estimate_seconds(b) for b in (opening, early, ending, *middle))
    # Short transcripts (benchmarks at scale) keep every move but little else.
    floor = 0.0 if ctx.short else MIN_SECONDS
    target = min(MAX_SECONDS, max(floor, plan.target_minutes * 60))
    fillers = _fill(scene, plan, core_seconds, target)
    # The recap (and a demo's walkthrough, a negotiation's proposal review) come first.
    anchored = 1 if plan.call_type in ("discovery", "closing") else 2
    for block in fillers:
        middle.insert(rng.randint(min(anchored, len(middle)), len(middle)), block)
    turns = opening + early + [turn for block in middle for turn in block] + ending
    return cast, turns


def _voices(cast: Cast, profile: RepProfile, rng: random.Random) -> dict[str, Voice]:
    voices = {cast.rep: Voice(profile.wpm, profile.patience, profile.fluency)}
    for person in (cast.champion, cast.buyer, cast.tech):
        if person is not None:
            voices[person.name] = Voice(
                rng.uniform(125, 165), rng.uniform(0.3, 1.0), rng.uniform(0.5, 0.9)
            )
    if cast.engineer is not None:
        voices[cast.engineer] = Voice(rng.uniform(140, 170), rng.uniform(0.3, 0.8), 0.85)
    return voices


def write_call(
    plan: CallPlan,
    ctx: CallContext,
    when: datetime,
    deal_external_id: str,
    criteria: tuple[str, ...],
) -> Call:
    """The call as the product sees it, with the ground truth kept aside in `meta`."""
    rng = random.Random(f"{ctx.seed}/call/{plan.index}")
    cast, turns = write_turns(plan, ctx, rng)
    segments, tags = timed_segments(
        turns, _voices(cast, ctx.profile, rng), cast.rep, cast.champion.name, rng
    )
    last_end = segments[-1].end if segments and segments[-1].end is not None else 0.0
    evidence: dict[str, list[int]] = {c: [] for c in criteria}
    for segment, tag in zip(segments, tags, strict=True):
        if tag in evidence:
            evidence[tag].append(segment.index)
    account = ctx.account
    contacts = [
        {"name": p.name, "title": p.title}
        for p in (cast.champion, cast.buyer, cast.tech)
        if p is not None
    ]
    return Call(
        external_id=plan.external_id,
        segments=segments,
        rep=ctx.profile.rep.name,
        date=when,
        duration_s=round(last_end + rng.uniform(0.5, 2.5), 1),
        account=account.name,
        deal_external_id=deal_external_id,
        call_type=plan.call_type,
        source_file=f"demo:seed={ctx.seed}",
        source_format="demo",
        meta={
            "demo": {
                "seed": ctx.seed,
                "industry": account.industry.label,
                "employees": account.employees,
                "event": account.event,
                "contacts": contacts,
                "solutions_engineer": cast.engineer,
                "objections": list(plan.objections),
            },
            # Ground truth for evaluating the product against what was generated. Scorers and
            # analytics must never read it: they see only the words, like on a real call.
            TRUTH_KEY: {
                "levels": {c: plan.levels[c] for c in criteria},
                "evidence_segments": evidence,
                "objections": list(plan.objections),
                "result": plan.result,
            },
        },
    )
