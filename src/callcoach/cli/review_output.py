"""Printing reviews for people: the pack, a review, lists (shared with `callcoach demo`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.markup import escape

from callcoach.cli.analytics import say
from callcoach.cli.output import console, table


def _num(value: float | None, unit: str) -> str:
    from callcoach.analytics.reviews_format import metric_text

    return metric_text(value, unit)


def summary_rows(reviews: Sequence[Any]) -> list[list[Any]]:
    from callcoach.services.reviews.views import quick_missing

    return [
        [
            r.id,
            r.rep,
            r.team or "",
            r.as_of.isoformat(),
            r.state,
            "yes" if r.self_assessed else "no",
            ", ".join(quick_missing(r)) if r.state != "closed" else "",
        ]
        for r in reviews
    ]


def print_pack(pack: Any) -> None:
    from callcoach.analytics.reviews_format import clock, day, level

    tenure = "unknown" if pack.tenure_months is None else f"{pack.tenure_months:.1f} months"
    say(
        f"[bold]{escape(pack.rep)}[/] ({escape(pack.team or 'no team')}) · window "
        f"{day(pack.window_start)} to {day(pack.as_of)} · tenure {tenure} ({pack.stage}) · rubric "
        f"{pack.rubric} v{pack.rubric_version} · scorer {pack.scorer or 'none'}"
    )
    c = pack.counts
    say(
        f"Evidence: {c.calls} calls ({c.scored_calls} scored, {c.manual_calls} rated by hand), "
        f"{c.deals_touched} deals touched ({c.won} won, {c.lost_after_verbal} lost after a verbal "
        f"commitment, {c.stalled} stalled), {c.activity_days} activity days, {c.quota_periods} "
        f"quota periods, {c.coaching_events} coaching sessions ({c.coaching_verdicts} measured)."
    )
    for thin in pack.thin:
        say(f"[yellow]thin:[/] {escape(thin)}")
    say(f"Weights: {escape(pack.weights_rule)}.")
    console.print(
        table(
            "Dimensions (proposed ratings: the manager decides)",
            ["dimension", "weight", "proposed", "why"],
            [[d.label, f"{d.weight:.0f}%", d.proposed or "-", d.reason] for d in pack.dimensions],
        )
    )
    if pack.overall_proposed is not None:
        say(f"Weighted proposed overall: {pack.overall_proposed:.2f}")
    rows = []
    for dim in pack.dimensions:
        for m in dim.metrics:
            rows.append(
                [
                    dim.label,
                    m.name,
                    _num(m.value, m.unit) if m.value is not None else (m.note or "-"),
                    _num(m.team_value, m.unit),
                    m.score or "-",
                ]
            )
    for line in pack.skill.lines:
        rows.append(
            [
                "Skill",
                line.name,
                level(line.mean),
                level(line.team_mean),
                f"n={line.n} {line.source}",
            ]
        )
    for g in pack.growth.lines:
        rows.append(
            ["Growth", g.name, "n/a" if g.change is None else f"{g.change:+.2f}", "", g.note or ""]
        )
    console.print(
        table("Metrics against the team", ["dimension", "metric", "rep", "team", "score"], rows)
    )
    say("[bold]Deals lost after a verbal commitment[/] (first: the highest-value coaching signal)")
    for deal_id in pack.buckets.lost_after_verbal:
        d = pack.evidence[deal_id]
        say(
            f"  - {escape(d.deal_name or '')}: {_num(d.amount, 'money')}, verbal {day(d.dates.get('verbal'))}, lost {day(d.dates.get('closed'))}"
        )
    if pack.lost is not None:
        say(
            f"  Hypothesis ({pack.lost.hypothesis.verdict}): {escape(pack.lost.hypothesis.statement)}"
        )
    for deal_id in pack.buckets.stalled:
        d = pack.evidence[deal_id]
        say(
            f"  stalled: {escape(d.deal_name or '')} ({_num(d.amount, 'money')}): {escape(d.note or '')}"
        )
    if pack.objections:
        say(f"[bold]Objections heard[/] in {pack.objections_source}:")
        for o in pack.objections:
            say(f"  - “{escape(o.name)}” ({o.size})")
    say("[bold]Questions to prepare[/]")
    for q in pack.questions:
        say(f"  - {escape(q.text)}")
    say("[bold]Feedback anchored to moments[/]")
    for f in pack.feedback:
        say(f"  - {escape(f.text)}")
    say("[bold]Development plan[/] (" + escape(pack.plan.leverage_rule) + ")")
    for gap in pack.plan.gaps[:4]:
        r = "n/a" if gap.association is None else f"{gap.association:.2f}"
        say(
            f"  {escape(gap.name)}: weighted gap {gap.weighted_gap:.3f} x (1 + r+ {r}) = leverage {gap.leverage:.3f}"
        )
    for item in pack.plan.items:
        say(f"  [bold]{escape(item.criterion)}[/]: {escape(item.behaviour)}")
        for p in item.practice:
            say(f"    - {escape(p)}")
    if pack.manual_review is not None:
        say(
            f"[yellow]{escape(pack.manual_review.reason)}[/] (about {pack.manual_review.minutes} minutes)"
        )
        for call in pack.manual_review.calls:
            say(f"  - {escape(call.call_id)} ({day(call.day)}, {escape(call.account or '')})")
    for note in pack.notes:
        say(f"[dim]note:[/] {escape(note)}")
    del clock


def print_review(view: Any) -> None:
    s = view.summary
    say(
        f"[bold]Review {s.id}[/]: {escape(s.rep)} · {s.state} · as of {s.as_of.isoformat()} · prepared by {escape(s.manager or '')}"
    )
    if view.pack is None:
        say(escape(view.message or ""))
        return
    print_pack(view.pack)
    if view.gaps:
        console.print(
            table(
                "Self-assessment and perception gaps (self minus evidence)",
                ["dimension", "self", "evidence", "gap", "for the conversation"],
                [
                    [
                        g.dimension,
                        g.self_rating,
                        g.evidence_rating or "-",
                        "-" if g.gap is None else (f"{g.gap:+d}" if g.gap else "0"),
                        g.reading,
                    ]
                    for g in view.gaps
                ],
            )
        )
    if view.final_ratings:
        say("Final ratings: " + ", ".join(f"{k} {v.rating}" for k, v in view.final_ratings.items()))
    if view.draft is not None:
        counts = view.draft.check.summary()
        say(
            f"Text: version {view.draft.version} ({view.draft.source}); {counts['flagged']} flagged, {counts['generic']} generic sentences."
        )
    if view.missing:
        say("[yellow]Missing before it can close:[/] " + escape("; ".join(view.missing)))


def pdf_folder(url: str) -> Any:
    """Where the demo's PDF goes: beside a SQLite database file, else the current folder."""
    from pathlib import Path

    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        return Path(url.removeprefix("sqlite:///")).resolve().parent
    return Path.cwd()


