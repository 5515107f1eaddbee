"""Deals lost after a verbal commitment: where their calls fell short of the rep's won deals,
and whether the usual explanation holds for this rep.

The usual explanation (seed hypothesis): a deal lost after a verbal commitment is "almost always
an objection-handling or urgency gap, not prospecting". The deal reached a verbal commitment, so
finding and qualifying it worked; the test is whether the criteria that separate this rep's lost
deals from their won ones are the rubric's objection-handling and urgency criteria.

Which criteria those are: `hypothesis_criteria` when the organisation names them
(CALLCOACH_REVIEW_HYPOTHESIS_CRITERIA), else the rubric's criteria whose id, name or description
contains one of `HYPOTHESIS_KEYWORDS` (a documented default, not a list written for one rubric).

Each deal counts once: its level per criterion is the mean over its scored calls
(analytics/outcomes.deal_levels). gap = mean over won deals - mean over lost deals.
Verdict: "holds" when the criterion with the largest gap is a hypothesis criterion and its gap is
at least `hypothesis_min_gap`; "partly" when a hypothesis criterion has such a gap but another
criterion's is larger; "does not hold" otherwise; "cannot be tested" without scored calls on
both sides or without a hypothesis criterion in the rubric.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from callcoach.analytics.levels import DEAL, CriterionInfo, ScoreTable
from callcoach.analytics.outcomes import deal_levels

# Words that mark an objection-handling or urgency criterion in a rubric's own text.
HYPOTHESIS_KEYWORDS = ("objection", "urgency", "urgent", "cost of inaction", "cost of waiting")


def hypothesis_criteria(
    criteria: Sequence[CriterionInfo], named: Sequence[str], descriptions: dict[str, str]
) -> tuple[list[str], str]:
    """(criterion ids the hypothesis names, how they were found)."""
    known = {c.id for c in criteria}
    if named:
        chosen = [c for c in named if c in known]
        return chosen, "named by the organisation (CALLCOACH_REVIEW_HYPOTHESIS_CRITERIA)"
    chosen = []
    for crit in criteria:
        text = f"{crit.id} {crit.name} {descriptions.get(crit.id, '')}".lower().replace("_", " ")
        if any(word in text for word in HYPOTHESIS_KEYWORDS):
            chosen.append(crit.id)
    return chosen, (
        "found by keywords in the criteria's ids, names and descriptions ("
        + ", ".join(HYPOTHESIS_KEYWORDS)
        + "); set CALLCOACH_REVIEW_HYPOTHESIS_CRITERIA to name them"
    )


@dataclass
class CriterionGap:
    criterion_id: str
    name: str
    lost_mean: float | None
    won_mean: float | None
    gap: float | None  # won - lost
    lost_deals: int
    won_deals: int
    in_hypothesis: bool


@dataclass
class HypothesisTest:
    verdict: str  # holds, partly, does not hold, cannot be tested
    statement: str
    criteria: list[str]  # the hypothesis criteria (ids)
    how_found: str


@dataclass
class LostAnalysis:
    lost_deals: int  # lost after a verbal commitment in the window
    lost_with_scores: int
    won_deals: int  # the comparison: the rep's won deals with scored calls
    comparison: str  # which won deals
    gaps: list[CriterionGap]
    hypothesis: HypothesisTest
    moments: list[str] = field(default_factory=list)  # evidence ids of the lowest moments


def lost_vs_won(
    table: ScoreTable,
    lost: Sequence[int],
    won: Sequence[int],
    hypothesis: Sequence[str],
    how_found: str,
    min_gap: float,
    comparison: str,
) -> LostAnalysis:
    """Criteria ranked by how far the lost-after-verbal deals' calls fell below the won deals'."""
    outcome = pd.Series([False] * len(lost) + [True] * len(won), index=[*lost, *won], dtype=bool)
    outcome = outcome[~outcome.index.duplicated(keep="first")]
    deal_of_call = table.calls[DEAL]
    frame = deal_levels(table, deal_of_call, outcome)
    lost_frame = frame[frame["won"] == 0] if len(frame) else frame
    won_frame = frame[frame["won"] == 1] if len(frame) else frame
    gaps = []
    for crit in table.criteria:
        lost_values = lost_frame[crit.id].dropna() if len(lost_frame) else pd.Series(dtype=float)
        won_values = won_frame[crit.id].dropna() if len(won_frame) else pd.Series(dtype=float)
        lost_mean = float(lost_values.mean()) if len(lost_values) else None
        won_mean = float(won_values.mean()) if len(won_values) else None
        gap = won_mean - lost_mean if lost_mean is not None and won_mean is not None else None
        gaps.append(
            CriterionGap(
                crit.id,
                crit.name,
                lost_mean,
                won_mean,
                gap,
                len(lost_values),
                len(won_values),
                crit.id in hypothesis,
            )
        )
    gaps.sort(key=lambda g: (g.gap is None, -(g.gap if g.gap is not None else 0.0)))
    names = {c.id: c.name for c in table.criteria}
    test = test_hypothesis(gaps, list(hypothesis), how_found, min_gap, names, len(lost_frame))
    return LostAnalysis(
        lost_deals=len(lost),
        lost_with_scores=len(lost_frame),
        won_deals=len(won_frame),
        comparison=comparison,
        gaps=gaps,
        hypothesis=test,
    )


def test_hypothesis(
    gaps: Sequence[CriterionGap],
    hypothesis: list[str],
    how_found: str,
    min_gap: float,
    names: dict[str, str],
    lost_scored: int,
) -> HypothesisTest:
    named = " or ".join(names[c] for c in hypothesis) or "none"
    if not hypothesis:
        return HypothesisTest(
            "cannot be tested",
            "the rubric has no objection-handling or urgency criterion to test the usual "
            "explanation against (name them with CALLCOACH_REVIEW_HYPOTHESIS_CRITERIA)",
            [],
            how_found,
        )
    defined = [g for g in gaps if g.gap is not None]
    if not lost_scored or not defined:
        return HypothesisTest(
            "cannot be tested",
            "no scored calls on both sides (deals lost after a verbal commitment, and won "
            "deals) to compare",
            hypothesis,
            how_found,
        )
    top = defined[0]
    material = [g for g in defined if g.in_hypothesis and g.gap is not None and g.gap >= min_gap]
    if top.in_hypothesis and top.gap is not None and top.gap >= min_gap:
        verdict = "holds"
        statement = (
            f"holds for this rep: the largest gap between won and lost-after-verbal deals is "
            f"{top.name} ({top.gap:.2f} levels), an objection-handling or urgency criterion, "
            "while the deals reached a verbal commitment (prospecting got them there)"
        )
    elif material:
        first = material[0]
        assert first.gap is not None and top.gap is not None
        verdict = "partly"
        statement = (
            f"holds in part: {first.name} trails by {first.gap:.2f} levels, but the largest gap "
            f"is {top.name} ({top.gap:.2f} levels)"
        )
    else:
        assert top.gap is not None
        verdict = "does not hold"
        statement = (
            f"does not hold for this rep: {named} trail by less than {min_gap:g} levels; the "
            f"largest gap is {top.name} ({top.gap:.2f} levels)"
        )
    return HypothesisTest(verdict, statement, hypothesis, how_found)


def lowest_calls(
    table: ScoreTable, deals: Sequence[int], criteria: Sequence[str], per_criterion: int
) -> list[tuple[int, str, int]]:
    """(call pk, criterion, level) of the lowest-level calls of these deals on each criterion,
    most recent first among equal levels; one call per criterion pick."""
    linked = table.calls[DEAL].isin(list(deals)).to_numpy()
    picked: list[tuple[int, str, int]] = []
    calls = table.calls[linked]
    levels = table.levels[linked]
    for crit in criteria:
        column = levels[crit].dropna()
        if column.empty:
            continue
        order = pd.DataFrame({"level": column, "date": calls.loc[column.index, "date"]})
        order = order.sort_values(["level", "date"], ascending=[True, False], kind="stable")
        for call, row in order.head(per_criterion).iterrows():
            picked.append((int(np.int64(call)), crit, int(row["level"])))
    return picked
