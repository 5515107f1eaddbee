"""The review as a document a manager brings to the meeting: blocks (headings, paragraphs,
lists, tables) that export.py writes as Markdown, HTML or PDF."""

from __future__ import annotations

from dataclasses import dataclass, field

from callcoach.analytics.reviews_format import clock, day, level, metric_text, quoted
from callcoach.domain.reviews import DIMENSION_LABELS, DIMENSIONS
from callcoach.services.reviews.views import ReviewView


@dataclass
class Block:
    kind: str  # heading, paragraph, bullets, table
    text: str = ""
    level: int = 2
    items: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)  # first row: the header


def review_document(view: ReviewView) -> list[Block]:
    pack = view.pack
    assert pack is not None, "the review is not readable by this viewer"
    s = view.summary
    blocks = [
        Block("heading", f"Performance review: {pack.rep}", 1),
        Block(
            "paragraph",
            f"Review {s.id} ({s.state}) · team {pack.team or 'none'} · manager "
            f"{pack.manager or s.manager or 'unknown'} · window {day(pack.window_start)} to "
            f"{day(pack.as_of)} ({pack.window_days} days) · rubric {pack.rubric} "
            f"v{pack.rubric_version}"
            + (f" · checkpoint {day(s.checkpoint_on)}" if s.checkpoint_on else ""),
        ),
        Block(
            "paragraph",
            f"Tenure: {'unknown' if pack.tenure_months is None else f'{pack.tenure_months:.1f} months'}"
            f" ({pack.stage}); {pack.weights_rule}.",
        ),
    ]
    if pack.thin:
        blocks += [
            Block("heading", "How thin the evidence is", 2),
            Block("bullets", items=pack.thin),
        ]
    rows = [["Dimension", "Weight", "Proposed", "Why", "Self", "Gap", "Final"]]
    gaps = {g.dimension: g for g in view.gaps}
    for dim in DIMENSIONS:
        result = pack.dimension(dim.value)
        final = view.final_ratings.get(dim.value)
        gap = gaps.get(dim.value)
        rows.append(
            [
                DIMENSION_LABELS[dim],
                f"{result.weight:.0f}%",
                "-" if result.proposed is None else str(result.proposed),
                result.reason,
                "-" if gap is None else str(gap.self_rating),
                "-" if gap is None or gap.gap is None else (f"{gap.gap:+d}" if gap.gap else "0"),
                "-" if final is None else str(final.rating),
            ]
        )
    blocks += [Block("heading", "Ratings", 2), Block("table", rows=rows)]
    if pack.overall_proposed is not None:
        blocks.append(
            Block("paragraph", f"Weighted proposed overall: {pack.overall_proposed:.2f}.")
        )
    blocks.append(Block("heading", "Deals lost after a verbal commitment", 2))
    lost_items = [pack.evidence[i] for i in pack.buckets.lost_after_verbal]
    blocks.append(
        Block(
            "bullets",
            items=[
                f"{d.deal_name}: {metric_text(d.amount, 'money')}, verbal commit "
                f"{day(d.dates.get('verbal'))}, lost {day(d.dates.get('closed'))}"
                for d in lost_items
            ]
            or ["none in the window"],
        )
    )
    if pack.lost is not None:
        blocks.append(Block("paragraph", f"Hypothesis: {pack.lost.hypothesis.statement}."))
        blocks.append(
            Block(
                "table",
                rows=[["Criterion", "Lost deals", "Won deals", "Gap"]]
                + [
                    [g.name, level(g.lost_mean), level(g.won_mean), level(g.gap)]
                    for g in pack.lost.gaps
                ],
            )
        )
    stalled = [pack.evidence[i] for i in pack.buckets.stalled]
    blocks += [
        Block("heading", "Stalled and won deals", 2),
        Block(
            "bullets",
            items=[
                f"Stalled: {d.deal_name} ({metric_text(d.amount, 'money')}): {d.note}"
                for d in stalled
            ]
            + [
                f"Won: {pack.evidence[i].deal_name} ({metric_text(pack.evidence[i].amount, 'money')}) "
                f"on {day(pack.evidence[i].dates.get('closed'))}"
                for i in pack.buckets.won
            ]
            or ["none"],
        ),
    ]
    for name in ("output", "activity"):
        result = pack.dimension(name)
        blocks.append(Block("heading", f"{result.label} metrics", 2))
        blocks.append(
            Block(
                "table",
                rows=[["Metric", "Rep", "Team", "Score", "How"]]
                + [
                    [
                        m.name,
                        metric_text(m.value, m.unit) if m.value is not None else (m.note or "n/a"),
                        metric_text(m.team_value, m.unit),
                        "-" if m.score is None else str(m.score),
                        m.how,
                    ]
                    for m in result.metrics
                ],
            )
        )
    blocks.append(Block("heading", "Skill by criterion", 2))
    blocks.append(
        Block(
            "table",
            rows=[["Criterion", "Weight", "Rep mean", "95% interval", "n", "Team", "Source"]]
            + [
                [
                    line.name,
                    f"{line.weight:g}%",
                    level(line.mean),
                    "-" if line.ci_low is None else f"{line.ci_low:.1f}-{line.ci_high:.1f}",
                    str(line.n),
                    level(line.team_mean),
                    line.source + (" (not trusted: not in the rating)" if line.held_out else ""),
                ]
                for line in pack.skill.lines
            ],
        )
    )
    if pack.manual_review is not None:
        blocks.append(Block("paragraph", pack.manual_review.reason))
        blocks.append(
            Block(
                "bullets",
                items=[
                    f"{c.call_id} ({day(c.day)}, {c.account or 'no account'})"
                    for c in pack.manual_review.calls
                ],
            )
        )
    blocks.append(Block("heading", "Evidence: call moments", 2))
    moments = [e for e in pack.evidence.values() if e.kind == "moment" and e.quote and e.criterion]
    blocks.append(
        Block(
            "bullets",
            items=[
                f"{day(m.day)}, {m.account or 'no account'}, {m.call_id} at {clock(m.start)} "
                f"({m.criterion}, level {m.level}): {quoted(m.quote or '')}"
                for m in sorted(moments, key=lambda m: (m.day or pack.as_of, m.start or 0))
            ]
            or ["no scored call moments"],
        )
    )
    blocks.append(Block("heading", "Growth", 2))
    blocks.append(
        Block(
            "bullets",
            items=[
                f"{g.name}: {level(g.previous_mean)} -> {level(g.current_mean)} "
                f"({'n/a' if g.change is None else f'{g.change:+.2f}'}"
                + (
                    f", 95% CI {g.ci_low:+.2f} to {g.ci_high:+.2f}"
                    if g.ci_low is not None and g.ci_high is not None
                    else ""
                )
                + f"; calls {g.previous_n} and {g.current_n})"
                for g in pack.growth.lines
            ],
        )
    )
    if view.self_assessment is not None:
        blocks.append(Block("heading", "Self-assessment", 2))
        blocks.append(
            Block(
                "bullets",
                items=[
                    f"{DIMENSION_LABELS[d]}: {view.self_assessment.of(d).rating} - "
                    f"{view.self_assessment.of(d).words}"
                    + (
                        f" (gap {g.gap:+d}: {g.reading})"
                        if (g := gaps.get(d.value)) and g.gap is not None
                        else ""
                    )
                    for d in DIMENSIONS
                ],
            )
        )
    plan = view.plan
    items = plan.items if plan is not None else pack.plan.items
    blocks.append(Block("heading", "Development plan", 2))
    blocks.append(Block("paragraph", f"How the gaps are ranked: {pack.plan.leverage_rule}."))
    for item in items:
        blocks.append(Block("paragraph", f"{item.criterion}: {item.behaviour}"))
        blocks.append(Block("bullets", items=item.practice or ["(no practice assignment yet)"]))
    checkpoint = (
        f"Checkpoint: {day(s.checkpoint_on)}, review {pack.plan.checkpoint_calls} calls together"
        if s.checkpoint_on
        else f"Checkpoint: {pack.plan.checkpoint_days} days after the meeting (scheduled when held)"
    )
    blocks.append(Block("paragraph", checkpoint))
    if pack.objections:
        blocks.append(Block("heading", f"Objections heard in {pack.objections_source}", 2))
        blocks.append(
            Block("bullets", items=[f"{quoted(o.name)} ({o.size} times)" for o in pack.objections])
        )
    if view.manager_view and pack.questions:
        blocks.append(Block("heading", "Questions for the conversation", 2))
        blocks.append(Block("bullets", items=[q.text for q in pack.questions]))
    if view.missing:
        blocks.append(Block("heading", "Still missing before the review can close", 2))
        blocks.append(Block("bullets", items=view.missing))
    if view.draft is not None:
        blocks.append(Block("heading", f"Review text (version {view.draft.version})", 2))
        for line in view.draft.text.splitlines():
            stripped = line.strip()
            if stripped.startswith("## "):
                blocks.append(Block("heading", stripped[3:], 3))
            elif stripped.startswith("- "):
                blocks.append(Block("paragraph", stripped[2:]))
            elif stripped and not stripped.startswith("# "):
                blocks.append(Block("paragraph", stripped))
    return blocks
