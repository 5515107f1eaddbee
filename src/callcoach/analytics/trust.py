"""Machine-versus-people agreement per criterion, with confidence intervals, and its trust state.

Inputs are read out of fold (services/scoring/trust.py): every judged moment and every rated
level is the machine's answer on a call judged by a model that did not learn from that call.

- Evidence: each judged moment (a confirmed or rejected turn, or a rated moment: positive) with
  the machine's likelihood and whether the machine calls it shown. Precision = confirmed share of
  the moments the machine calls shown; recall = share of confirmed moments the machine calls
  shown; detection AUC = the chance a confirmed moment gets a higher likelihood than a rejected
  one. Precision and recall carry Wilson 95% intervals; AUC a bootstrap interval resampling
  calls (moments of one call are not independent).
- Levels, where people rated (imported ratings and overrides): share within one level, and
  quadratic weighted kappa with a bootstrap interval by call.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from sklearn.metrics import cohen_kappa_score

from callcoach.domain.trust import CriterionTrust, TrustBar, TrustState

Z95 = 1.959964
BOOTSTRAP = 400  # resamples of calls for AUC and kappa intervals (seeded: same data, same CI)
LEVELS = [1, 2, 3, 4, 5]


@dataclass(frozen=True)
class JudgedMoment:
    call_id: str
    criterion_id: str
    segment: int
    confirmed: bool  # what people said: the turn shows the criterion
    likelihood: float  # the machine's, out of fold
    shown: bool  # the machine calls it shown (likelihood at or over its presence bar)


@dataclass(frozen=True)
class LevelPair:
    call_id: str
    criterion_id: str
    human: int
    machine: int


@dataclass(frozen=True)
class Estimate:
    """A figure with its 95% interval and the number behind it (value None: undefined, why)."""

    value: float | None
    low: float | None
    high: float | None
    n: int
    reason: str | None = None

    @classmethod
    def undefined(cls, n: int, reason: str) -> Estimate:
        return cls(None, None, None, n, reason)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Estimate:
        return cls(**data)


def wilson(hits: int, total: int, what: str) -> Estimate:
    if total == 0:
        return Estimate.undefined(0, f"no {what}")
    p = hits / total
    denominator = 1 + Z95**2 / total
    centre = (p + Z95**2 / (2 * total)) / denominator
    half = Z95 * math.sqrt(p * (1 - p) / total + Z95**2 / (4 * total**2)) / denominator
    return Estimate(p, max(0.0, centre - half), min(1.0, centre + half), total)


def auc(positives: np.ndarray, negatives: np.ndarray) -> float:
    """Mann-Whitney AUC: ties count half."""
    scores = np.concatenate([positives, negatives])
    order = scores.argsort(kind="mergesort")
    ranks = np.empty(len(scores), dtype=float)
    ranks[order] = np.arange(1, len(scores) + 1)
    # Average ranks over ties.
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=ranks)
    ranks = (sums / counts)[inverse]
    n_pos, n_neg = len(positives), len(negatives)
    return float((ranks[:n_pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _bootstrap(
    calls: np.ndarray, statistic: Any, rng: np.random.Generator
) -> tuple[float | None, float | None]:
    """Percentile interval of `statistic(mask of rows)` over resamples of calls."""
    unique, inverse = np.unique(calls, return_inverse=True)
    if len(unique) < 2:
        return None, None
    values = []
    for _ in range(BOOTSTRAP):
        counts = np.bincount(rng.integers(0, len(unique), len(unique)), minlength=len(unique))
        weights = counts[inverse]
        value = statistic(weights)
        if value is not None and not math.isnan(value):
            values.append(value)
    if len(values) < BOOTSTRAP // 2:
        return None, None
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def detection_auc(moments: Sequence[JudgedMoment]) -> Estimate:
    likelihood = np.array([m.likelihood for m in moments], dtype=float)
    confirmed = np.array([m.confirmed for m in moments], dtype=bool)
    calls = np.array([m.call_id for m in moments])
    if confirmed.all() or not confirmed.any():
        missing = "rejected" if confirmed.any() else "confirmed"
        return Estimate.undefined(len(moments), f"no {missing} moment yet")

    def statistic(weights: np.ndarray) -> float | None:
        pos = np.repeat(likelihood[confirmed], weights[confirmed])
        neg = np.repeat(likelihood[~confirmed], weights[~confirmed])
        return auc(pos, neg) if len(pos) and len(neg) else None

    value = auc(likelihood[confirmed], likelihood[~confirmed])
    low, high = _bootstrap(calls, statistic, np.random.default_rng(0))
    return Estimate(value, low, high, len(moments))


def _kappa(human: np.ndarray, machine: np.ndarray) -> float | None:
    if len(human) < 2 or len(set(human.tolist()) | set(machine.tolist())) < 2:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = float(cohen_kappa_score(human, machine, labels=LEVELS, weights="quadratic"))
    return None if math.isnan(value) else value


def level_agreement(pairs: Sequence[LevelPair]) -> tuple[Estimate, Estimate]:
    """(within one level, weighted kappa) of the machine's levels against people's."""
    if not pairs:
        none = Estimate.undefined(0, "no rated call")
        return none, none
    human = np.array([p.human for p in pairs])
    machine = np.array([p.machine for p in pairs])
    within = wilson(int((np.abs(human - machine) <= 1).sum()), len(pairs), "rated call")
    value = _kappa(human, machine)
    if value is None:
        return within, Estimate.undefined(len(pairs), "no variance in the levels yet")
    calls = np.array([p.call_id for p in pairs])

    def statistic(weights: np.ndarray) -> float | None:
        return _kappa(np.repeat(human, weights), np.repeat(machine, weights))

    low, high = _bootstrap(calls, statistic, np.random.default_rng(0))
    return within, Estimate(value, low, high, len(pairs))


@dataclass(frozen=True)
class CriterionFigures:
    """What was measured for one criterion (stored in the trust cache as JSON)."""

    criterion_id: str
    judgements: int  # judged moments (verdicts and rated moments)
    confirmed: int
    rejected: int
    calls: int  # calls the judgements come from
    precision: Estimate
    recall: Estimate
    auc: Estimate
    ratings: int
    within_one: Estimate
    kappa: Estimate

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("precision", "recall", "auc", "within_one", "kappa"):
            data[name] = getattr(self, name).to_json()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CriterionFigures:
        values = dict(data)
        for name in ("precision", "recall", "auc", "within_one", "kappa"):
            values[name] = Estimate.from_json(values[name])
        return cls(**values)


def criterion_figures(
    criterion_id: str, moments: Sequence[JudgedMoment], pairs: Sequence[LevelPair]
) -> CriterionFigures:
    own = [m for m in moments if m.criterion_id == criterion_id]
    rated = [p for p in pairs if p.criterion_id == criterion_id]
    confirmed = sum(m.confirmed for m in own)
    shown = sum(m.shown for m in own)
    true_shown = sum(m.shown and m.confirmed for m in own)
    within, kappa = level_agreement(rated)
    return CriterionFigures(
        criterion_id=criterion_id,
        judgements=len(own),
        confirmed=confirmed,
        rejected=len(own) - confirmed,
        calls=len({m.call_id for m in own}),
        precision=wilson(true_shown, shown, "moment the machine calls shown"),
        recall=wilson(true_shown, confirmed, "confirmed moment"),
        auc=detection_auc(own),
        ratings=len(rated),
        within_one=within,
        kappa=kappa,
    )


def _answers_needed(figures: CriterionFigures, bar: TrustBar) -> int:
    """Rough estimate of the verdicts still needed.

    Learning: the answers that reach the minimum counts, at the confirmed share seen so far (a
    rare criterion needs many answers to collect its confirmed moments). Not trusted: as many
    again as so far, the rule of thumb from the learning curves in docs/scoring.md (each doubling
    of verdicts is where the teaching's figures move most).
    """
    n = figures.judgements
    share = figures.confirmed / n if n else 0.5
    share = min(max(share, 0.05), 0.95)
    missing_total = max(0, bar.min_judgements - n)
    missing_pos = max(0, bar.min_each - figures.confirmed)
    missing_neg = max(0, bar.min_each - figures.rejected)
    needed = max(
        missing_total, math.ceil(missing_pos / share), math.ceil(missing_neg / (1 - share))
    )
    if needed == 0:
        needed = max(n, bar.min_judgements)
    return needed


def trust_state(figures: CriterionFigures, bar: TrustBar, opted_in: bool = False) -> CriterionTrust:
    """Trusted, learning or not trusted, with the reasons in words a manager reads."""
    reasons: list[str] = []
    if figures.judgements < bar.min_judgements:
        reasons.append(f"{figures.judgements} of the {bar.min_judgements} judgements needed")
    if figures.confirmed < bar.min_each:
        reasons.append(f"{figures.confirmed} of {bar.min_each} confirmed moments needed")
    if figures.rejected < bar.min_each:
        reasons.append(f"{figures.rejected} of {bar.min_each} rejected moments needed")
    if figures.calls < bar.min_calls:
        reasons.append(f"judgements on {figures.calls} of {bar.min_calls} calls needed")
    if reasons:
        return CriterionTrust(
            figures.criterion_id,
            TrustState.LEARNING,
            reasons,
            opted_in,
            figures.judgements,
            _answers_needed(figures, bar),
        )
    checks = [
        ("precision", figures.precision, bar.precision, "of the moments it calls shown are right"),
        ("recall", figures.recall, bar.recall, "of the confirmed moments are found"),
        ("AUC", figures.auc, bar.auc, "tells confirmed from rejected moments"),
    ]
    failed = []
    for name, estimate, goal, meaning in checks:
        if estimate.value is None or estimate.value < goal:
            shown = "undefined" if estimate.value is None else f"{estimate.value:.2f}"
            failed.append(f"{name} {shown} < {goal:.2f} ({meaning})")
    if failed:
        return CriterionTrust(
            figures.criterion_id,
            TrustState.NOT_TRUSTED,
            failed,
            opted_in,
            figures.judgements,
            _answers_needed(figures, bar),
        )
    return CriterionTrust(
        figures.criterion_id,
        TrustState.TRUSTED,
        [f"meets the bar on {figures.judgements} judgements"],
        opted_in,
        figures.judgements,
        0,
    )
