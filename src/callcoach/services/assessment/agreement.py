"""Rater agreement: human vs human, and machine vs each human rater."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from callcoach.analytics.agreement import (
    TARGET_WITHIN_ONE,
    CriterionAgreement,
    criterion_agreement,
    machine_vs_rater,
)
from callcoach.domain.access import SYSTEM, Viewer
from callcoach.services.assessment.query import (
    MANUAL,
    AssessmentQuery,
    CycleInfo,
    explicit_window,
    load_score_table,
    resolve_scope,
)
from callcoach.store.uow import Store


@dataclass
class RaterComparison:
    """The machine's levels against one rater's, per criterion."""

    rater: str
    criteria: list[CriterionAgreement]


@dataclass
class AgreementReport:
    rubric: str
    scorer: str | None
    period: CycleInfo | None  # None: every rating in the store
    target_within_one: float
    ratings: int
    raters: list[str]
    human: list[CriterionAgreement]
    machine: list[RaterComparison]
    flagged: list[str] = field(default_factory=list)  # criteria with vague anchors
    notes: list[str] = field(default_factory=list)


def build_agreement(
    store: Store, query: AssessmentQuery, viewer: Viewer = SYSTEM
) -> AgreementReport:
    """Agreement on the calls people rated (import source; overrides are corrections, not
    independent ratings), scoped to the calls of reps `viewer` may see."""
    with store.unit_of_work() as uow:
        scope = resolve_scope(uow, query, viewer, require_scores=False)
        window = explicit_window(query)
        since, until = window.bounds() if window else (None, None)
        rows = uow.analytics.human_ratings(
            scope.rubric_pk, since, until, scope.rep_filter, scope=scope.access
        )
        ratings = pd.DataFrame(rows, columns=["pk", "call", "criterion", "rater", "level"])
        machine = None
        if scope.scorer and scope.scorer != MANUAL and not ratings.empty:
            machine = load_score_table(
                uow,
                scope,
                None,
                None,
                rep_ids=scope.rep_filter,
                call_pks=sorted(set(ratings["pk"].tolist())),
                with_overrides=False,
            )
    known = {c.id: c for c in scope.criteria}
    raters = sorted(set(ratings["rater"])) if not ratings.empty else []
    human = []
    for crit in scope.criteria:
        mine = ratings[ratings["criterion"] == crit.id]
        human.append(criterion_agreement(mine, crit.id, crit.name))
    notes = []
    unknown = sorted(set(ratings["criterion"]) - set(known)) if not ratings.empty else []
    if unknown:
        notes.append(
            f"ratings of criteria not in rubric {scope.rubric.rubric.id} v{scope.rubric.version} "
            f"are left out: {', '.join(unknown)}"
        )
    if ratings.empty:
        notes.append(
            "no human ratings yet: import them with `callcoach import ratings FILE.csv` "
            "(columns call_id, rater, criterion_id, level)"
        )
    elif not any(a.calls for a in human):
        notes.append(
            "no call is rated by two or more raters: human-vs-human agreement needs overlap"
        )
    comparisons = []
    if machine is not None and len(machine):
        pk_to_call = dict(zip(ratings["pk"], ratings["call"], strict=False))
        levels = machine.levels.rename(index=pk_to_call)
        machine_name = f"machine ({scope.scorer})"
        for rater in raters:
            items = []
            for crit in scope.criteria:
                column = levels[crit.id].dropna()
                machine_frame = pd.DataFrame({"call": column.index, "level": column.to_numpy()})
                mine = ratings[(ratings["criterion"] == crit.id) & (ratings["rater"] == rater)]
                items.append(
                    machine_vs_rater(machine_frame, mine, machine_name, crit.id, crit.name)
                )
            comparisons.append(RaterComparison(rater=rater, criteria=items))
    elif not ratings.empty:
        notes.append(
            "no machine scores on the rated calls: machine-vs-human needs `callcoach score`"
        )
    return AgreementReport(
        rubric=scope.rubric.rubric.id,
        scorer=scope.scorer or None,
        period=CycleInfo.of(window) if window else None,
        target_within_one=TARGET_WITHIN_ONE,
        ratings=len(ratings),
        raters=raters,
        human=human,
        machine=comparisons,
        flagged=[a.criterion_id for a in human if a.flag],
        notes=notes,
    )
