"""From evidence to a level 1-5, and fitting that mapping on managers' ratings.

The embedded scorer judges every rep turn: the likelihood that it shows the criterion. For a
call, the evidence is the strongest turn's likelihood and how many turns show the behaviour
(likelihood >= PRESENT). Before any calibration the level follows the rubric's ladder:

  1  nothing comes close (strongest < ABSENT)
  2  something near it, not clearly shown (ABSENT <= strongest < PRESENT)
  3  shown once
  4  shown clearly (strongest >= STRONG) and at least twice
  5  shown clearly and at least three times, strongest >= VERY_STRONG

Calibration replaces the ladder with an isotonic (monotone) fit from one evidence-strength number
to the managers' levels, per criterion when it has enough ratings, pooled otherwise. Agreement is
reported on held-out calls (k-fold), before and after.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import cohen_kappa_score
from sklearn.model_selection import KFold

ABSENT = 0.25
PRESENT = 0.45
STRONG = 0.75
VERY_STRONG = 0.9
MIN_PER_CRITERION = 25  # ratings a criterion needs for its own mapping (else the pooled one)
MIN_RATINGS = 8  # fewer and calibration refuses: it would fit noise
FOLDS = 5


@dataclass(frozen=True)
class EvidenceStrength:
    strongest: float  # likelihood of the strongest rep turn
    shown: int  # rep turns at or above PRESENT

    @property
    def value(self) -> float:
        """One number that grows with both: log-odds of the strongest turn plus repetitions."""
        p = min(max(self.strongest, 1e-4), 1 - 1e-4)
        return math.log(p / (1 - p)) + 0.75 * math.log1p(self.shown)


def ladder_level(strength: EvidenceStrength) -> int:
    p, shown = strength.strongest, strength.shown
    if p < ABSENT:
        return 1
    if p < PRESENT:
        return 2
    if shown >= 3 and p >= VERY_STRONG:
        return 5
    if shown >= 2 and p >= STRONG:
        return 4
    return 3


@dataclass
class LevelMapping:
    """Isotonic mappings from evidence strength to level: per criterion, and pooled."""

    pooled: tuple[list[float], list[float]] | None = None
    per_criterion: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)

    def level(self, criterion_id: str, strength: EvidenceStrength) -> int:
        points = self.per_criterion.get(criterion_id) or self.pooled
        if points is None:
            return ladder_level(strength)
        xs, ys = points
        value = float(np.interp(strength.value, xs, ys))
        return int(min(5, max(1, round(value))))

    def to_params(self) -> dict[str, Any]:
        return {
            "method": "isotonic",
            "pooled": list(self.pooled) if self.pooled else None,
            "per_criterion": {k: [list(v[0]), list(v[1])] for k, v in self.per_criterion.items()},
        }

    @classmethod
    def from_params(cls, params: dict[str, Any] | None) -> LevelMapping | None:
        if not params or params.get("method") != "isotonic":
            return None
        pooled = params.get("pooled")
        return cls(
            pooled=(list(pooled[0]), list(pooled[1])) if pooled else None,
            per_criterion={
                k: (list(v[0]), list(v[1])) for k, v in (params.get("per_criterion") or {}).items()
            },
        )


@dataclass(frozen=True)
class RatedEvidence:
    """One human level for one call and criterion, next to the scorer's evidence for it."""

    call_id: str
    criterion_id: str
    human_level: float  # mean over raters
    strength: EvidenceStrength


def _isotonic(samples: list[RatedEvidence]) -> tuple[list[float], list[float]]:
    xs = np.array([s.strength.value for s in samples])
    ys = np.array([s.human_level for s in samples])
    model = IsotonicRegression(y_min=1.0, y_max=5.0, out_of_bounds="clip").fit(xs, ys)
    return [float(v) for v in model.X_thresholds_], [float(v) for v in model.y_thresholds_]


def fit_mapping(samples: list[RatedEvidence]) -> LevelMapping:
    mapping = LevelMapping(pooled=_isotonic(samples) if samples else None)
    for cid in sorted({s.criterion_id for s in samples}):
        own = [s for s in samples if s.criterion_id == cid]
        if len(own) >= MIN_PER_CRITERION:
            mapping.per_criterion[cid] = _isotonic(own)
    return mapping


def agreement(machine: list[int], human: list[int]) -> dict[str, Any]:
    """Exact and within-one agreement, and quadratic weighted kappa (1 = perfect, 0 = chance)."""
    if not machine:
        return {"n": 0, "exact": None, "within_one": None, "qwk": None}
    m, h = np.array(machine), np.array(human)
    kappa: float | None
    if len(set(machine) | set(human)) < 2:
        kappa = None  # undefined when everyone gives the same level
    else:
        kappa = float(cohen_kappa_score(m, h, weights="quadratic", labels=[1, 2, 3, 4, 5]))
        kappa = None if math.isnan(kappa) else kappa
    return {
        "n": len(machine),
        "exact": float(np.mean(m == h)),
        "within_one": float(np.mean(np.abs(m - h) <= 1)),
        "qwk": kappa,
    }


def held_out_report(samples: list[RatedEvidence], current: LevelMapping | None) -> dict[str, Any]:
    """Agreement on calls not used for fitting: before (current mapping) and after calibration."""
    calls = sorted({s.call_id for s in samples})
    folds = min(FOLDS, len(calls))
    human = [round(s.human_level) for s in samples]
    before = [
        (current.level(s.criterion_id, s.strength) if current else ladder_level(s.strength))
        for s in samples
    ]
    after = [0] * len(samples)
    splitter = KFold(n_splits=folds, shuffle=True, random_state=0)
    for train_idx, test_idx in splitter.split(calls):
        train_calls = {calls[i] for i in train_idx}
        test_calls = {calls[i] for i in test_idx}
        mapping = fit_mapping([s for s in samples if s.call_id in train_calls])
        for i, s in enumerate(samples):
            if s.call_id in test_calls:
                after[i] = mapping.level(s.criterion_id, s.strength)
    per_criterion = {}
    for cid in sorted({s.criterion_id for s in samples}):
        idx = [i for i, s in enumerate(samples) if s.criterion_id == cid]
        per_criterion[cid] = {
            "before": agreement([before[i] for i in idx], [human[i] for i in idx]),
            "after": agreement([after[i] for i in idx], [human[i] for i in idx]),
        }
    return {
        "calls": len(calls),
        "ratings": len(samples),
        "folds": folds,
        "before": agreement(before, human),
        "after": agreement(after, human),
        "per_criterion": per_criterion,
    }
