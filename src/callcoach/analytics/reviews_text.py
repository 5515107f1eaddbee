"""The review text, built sentence by sentence from the pack's evidence items.

Attribute first, then write: each sentence is made from one or a few evidence items and cites
their ids; nothing in it comes from anywhere else. The same check (analytics/reviews_check.py)
then runs on the result, on every manager's edit, and on anything a model rephrased.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from callcoach.analytics.reviews_format import (
    Sentence,
    day,
    level,
    metric_text,
    quoted,
    signed,
)
from callcoach.analytics.reviews_pack import ReviewPack
from callcoach.domain.reviews import (
    DIMENSION_LABELS,
    DIMENSIONS,
    Dimension,
    EvidenceItem,
    EvidenceKind,
    FinalRating,
    SelfAssessment,
    WrittenPlan,
    metric_id,
    perception_gap,
    self_id,
)


@dataclass
class Section:
    title: str
    sentences: list[str] = field(default_factory=list)


def rating_id(dimension: str) -> str:
    return f"rating-{dimension}"


def review_evidence(
    pack: ReviewPack,
    self_assessment: SelfAssessment | None,
    final_ratings: Mapping[str, FinalRating],
) -> dict[str, EvidenceItem]:
    """The pack's evidence plus what the review adds after preparation: the rep's
    self-assessment and the manager's final ratings, each an item sentences can cite."""
    evidence = dict(pack.evidence)
    if self_assessment is not None:
        for dimension in DIMENSIONS:
            entry = self_assessment.of(dimension)
            proposed = pack.dimension(dimension.value).proposed
            gap = perception_gap(dimension.value, entry.rating, proposed).gap
            evidence[self_id(dimension.value)] = EvidenceItem(
                id=self_id(dimension.value),
                kind=EvidenceKind.SELF.value,
                label=f"self-assessment: {dimension.value}",
                dimension=dimension.value,
                rating=entry.rating,
                words=entry.words,
                # The perception gap (self minus evidence) and its size, as sentences state it.
                numbers=[] if gap is None else [float(gap), float(abs(gap))],
            )
    for name, final in final_ratings.items():
        evidence[rating_id(name)] = EvidenceItem(
            id=rating_id(name),
            kind="rating",
            label=f"final rating: {name}",
            dimension=name,
            rating=final.rating,
            words=final.reason,
            names=[final.by],
        )
    return evidence


def _deal_sentence(item: EvidenceItem) -> str:
    return Sentence(
        f"The {item.deal_name} deal ({metric_text(item.amount, 'money')}) reached a verbal "
        f"commitment on {day(item.dates.get('verbal'))} and was lost on "
        f"{day(item.dates.get('closed'))}",
        [item.id],
    ).render()


def lost_section(pack: ReviewPack) -> Section:
    section = Section("Deals lost after a verbal commitment")
    ids = pack.buckets.lost_after_verbal
    if not ids:
        section.sentences.append("No deal was lost after a verbal commitment in this window.")
        return section
    section.sentences.extend(_deal_sentence(pack.evidence[i]) for i in ids[:5])
    lost = pack.lost
    if lost is None:
        return section
    gap_ids = [metric_id("lost", g.criterion_id) for g in lost.gaps if g.gap is not None]
    for gap in [g for g in lost.gaps if g.gap is not None][:2]:
        section.sentences.append(
            Sentence(
                f"Against your won deals, their calls scored lower on {gap.name}: "
                f"{level(gap.lost_mean)} against {level(gap.won_mean)}",
                [metric_id("lost", gap.criterion_id)],
            ).render()
        )
    section.sentences.append(
        Sentence(
            "The usual explanation, an objection-handling or urgency gap rather than "
            f"prospecting, {lost.hypothesis.statement}",
            gap_ids if lost.hypothesis.verdict != "cannot be tested" else [],
        ).render()
        if lost.hypothesis.verdict != "cannot be tested"
        else "The usual explanation for these losses cannot be tested on this evidence."
    )
    for moment in lost.moments[:2]:
        item = pack.evidence[moment]
        section.sentences.append(
            next(f.text for f in pack.feedback if moment in f.cites)
            if any(moment in f.cites for f in pack.feedback)
            else Sentence(
                f"On the {day(item.day)} call with {item.account}, you said "
                f"{quoted(item.quote or '')} ({item.criterion}, level {item.level})",
                [item.id],
            ).render()
        )
    return section