def run_demo_reviews(container: Any, summary: Any, scorer: str) -> Any:
    """The demo's review cycle (section 5 of `callcoach demo`); its PDF goes beside the
    database file (or to the current folder). A failure is reported, not fatal."""

    from callcoach.cli.output import RichProgress
    from callcoach.services.common import ServiceError
    from callcoach.services.demo.reviews import demo_review_cycle

    try:
        with RichProgress() as progress:
            return demo_review_cycle(
                container.store,
                summary,
                container.settings,
                scorer,
                pdf_folder(container.store.database.url),
                progress,
            )
    except ServiceError as exc:
        say(f"[yellow]review cycle skipped:[/] {escape(str(exc))}")
        return None


def demo_review_json(cycle: Any) -> Any:
    if cycle is None:
        return None
    from callcoach.services.reviews.views_json import finite, view_json

    return {
        "team": cycle.team,
        "prepared": finite(cycle.preparation.prepared),
        "self_assessed": cycle.self_assessed,
        "review": view_json(cycle.review),
        "pdf": str(cycle.pdf),
    }


def print_demo_review(cycle: Any) -> None:
    """One rep's review summary, as `callcoach review show` prints it, and where its PDF is."""
    from callcoach.analytics.reviews_format import day

    prepared = len(cycle.preparation.prepared)
    say(
        f"`callcoach review prepare --team {escape(cycle.team)}` prepared {prepared} review packs "
        f"as of {day(cycle.preparation.as_of)}; {len(cycle.self_assessed)} reps have entered "
        f"their self-assessment ({escape(', '.join(cycle.self_assessed))}), the others not yet."
    )
    view = cycle.review
    pack = view.pack
    s = view.summary
    say(f"\n[bold]Review {s.id}: {escape(s.rep)}[/] (`callcoach review show {s.id}`)")
    console.print(
        table(
            None,
            ["dimension", "weight", "proposed", "self", "gap", "why"],
            [
                [
                    d.label,
                    f"{d.weight:.0f}%",
                    d.proposed or "-",
                    next((g.self_rating for g in view.gaps if g.dimension == d.dimension), "-"),
                    next(
                        (
                            f"{g.gap:+d}" if g.gap else "0"
                            for g in view.gaps
                            if g.dimension == d.dimension and g.gap is not None
                        ),
                        "-",
                    ),
                    d.reason,
                ]
                for d in pack.dimensions
            ],
        )
    )
    if pack.lost is not None:
        say(
            f"Lost after a verbal commitment: {len(pack.buckets.lost_after_verbal)} deal(s); the usual explanation {escape(pack.lost.hypothesis.statement)}."
        )
    for q in pack.questions[:3]:
        say(f"  question: {escape(q.text)}")
    for item in pack.plan.items[:1]:
        say(
            f"  plan: {escape(item.criterion)}: {escape(item.practice[0]) if item.practice else ''}"
        )
    counts = cycle.draft.check.summary()
    say(
        f"The written review (`callcoach review draft {s.id}`): {counts['sentences']} sentences, "
        f"{counts['ok']} citing evidence that holds what they say, {counts['generic']} generic, "
        f"{counts['flagged']} flagged."
    )
    say(f"[bold]PDF for the meeting[/]: {escape(str(cycle.pdf))}")
