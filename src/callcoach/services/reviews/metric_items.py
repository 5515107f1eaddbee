"""Metric evidence items: every figure of the pack as an item sentences can cite."""

from __future__ import annotations

from collections.abc import Sequence

from callcoach.analytics.reviews_lost import LostAnalysis
from callcoach.analytics.reviews_pack import DimensionResult, PlanProposal
from callcoach.analytics.reviews_skill import GrowthResult, SkillResult
from callcoach.domain.reviews import EvidenceItem, EvidenceKind, ReviewParameters, metric_id


def _present(*values: float | None) -> list[float]:
    return [float(v) for v in values if v is not None]


def dimension_items(dimensions: Sequence[DimensionResult]) -> list[EvidenceItem]:
    items = []
    for dim in dimensions:
        items.append(
            EvidenceItem(
                id=metric_id(dim.dimension, "rating"),
                kind=EvidenceKind.METRIC.value,
                label=f"{dim.label}: proposed rating",
                dimension=dim.dimension,
                metric="rating",
                value=None if dim.proposed is None else float(dim.proposed),
                rating=dim.proposed,
                unit="rating",
                numbers=[dim.weight],
            )
        )
        for metric in dim.metrics:
            items.append(
                EvidenceItem(
                    id=metric_id(dim.dimension, metric.metric),
                    kind=EvidenceKind.METRIC.value,
                    label=f"{dim.label}: {metric.name}",
                    dimension=dim.dimension,
                    metric=metric.metric,
                    value=metric.value,
                    team_value=metric.team_value,
                    unit=metric.unit,
                    n=metric.n,
                    numbers=_present(metric.score),
                )
            )
    return items


def skill_items(skill: SkillResult) -> list[EvidenceItem]:
    items = [
        EvidenceItem(
            id=metric_id("skill", "overall"),
            kind=EvidenceKind.METRIC.value,
            label="Skill: weighted overall level",
            dimension="skill",
            metric="overall",
            value=skill.overall,
            team_value=skill.team_overall,
            unit="level",
            n=skill.calls,
            numbers=_present(skill.overall_low, skill.overall_high),
            manual=skill.source == "manual",
        )
    ]
    for line in skill.lines:
        items.append(
            EvidenceItem(
                id=metric_id("skill", line.criterion_id),
                kind=EvidenceKind.METRIC.value,
                label=f"Skill: {line.name}",
                dimension="skill",
                metric=line.criterion_id,
                criterion_id=line.criterion_id,
                criterion=line.name,
                value=line.mean,
                team_value=line.team_mean,
                unit="level",
                n=line.n,
                numbers=_present(line.ci_low, line.ci_high, line.weight),
                manual=line.source == "manual",
            )
        )
    return items


def growth_items(growth: GrowthResult) -> list[EvidenceItem]:
    return [
        EvidenceItem(
            id=metric_id("growth", line.criterion_id),
            kind=EvidenceKind.METRIC.value,
            label=f"Growth: {line.name}",
            dimension="growth",
            metric=line.criterion_id,
            criterion_id=None if line.criterion_id == "overall" else line.criterion_id,
            criterion=None if line.criterion_id == "overall" else line.name,
            value=line.change,
            unit="level",
            numbers=_present(
                line.previous_mean,
                line.current_mean,
                line.ci_low,
                line.ci_high,
                line.previous_n,
                line.current_n,
                95.0,  # the interval's confidence level, as the sentence states it
            ),
            dates={"previous_start": growth.previous_start, "current_start": growth.current_start},
        )
        for line in growth.lines
    ]


def lost_items(lost: LostAnalysis | None, params: ReviewParameters) -> list[EvidenceItem]:
    if lost is None:
        return []
    return [
        EvidenceItem(
            id=metric_id("lost", gap.criterion_id),
            kind=EvidenceKind.METRIC.value,
            label=f"Lost after verbal vs won: {gap.name}",
            dimension="lost",
            metric=gap.criterion_id,
            criterion_id=gap.criterion_id,
            criterion=gap.name,
            value=gap.lost_mean,
            team_value=gap.won_mean,
            unit="level",
            numbers=_present(gap.gap, params.hypothesis_min_gap, gap.lost_deals, gap.won_deals),
        )
        for gap in lost.gaps
    ]


def plan_items(plan: PlanProposal) -> list[EvidenceItem]:
    gaps = {g.criterion_id: g for g in plan.gaps}
    items = []
    for rank, item in enumerate(plan.items, 1):
        gap = gaps[item.criterion_id]
        items.append(
            EvidenceItem(
                id=metric_id("plan", item.criterion_id),
                kind=EvidenceKind.METRIC.value,
                label=f"Plan: {item.criterion}",
                dimension="plan",
                metric=item.criterion_id,
                criterion_id=item.criterion_id,
                criterion=item.criterion,
                value=gap.leverage,
                unit="leverage",
                numbers=_present(
                    gap.rep_mean,
                    gap.benchmark,
                    gap.weighted_gap,
                    gap.association,
                    gap.weight,
                    rank,  # its place in the plan ("Focus 1")
                ),
                words=item.behaviour,
                names=[gap.basis],
            )
        )
    items.append(
        EvidenceItem(
            id=metric_id("plan", "checkpoint"),
            kind=EvidenceKind.METRIC.value,
            label="Plan: 30-day checkpoint",
            dimension="plan",
            metric="checkpoint",
            numbers=[float(plan.checkpoint_days), float(plan.checkpoint_calls)],
        )
    )
    return items