def dimension_section(pack: ReviewPack, dimension: Dimension) -> Section:
    result = pack.dimension(dimension.value)
    section = Section(f"{DIMENSION_LABELS[dimension]} (weight {result.weight:.0f}%)")
    rid = metric_id(dimension.value, "rating")
    if result.proposed is not None:
        section.sentences.append(
            Sentence(
                f"Proposed rating for {dimension.value}: {result.proposed}, from the evidence "
                "below",
                [rid],
            ).render()
        )
    else:
        section.sentences.append(
            f"The evidence does not support a proposed rating for {dimension.value} in this window."
        )
    for metric in result.metrics:
        mid = metric_id(dimension.value, metric.metric)
        if metric.value is None:
            continue
        team = (
            f" against the team's {metric_text(metric.team_value, metric.unit)}"
            if metric.team_value is not None
            else ""
        )
        section.sentences.append(
            Sentence(
                f"{metric.name}: {metric_text(metric.value, metric.unit)}{team}", [mid]
            ).render()
        )
    return section


def skill_section(pack: ReviewPack) -> Section:
    section = dimension_section(pack, Dimension.SKILL)
    skill = pack.skill
    overall = metric_id("skill", "overall")
    if skill.overall is not None:
        source = "scored calls" if skill.source == "scored" else "calls rated by hand"
        team = (
            f", against the team's {level(skill.team_overall)}"
            if skill.team_overall is not None
            else ""
        )
        section.sentences.append(
            Sentence(
                f"Your weighted overall level was {level(skill.overall)} over {skill.calls} "
                f"{source}{team}",
                [overall],
            ).render()
        )
    for line in skill.lines:
        if line.mean is None:
            continue
        team = f" (team {level(line.team_mean)})" if line.team_mean is not None else ""
        section.sentences.append(
            Sentence(
                f"On {line.name} your mean level was {level(line.mean)}{team}",
                [metric_id("skill", line.criterion_id)],
            ).render()
        )
    shown = set()
    for prompt in pack.feedback:
        if prompt.criterion_id in shown:
            continue
        shown.add(prompt.criterion_id)
        section.sentences.append(prompt.text)
    return section


def growth_section(pack: ReviewPack) -> Section:
    section = dimension_section(pack, Dimension.GROWTH)
    growth = pack.growth
    for line in growth.lines:
        if line.change is None:
            continue
        interval = (
            f", 95% interval {signed(line.ci_low)} to {signed(line.ci_high)}"
            if line.ci_low is not None and line.ci_high is not None
            else ""
        )
        section.sentences.append(
            Sentence(
                f"On {line.name}, your mean level moved from {level(line.previous_mean)} to "
                f"{level(line.current_mean)} from one quarter to the next ({signed(line.change)}"
                f"{interval})",
                [metric_id("growth", line.criterion_id)],
            ).render()
        )
    for coaching in growth.verdicts:
        item = pack.evidence[coaching]
        section.sentences.append(coaching_sentence(item))
    return section


def coaching_sentence(item: EvidenceItem) -> str:
    when = day(item.day)
    if item.outcome in ("improved", "not_improved") and len(item.numbers) >= 3:
        before, after, change = item.numbers[:3]
        verb = "improved" if item.outcome == "improved" else "did not improve"
        return Sentence(
            f"The coaching on {item.criterion} on {when} {verb} the level 30 days on: "
            f"{level(before)} before, {level(after)} after ({signed(change)})",
            [item.id],
        ).render()
    later = item.dates.get("rescore_after")
    if later is not None:
        return Sentence(
            f"The coaching on {item.criterion} on {when} is measured after {day(later)}",
            [item.id],
        ).render()
    return Sentence(
        f"The coaching on {item.criterion} on {when} has no baseline", [item.id]
    ).render()


