"""Outcomes: which criteria go with winning deals, and the weights that would follow.

Seed rules: for calls linked to closed deals (won or lost), each criterion's relation to winning
(point-biserial correlation, with a bootstrap 95% confidence interval and n; a logistic
regression gives the odds ratio per level), suggested weights proportional to the positive,
significant associations, summing to 100, next to the current weights; a warning when fewer
than 50 won deals back the analysis; and when two consecutive cycles show no criterion related
to outcomes: "the rubric may be measuring the wrong behaviours".

The unit of analysis is the deal: each closed deal gets the mean level of its linked calls, so a
deal with many calls does not count many times.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from callcoach.analytics.agreement import Statistic
from callcoach.analytics.levels import CriterionInfo, ScoreTable, group_keys

MIN_WON_DEALS = 50
BOOTSTRAP_RESAMPLES = 2000
WRONG_BEHAVIOURS = "the rubric may be measuring the wrong behaviours"


def too_few_won(won: int) -> str:
    return (
        f"only {won} won deal(s) back this analysis ({MIN_WON_DEALS} advised): treat the "
        "associations as indicative, not as proof"
    )


@dataclass(frozen=True)
class CriterionOutcome:
    criterion_id: str
    name: str
    n: int  # deals
    won: int
    mean_won: float | None
    mean_lost: float | None
    correlation: Statistic  # point-biserial r between the deal's mean level and winning
    p_value: float | None
    ci_low: float | None  # bootstrap 95% interval of r
    ci_high: float | None
    odds_ratio: Statistic  # per level, from a logistic regression of winning on the level
    significant: bool  # the bootstrap interval excludes 0
    direction: str  # "positive", "negative" or "none"


def deal_levels(table: ScoreTable, deal_of_call: pd.Series, won_of_deal: pd.Series) -> pd.DataFrame:
    """One row per closed deal: the mean level of its calls per criterion, and `won` (0/1)."""
    linked = deal_of_call.reindex(table.levels.index)
    mask = linked.notna() & linked.isin(won_of_deal.index)
    levels = table.levels[mask.to_numpy()]
    deals = linked[mask].to_numpy()
    if levels.empty:
        return pd.DataFrame(columns=[*table.criterion_ids, "won"])
    frame = levels.groupby(group_keys(deals)).mean()
    frame["won"] = won_of_deal.reindex(frame.index).astype(int).to_numpy()
    return frame


def _bootstrap_ci(
    levels: np.ndarray, won: np.ndarray, seed: int
) -> tuple[float | None, float | None]:
    """Percentile 95% interval of r over deals resampled with replacement (scipy's bootstrap).

    A resample where every deal has the same outcome or level has no correlation; such
    resamples are dropped rather than poisoning the interval with NaN.
    """

    def correlation(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
        return np.asarray(stats.pearsonr(x, y, axis=axis).statistic)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = stats.bootstrap(
            (levels, won),
            correlation,
            paired=True,
            vectorized=True,
            n_resamples=BOOTSTRAP_RESAMPLES,
            confidence_level=0.95,
            method="percentile",
            rng=np.random.default_rng(seed),
        )
    distribution = np.asarray(result.bootstrap_distribution, dtype=float)
    distribution = distribution[np.isfinite(distribution)]
    if len(distribution) < BOOTSTRAP_RESAMPLES // 2:
        return None, None
    low, high = np.percentile(distribution, [2.5, 97.5])
    return float(low), float(high)


def _odds_ratio(levels: np.ndarray, won: np.ndarray) -> Statistic:
    import statsmodels.api as sm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = sm.Logit(won, sm.add_constant(levels, has_constant="add")).fit(disp=False)
        except Exception as exc:  # statsmodels raises several types on separation/singularity
            return Statistic.undefined(f"logistic regression failed: {exc}".splitlines()[0])
    beta = float(model.params[1])
    if not np.isfinite(beta) or abs(beta) > 20:
        return Statistic.undefined("undefined: the level separates won from lost perfectly")
    return Statistic(math.exp(beta))


def criterion_outcome(
    levels: np.ndarray, won: np.ndarray, crit: CriterionInfo, seed: int = 0
) -> CriterionOutcome:
    """How one criterion's level relates to winning across deals."""
    present = ~np.isnan(levels)
    x = levels[present].astype(float)
    y = won[present].astype(float)
    n = len(x)
    n_won = int(y.sum())
    mean_won = float(x[y == 1].mean()) if n_won else None
    mean_lost = float(x[y == 0].mean()) if n - n_won else None
    base: dict[str, Any] = {
        "criterion_id": crit.id,
        "name": crit.name,
        "n": n,
        "won": n_won,
        "mean_won": mean_won,
        "mean_lost": mean_lost,
    }
    reason = None
    if n < 4:
        reason = f"too few closed deals ({n}; 4 or more needed)"
    elif n_won == 0 or n_won == n:
        reason = "undefined: every deal has the same outcome"
    elif len(np.unique(x)) < 2:
        reason = "undefined: every deal has the same level (no variance)"
    if reason:
        return CriterionOutcome(
            **base,
            correlation=Statistic.undefined(reason),
            p_value=None,
            ci_low=None,
            ci_high=None,
            odds_ratio=Statistic.undefined(reason),
            significant=False,
            direction="none",
        )
    r, p = stats.pointbiserialr(y, x)
    low, high = _bootstrap_ci(x, y, seed)
    significant = low is not None and high is not None and (low > 0 or high < 0)
    direction = "none"
    if significant:
        direction = "positive" if r > 0 else "negative"
    return CriterionOutcome(
        **base,
        correlation=Statistic(float(r)),
        p_value=float(p),
        ci_low=low,
        ci_high=high,
        odds_ratio=_odds_ratio(x, y),
        significant=significant,
        direction=direction,
    )


def outcome_relations(
    deals: pd.DataFrame, criteria: Sequence[CriterionInfo], seed: int = 0
) -> list[CriterionOutcome]:
    won = deals["won"].to_numpy(dtype=float) if len(deals) else np.array([])
    return [
        criterion_outcome(
            deals[c.id].to_numpy(dtype=float) if len(deals) else np.array([]), won, c, seed
        )
        for c in criteria
    ]


def largest_remainder(shares: Mapping[str, float], total: int = 100) -> dict[str, int]:
    """Integers proportional to `shares` that sum exactly to `total` (Hamilton's method)."""
    positive = {k: v for k, v in shares.items() if v > 0}
    mass = sum(positive.values())
    if mass <= 0:
        return {k: 0 for k in shares}
    exact = {k: total * v / mass for k, v in positive.items()}
    result = {k: math.floor(v) for k, v in exact.items()}
    left = total - sum(result.values())
    order = sorted(exact, key=lambda k: (-(exact[k] - result[k]), -exact[k], k))
    for key in order[:left]:
        result[key] += 1
    return {k: result.get(k, 0) for k in shares}


def suggested_weights(relations: Sequence[CriterionOutcome]) -> dict[str, int] | None:
    """Weights proportional to the positive, significant correlations; None if there are none."""
    shares = {
        r.criterion_id: (r.correlation.value or 0.0) if r.direction == "positive" else 0.0
        for r in relations
    }
    if not any(v > 0 for v in shares.values()):
        return None
    return largest_remainder(shares)


def any_related(relations: Sequence[CriterionOutcome]) -> bool:
    return any(r.significant for r in relations)


def analysable(relations: Sequence[CriterionOutcome]) -> bool:
    """Whether the cycle had data enough for at least one defined correlation."""
    return any(r.correlation.value is not None for r in relations)
