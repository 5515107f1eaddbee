"""The development plan, the preparation questions and the feedback anchored to call moments.

Leverage (docs/reviews.md): for each criterion where the rep is below the team mean,
weighted gap = (team mean - rep mean) x weight / 100 (analytics/priorities.weighted_gap, the
points of weighted overall the rep gains by reaching the team); leverage = weighted gap x
(1 + r+), where r+ is the criterion's point-biserial correlation with winning across the
organisation's closed deals of the last `outcome_days` (analytics/outcomes.py; each deal is the
mean of its scored calls), floored at 0 and taken as 0 when undefined. A criterion that goes
with winning thus counts up to twice its weighted gap; with no outcome evidence the order is
the weighted gap's. A rep at or above the team everywhere is planned against level 4 instead
(gap = 4 - rep mean). The plan works on the one or two criteria with the highest leverage; the
target metric is the win rate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from callcoach.analytics.priorities import GOOD_LEVEL, weighted_gap
from callcoach.analytics.reviews_format import Sentence, clock, day, quoted
from callcoach.analytics.reviews_pack import ObjectionType, PlanGap, PlanProposal, Prompt
from callcoach.analytics.reviews_skill import SkillResult
from callcoach.domain.reviews import EvidenceItem, PlanItem, ReviewParameters

PLAN_CRITERIA = 2
LEVERAGE_RULE = (
    "leverage = weighted gap x (1 + r+): weighted gap = (team mean - rep mean) x weight / 100; "
    "r+ = the criterion's correlation with winning across the organisation's closed deals "
    "(0 when negative or undefined)"
)


def plan_gaps(
    skill: SkillResult,
    associations: Mapping[str, tuple[float | None, float | None, int]],
    moments: Mapping[str, Sequence[str]],
    metric_ids: Mapping[str, str],
) -> list[PlanGap]:
    """Every criterion with a gap, highest leverage first (ties: heavier, then rubric order)."""
    below_team = [
        line
        for line in skill.lines
        if line.mean is not None and line.team_mean is not None and line.team_mean > line.mean
    ]
    basis = "team mean" if below_team else f"level {GOOD_LEVEL}"
    candidates = below_team or [
        line for line in skill.lines if line.mean is not None and line.mean < GOOD_LEVEL
    ]
    gaps = []
    for position, line in enumerate(candidates):
        assert line.mean is not None
        benchmark = line.team_mean if below_team else float(GOOD_LEVEL)
        assert benchmark is not None
        gap = weighted_gap(benchmark, line.mean, line.weight) or 0.0
        r, p_value, deals = associations.get(line.criterion_id, (None, None, 0))
        leverage = gap * (1.0 + max(r or 0.0, 0.0))
        gaps.append(
            (
                -leverage,
                -line.weight,
                position,
                PlanGap(
                    criterion_id=line.criterion_id,
                    name=line.name,
                    weight=line.weight,
                    rep_mean=line.mean,
                    benchmark=benchmark,
                    basis=basis,
                    weighted_gap=gap,
                    association=r,
                    association_p=p_value,
                    association_deals=deals,
                    leverage=leverage,
                    evidence=[metric_ids[line.criterion_id], *moments.get(line.criterion_id, [])],
                ),
            )
        )
    gaps.sort(key=lambda g: (g[0], g[1], g[2]))
    return [g[3] for g in gaps]


def _moment_words(item: EvidenceItem) -> str:
    return f"the {day(item.day)} call with {item.account or 'an unnamed account'} at {clock(item.start)}"


def practice_assignments(
    gap: PlanGap,
    lowest: Sequence[EvidenceItem],
    best: EvidenceItem | None,
    objection: ObjectionType | None,
    evidence: Mapping[str, EvidenceItem],
) -> list[str]:
    """Two practice assignments for one planned criterion, each citing its moments."""
    result = []
    if lowest:
        places = "; ".join(_moment_words(m) for m in lowest[:3])
        result.append(
            Sentence(
                f"Three practice sessions replaying your lowest {gap.name} moments: {places}",
                [m.id for m in lowest[:3]],
            ).render()
        )
    if objection is not None:
        item = evidence[objection.evidence]
        result.append(
            Sentence(
                "Three practice sessions on the objection your lost deals' prospects raised "
                f"most, in their words {quoted(item.quote or '')} ("
                f"{objection.size} {'time' if objection.size == 1 else 'times'})",
                [objection.evidence],
            ).render()
        )
    if best is not None and len(result) < 2:
        result.append(
            Sentence(
                f"Replay your best {gap.name} moment, {_moment_words(best)} (level "
                f"{best.level}), and bring what made it work to your next three calls",
                [best.id],
            ).render()
        )
    return result


def plan_proposal(
    gaps: Sequence[PlanGap],
    lowest: Mapping[str, Sequence[EvidenceItem]],
    best: Mapping[str, EvidenceItem | None],
    objections: Sequence[ObjectionType],
    evidence: Mapping[str, EvidenceItem],
    anchors: Mapping[str, str],
    params: ReviewParameters,
) -> PlanProposal:
    items = []
    for rank, gap in enumerate(gaps[:PLAN_CRITERIA]):
        # The prospects' commonest objection is practised once, on the first criterion.
        objection = objections[0] if objections and rank == 0 else None
        items.append(
            PlanItem(
                criterion_id=gap.criterion_id,
                criterion=gap.name,
                behaviour=anchors.get(gap.criterion_id, ""),
                practice=practice_assignments(
                    gap,
                    lowest.get(gap.criterion_id, []),
                    best.get(gap.criterion_id),
                    objection,
                    evidence,
                ),
                leverage=gap.leverage,
            )
        )
    return PlanProposal(
        gaps=list(gaps),
        items=items,
        leverage_rule=LEVERAGE_RULE,
        target_metric="win rate",
        checkpoint_days=params.checkpoint_days,
        checkpoint_calls=params.checkpoint_calls,
    )


def feedback_statement(item: EvidenceItem) -> Prompt:
    """'On the 14 October 2026 call with Credit Acceptance, the prospect said “...” at 12:03
    and you said “...” (Objection handling, level 2); what level 4 asks instead: “...”.'"""
    where = f"On the {day(item.day)} call with {item.account or 'an unnamed account'}"
    said = quoted(item.quote or "")
    if item.prospect_quote:
        text = (
            f"{where}, the prospect said {quoted(item.prospect_quote, 160)} at "
            f"{clock(item.start)} and you said {said}"
        )
    else:
        text = f"{where}, at {clock(item.start)} you said {said}"
    text += f" ({item.criterion}, level {item.level})"
    if item.level is not None and item.level >= GOOD_LEVEL:
        text += ": keep doing this"
    elif item.good_anchor:
        text += f"; what level {GOOD_LEVEL} asks instead: {quoted(item.good_anchor, 400)}"
    return Prompt(Sentence(text, [item.id]).render(), [item.id], item.criterion_id)