def self_section(pack: ReviewPack, self_assessment: SelfAssessment | None) -> Section:
    section = Section("Your self-assessment and the evidence")
    if self_assessment is None:
        section.sentences.append("Your self-assessment is not on record yet.")
        return section
    for dimension in DIMENSIONS:
        entry = self_assessment.of(dimension)
        sid = self_id(dimension.value)
        section.sentences.append(
            Sentence(
                f"You rated your {dimension.value} {entry.rating}: {quoted(entry.words, 300)}",
                [sid],
            ).render()
        )
        proposed = pack.dimension(dimension.value).proposed
        gap = perception_gap(dimension.value, entry.rating, proposed)
        if gap.gap is not None:
            section.sentences.append(
                Sentence(
                    f"The evidence proposes {proposed} for {dimension.value}, so you are "
                    f"{_gap_words(gap.gap)}: {gap.reading}",
                    [sid, metric_id(dimension.value, "rating")],
                ).render()
            )
    return section


def _gap_words(gap: int) -> str:
    if gap == 0:
        return "aligned"
    return f"{abs(gap)} above" if gap > 0 else f"{abs(gap)} below"


def plan_section(pack: ReviewPack, plan: WrittenPlan | None, checkpoint: date | None) -> Section:
    section = Section("Development plan")
    items = plan.items if plan is not None else pack.plan.items
    gaps = {g.criterion_id: g for g in pack.plan.gaps}
    for rank, item in enumerate(items, 1):
        gap = gaps.get(item.criterion_id)
        pid = metric_id("plan", item.criterion_id)
        if gap is not None and pid in pack.evidence:
            related = (
                f", a criterion that goes with winning here (r {gap.association:.2f})"
                if gap.association is not None and gap.association > 0
                else ""
            )
            section.sentences.append(
                Sentence(
                    f"Focus {rank}: {item.criterion}, at {level(gap.rep_mean)} against the "
                    f"{gap.basis} of {level(gap.benchmark)}{related}",
                    [pid],
                ).render()
            )
        if item.behaviour and pid in pack.evidence:
            section.sentences.append(
                Sentence(f"What good looks like: {quoted(item.behaviour, 400)}", [pid]).render()
            )
        section.sentences.extend(item.practice)
    if plan is not None and plan.notes.strip():
        section.sentences.append(plan.notes.strip())
    cid = metric_id("plan", "checkpoint")
    if checkpoint is not None and cid in pack.evidence:
        section.sentences.append(
            Sentence(
                f"Checkpoint on {day(checkpoint)}: we review {pack.plan.checkpoint_calls} of your "
                "calls together",
                [cid],
            ).render()
        )
    elif cid in pack.evidence:
        section.sentences.append(
            Sentence(
                f"Checkpoint {pack.plan.checkpoint_days} days after our meeting: we review "
                f"{pack.plan.checkpoint_calls} of your calls together",
                [cid],
            ).render()
        )
    return section


def ratings_section(final_ratings: Mapping[str, FinalRating]) -> Section:
    section = Section("Ratings")
    for dimension in DIMENSIONS:
        final = final_ratings.get(dimension.value)
        if final is None:
            continue
        reason = f", {quoted(final.reason, 400)}" if final.reason.strip() else ""
        section.sentences.append(
            Sentence(
                f"Final rating for {dimension.value}: {final.rating}{reason}",
                [rating_id(dimension.value)],
            ).render()
        )
    return section


def draft_sections(
    pack: ReviewPack,
    self_assessment: SelfAssessment | None,
    final_ratings: Mapping[str, FinalRating],
    plan: WrittenPlan | None,
    checkpoint: date | None,
) -> list[Section]:
    """The review text, section by section; lost-after-verbal deals first (the highest-value
    coaching signal)."""
    sections = [
        lost_section(pack),
        dimension_section(pack, Dimension.OUTPUT),
        dimension_section(pack, Dimension.ACTIVITY),
        skill_section(pack),
        growth_section(pack),
        self_section(pack, self_assessment),
        plan_section(pack, plan, checkpoint),
    ]
    ratings = ratings_section(final_ratings)
    if ratings.sentences:
        sections.append(ratings)
    return sections


def render_text(title: str, sections: Sequence[Section]) -> str:
    lines = [f"# {title}", ""]
    for section in sections:
        lines += [f"## {section.title}", ""]
        lines += [f"- {s}" for s in section.sentences]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
