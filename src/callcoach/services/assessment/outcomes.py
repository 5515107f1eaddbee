"""Outcome analysis: which criteria go with won deals, and suggested weights."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from callcoach.analytics.cycles import Cycle
from callcoach.analytics.levels import ScoreTable
from callcoach.analytics.outcomes import (
    MIN_WON_DEALS,
    WRONG_BEHAVIOURS,
    CriterionOutcome,
    analysable,
    any_related,
    deal_levels,
    outcome_relations,
    suggested_weights,
    too_few_won,
)
from callcoach.domain.access import SYSTEM, Viewer
from callcoach.services.assessment.query import (
    AssessmentQuery,
    CycleInfo,
    Question,
    load_score_table,
    resolve_scope,
)
from callcoach.services.common import ServiceError
from callcoach.store.uow import Store, UnitOfWork


@dataclass(frozen=True)
class WeightLine:
    criterion_id: str
    name: str
    current_weight: float
    suggested_weight: int | None
    relation: CriterionOutcome


@dataclass
class OutcomesReport:
    rubric: str
    rubric_version: int
    scorer: str
    cycle: CycleInfo
    previous_cycle: CycleInfo
    deals: int
    won: int
    lost: int
    criteria: list[WeightLine]
    suggested_weights: dict[str, int] | None
    related_now: bool
    related_previous: bool | None  # None: the previous cycle had too little data to say
    warnings: list[str] = field(default_factory=list)
    conclusion: str = ""


def _relations(
    uow: UnitOfWork, scope: Question, cycle: Cycle, seed: int
) -> tuple[pd.DataFrame, list[CriterionOutcome]]:
    since, until = cycle.bounds()
    table = load_score_table(uow, scope, since, until, rep_ids=scope.rep_filter)
    links = uow.analytics.call_deals(since, until, scope.rep_filter, scope=scope.access)
    return _deal_relations(scope, table, links, seed)


def _deal_relations(
    scope: Question, table: ScoreTable, call_deals: list[tuple[int, int, str]], seed: int
) -> tuple[pd.DataFrame, list[CriterionOutcome]]:
    links = pd.DataFrame(call_deals, columns=["call", "deal", "outcome"])
    deal_of_call = links.set_index("call")["deal"]
    won = links.drop_duplicates("deal").set_index("deal")["outcome"].eq("won")
    deals = deal_levels(table, deal_of_call, won)
    return deals, outcome_relations(deals, scope.criteria, seed)


def _conclusion(report: OutcomesReport) -> str:
    if report.deals == 0:
        return (
            "no scored calls are linked to closed deals in this cycle: import deals "
            "(`callcoach import deals`) and link calls to them"
        )
    if report.suggested_weights:
        keys = [line.name for line in report.criteria if (line.suggested_weight or 0) > 0]
        return (
            f"{', '.join(keys)} go with winning; the suggested weights put the rubric's emphasis "
            "where the wins are (review them before changing the rubric)"
        )
    if report.related_now:
        return "only negative associations: no weight suggestion (look at how those criteria are scored)"
    if report.related_previous is False:
        return f"no criterion related to outcomes two cycles running: {WRONG_BEHAVIOURS}"
    return "no criterion is clearly related to outcomes in this cycle; keep the current weights"


def _last_won(
    uow: UnitOfWork, scope: Question, count: int, seed: int
) -> tuple[CycleInfo, pd.DataFrame, list[CriterionOutcome]]:
    """The method's calibration step: the last `count` won deals, with the deals lost since the
    earliest of them, each judged on all of its scored calls whatever their date."""
    won = uow.analytics.last_won_deals(count, scope.rep_filter, scope=scope.access)
    if not won:
        raise ServiceError("no won deals to analyse: import deals (`callcoach import deals`)")
    dated = [d for _, d in won if d is not None]
    first = min(dated) if dated else None
    links = uow.analytics.closed_deal_calls(
        [pk for pk, _ in won], first, scope.rep_filter, scope=scope.access
    )
    calls = sorted({call for call, _, _ in links})
    table = load_score_table(uow, scope, None, None, rep_ids=scope.rep_filter, call_pks=calls)
    deals, relations = _deal_relations(scope, table, links, seed)
    last = max(dated) if dated else None
    window = CycleInfo(
        label=f"last {len(won)} won deals",
        start=first or scope.cycle.start,
        end=last or scope.cycle.last_day,
    )
    return window, deals, relations


def build_outcomes(
    store: Store,
    query: AssessmentQuery,
    viewer: Viewer = SYSTEM,
    seed: int = 0,
    won_deals: int | None = None,
) -> OutcomesReport:
    """Each criterion's relation to winning over the cycle's calls linked to closed deals, or
    (`won_deals`) over the last N won deals and the deals lost since the first of them."""
    if won_deals is not None and won_deals < 1:
        raise ServiceError(f"--won must be at least 1, got {won_deals}")
    with store.unit_of_work() as uow:
        scope = resolve_scope(uow, query, viewer)
        previous = scope.cycle.previous()
        if won_deals is not None:
            window, deals, relations = _last_won(uow, scope, won_deals, seed)
            before: list[CriterionOutcome] = []
        else:
            window = CycleInfo.of(scope.cycle)
            deals, relations = _relations(uow, scope, scope.cycle, seed)
            _, before = _relations(uow, scope, previous, seed)
    suggestion = suggested_weights(relations)
    weights = {c.id: c.weight for c in scope.criteria}
    lines = [
        WeightLine(
            criterion_id=r.criterion_id,
            name=r.name,
            current_weight=weights[r.criterion_id],
            suggested_weight=suggestion.get(r.criterion_id) if suggestion else None,
            relation=r,
        )
        for r in relations
    ]
    won = int(deals["won"].sum()) if len(deals) else 0
    warnings = []
    if won < MIN_WON_DEALS:
        warnings.append(too_few_won(won))
    report = OutcomesReport(
        rubric=scope.rubric.rubric.id,
        rubric_version=scope.rubric.version,
        scorer=scope.scorer,
        cycle=window,
        previous_cycle=CycleInfo.of(previous),
        deals=len(deals),
        won=won,
        lost=len(deals) - won,
        criteria=lines,
        suggested_weights=suggestion,
        related_now=any_related(relations),
        related_previous=any_related(before) if before and analysable(before) else None,
        warnings=warnings,
    )
    if not report.related_now and report.related_previous is False and analysable(relations):
        report.warnings.append(
            f"no criterion related to outcomes in {previous.label} nor {scope.cycle.label}: "
            f"{WRONG_BEHAVIOURS}"
        )
    report.conclusion = _conclusion(report)
    return report