def preparation_questions(
    lost_after_verbal: Sequence[EvidenceItem],
    stalled: Sequence[EvidenceItem],
    won: Sequence[EvidenceItem],
    low_moment: EvidenceItem | None,
) -> list[Prompt]:
    """Two or three questions naming specific deals and calls, highest signal first: the
    biggest deal lost after a verbal commitment, the lowest moment of the plan's first
    criterion, then the biggest stalled deal (or, without one, the biggest win)."""
    questions: list[Prompt] = []
    if lost_after_verbal:
        deal = lost_after_verbal[0]
        first = deal.dates.get("first_call")
        start = f"your first call on {day(first)}" if first else "your first call"
        questions.append(
            Prompt(
                Sentence(
                    f"Walk me through the {deal.deal_name} deal from {start} to the verbal "
                    f"commit on {day(deal.dates.get('verbal'))}: what changed before it was "
                    f"lost on {day(deal.dates.get('closed'))}?",
                    [deal.id],
                ).render(),
                [deal.id],
            )
        )
    if low_moment is not None and (low_moment.prospect_quote or low_moment.quote):
        heard = (
            f"the prospect said {quoted(low_moment.prospect_quote, 160)}"
            if low_moment.prospect_quote
            else f"you said {quoted(low_moment.quote or '', 160)}"
        )
        questions.append(
            Prompt(
                Sentence(
                    f"On the {day(low_moment.day)} call with "
                    f"{low_moment.account or 'an unnamed account'}, at {clock(low_moment.start)} "
                    f"{heard}: what were you aiming for there, and what would you say now?",
                    [low_moment.id],
                ).render(),
                [low_moment.id],
                low_moment.criterion_id,
            )
        )
    if stalled:
        deal = stalled[0]
        questions.append(
            Prompt(
                Sentence(
                    f"What would it take to move the {deal.deal_name} deal, untouched since "
                    f"{day(deal.dates.get('last_touch'))} ({deal.numbers[0]:.0f} days)?",
                    [deal.id],
                ).render(),
                [deal.id],
            )
        )
    elif won and len(questions) < 3:
        deal = won[0]
        questions.append(
            Prompt(
                Sentence(
                    f"What made the {deal.deal_name} deal close on "
                    f"{day(deal.dates.get('closed'))}, and what of it can you repeat?",
                    [deal.id],
                ).render(),
                [deal.id],
            )
        )
    return questions[:3]
