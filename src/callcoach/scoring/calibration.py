"""From evidence to a level 1-5, and fitting that mapping on managers' ratings.

The embedded scorer judges every rep turn: the likelihood that it is a moment of the criterion,
and its rung on the criterion's level ladder (embedded_levels.py). A call's evidence is the
strongest moment's likelihood, how many turns show the criterion (likelihood >= PRESENT), the
total likelihood, and the *quality*: the rung of its strongest moments. Before any calibration
the level follows the ladder:

- when managers' rated moments are on the ladder (at least MIN_RATED_RUNGS for the criterion),
  the rung the call's strongest moments reach, rounded: they show what each level looks like in
  this team's calls, so the rung is the level they would give;
- from the rubric's text alone (or confirmed/rejected evidence, which says where the behaviour
  is, not how well it is done), the rung is a weak signal (anchors describe behaviour, turns are
  speech) and presence sets the level:
    1  nothing comes close (strongest < ABSENT)
    2  something near it, not clearly shown (strongest < the presence bar)
    3  shown
    4  shown clearly (strongest >= STRONG)
    5  shown very clearly, more than once (strongest >= VERY_STRONG, two turns or more)
  Ranking calls by how clearly the behaviour is shown is what lets a level tell the calls that
  have it from those that do not (bench/agreement.py: detection AUC 0.83 -> 0.90 on one
  criterion, where the rung had spread level 3-5 calls at random).

The presence bar is PRESENT for likelihoods from the rubric's text, PRESENT_TAUGHT where a model
fitted on people's verdicts gives them: those are calibrated on the verdicts (a call's strongest
moment is right about as often as its likelihood says), so "shown" means more likely than not.

Calibration replaces this with a monotone linear fit (non-negative weights: stronger, more
frequent, better-reading evidence never lowers a level) from the evidence to the managers' mean
level, per criterion when it has enough ratings, pooled otherwise. Agreement is reported on
held-out calls (k-fold), before and after.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.linear_model import Ridge
from sklearn.metrics import cohen_kappa_score

ABSENT = 0.25
PRESENT = 0.45  # "shown" for likelihoods from the rubric's text alone
PRESENT_TAUGHT = 0.5  # "shown" where a model fitted on people's verdicts gives the likelihood
STRONG = 0.75
VERY_STRONG = 0.9
MIN_RATED_RUNGS = 10  # rated moments a criterion's ladder needs before its rungs lead
MIN_PER_CRITERION = 25  # ratings a criterion needs for its own mapping (else the pooled one)
MIN_RATINGS = 8  # fewer and calibration refuses: it would fit noise
FOLDS = 5
FEATURE_NAMES = ("strongest (log-odds)", "turns shown (log 1+n)", "quality (rung)", "mass")
_RIDGE = 1.0


@dataclass(frozen=True)
class EvidenceStrength:
    strongest: float  # likelihood of the strongest rep turn
    shown: int  # rep turns at or above PRESENT
    quality: float | None = None  # ladder rung (1-5) of the strongest moments; None: unknown
    mass: float = 0.0  # sum of every rep turn's likelihood
    rated_rungs: int = 0  # managers' rated moments on this criterion's ladder
    present: float = PRESENT  # the likelihood from which a turn shows the criterion

    @property
    def value(self) -> float:
        """One number that grows with strength and repetition (log-odds plus repetitions)."""
        p = min(max(self.strongest, 1e-4), 1 - 1e-4)
        return math.log(p / (1 - p)) + 0.75 * math.log1p(self.shown)

    def features(self) -> np.ndarray:
        p = min(max(self.strongest, 1e-4), 1 - 1e-4)
        quality = 3.0 if self.quality is None else self.quality
        return np.array(
            [math.log(p / (1 - p)), math.log1p(self.shown), quality, math.log1p(self.mass)]
        )


def ladder_level(strength: EvidenceStrength) -> int:
    p, shown = strength.strongest, strength.shown
    if strength.quality is not None and strength.rated_rungs >= MIN_RATED_RUNGS:
        return _clamp_level(strength.quality)
    if p < ABSENT:
        return 1
    if p < strength.present:
        return 2
    if p >= VERY_STRONG and shown >= 2:
        return 5
    if p >= STRONG:
        return 4
    return 3


def _clamp_level(value: float) -> int:
    return int(min(5, max(1, math.floor(value + 0.5))))


@dataclass
class LinearLevel:
    weights: list[float]
    intercept: float

    def predict(self, features: np.ndarray) -> float:
        return float(np.dot(self.weights, features) + self.intercept)


@dataclass
class LevelMapping:
    """Monotone linear mappings from evidence to level: per criterion, and pooled.

    Older calibrations (isotonic on one strength number) are still read.
    """

    pooled: LinearLevel | None = None
    per_criterion: dict[str, LinearLevel] = field(default_factory=dict)
    isotonic: tuple[list[float], list[float]] | None = None
    isotonic_per_criterion: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)

    def level(self, criterion_id: str, strength: EvidenceStrength) -> int:
        linear = self.per_criterion.get(criterion_id) or self.pooled
        if linear is not None:
            return _clamp_level(linear.predict(strength.features()))
        points = self.isotonic_per_criterion.get(criterion_id) or self.isotonic
        if points is None:
            return ladder_level(strength)
        return _clamp_level(float(np.interp(strength.value, points[0], points[1])))

    def to_params(self) -> dict[str, Any]:
        def dump(model: LinearLevel) -> dict[str, Any]:
            return {"weights": list(model.weights), "intercept": model.intercept}

        return {
            "method": "linear",
            "features": list(FEATURE_NAMES),
            "pooled": dump(self.pooled) if self.pooled else None,
            "per_criterion": {k: dump(v) for k, v in self.per_criterion.items()},
        }

    @classmethod
    def from_params(cls, params: dict[str, Any] | None) -> LevelMapping | None:
        if not params:
            return None
        if params.get("method") == "linear":

            def load(item: dict[str, Any] | None) -> LinearLevel | None:
                if not item:
                    return None
                return LinearLevel([float(w) for w in item["weights"]], float(item["intercept"]))

            per = {k: load(v) for k, v in (params.get("per_criterion") or {}).items()}
            return cls(
                pooled=load(params.get("pooled")),
                per_criterion={k: v for k, v in per.items() if v is not None},
            )
        if params.get("method") == "isotonic":
            pooled = params.get("pooled")
            return cls(
                isotonic=(list(pooled[0]), list(pooled[1])) if pooled else None,
                isotonic_per_criterion={
                    k: (list(v[0]), list(v[1]))
                    for k, v in (params.get("per_criterion") or {}).items()
                },
            )
        return None


@dataclass(frozen=True)
class RatedEvidence:
    """One human level for one call and criterion, next to the scorer's evidence for it."""

    call_id: str
    criterion_id: str
    human_level: float  # mean over raters
    strength: EvidenceStrength


def _linear(samples: list[RatedEvidence]) -> LinearLevel:
    x = np.stack([s.strength.features() for s in samples])
    y = np.array([s.human_level for s in samples])
    if len(set(y.tolist())) < 2:
        return LinearLevel([0.0] * x.shape[1], float(y.mean()))
    model = Ridge(alpha=_RIDGE, positive=True).fit(x, y)
    return LinearLevel([float(w) for w in model.coef_], float(model.intercept_))


def fit_mapping(samples: list[RatedEvidence]) -> LevelMapping:
    mapping = LevelMapping(pooled=_linear(samples) if samples else None)
    for cid in sorted({s.criterion_id for s in samples}):
        own = [s for s in samples if s.criterion_id == cid]
        if len(own) >= MIN_PER_CRITERION:
            mapping.per_criterion[cid] = _linear(own)
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


def call_folds(call_ids: list[str], folds: int = FOLDS) -> list[list[str]]:
    """Calls split into at most `folds` groups, the same way every time for the same calls."""
    calls = sorted(set(call_ids))
    count = max(1, min(folds, len(calls)))
    order = np.random.default_rng(0).permutation(len(calls))
    return [[calls[i] for i in sorted(order[k::count])] for k in range(count)]


def held_out_report(
    samples: list[RatedEvidence], current: LevelMapping | None, folds: list[list[str]]
) -> dict[str, Any]:
    """Agreement on calls not used for fitting: before (current mapping) and after calibration.

    `samples` should be read out of fold (each call's evidence judged without what people taught
    on that call), so "after" measures a mapping fitted on other calls applied to unseen ones.
    """
    human = [_clamp_level(s.human_level) for s in samples]
    before = [
        (current.level(s.criterion_id, s.strength) if current else ladder_level(s.strength))
        for s in samples
    ]
    after = [0] * len(samples)
    for fold in folds:
        test_calls = set(fold)
        mapping = fit_mapping([s for s in samples if s.call_id not in test_calls])
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
        "calls": len({s.call_id for s in samples}),
        "ratings": len(samples),
        "folds": len(folds),
        "before": agreement(before, human),
        "after": agreement(after, human),
        "per_criterion": per_criterion,
    }
