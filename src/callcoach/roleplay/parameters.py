"""The ranker's numbers, frozen, each with where it came from.

`fit_ranking` is the one place they are fitted (bench/practice.py calls it on the fit halves of
the bench corpora); `DEFAULT_PARAMETERS` (in `defaults.py`) are the numbers it printed, and a
unit test checks they equal bench/results/practice.json. Data used to fit them is never the data
a reported figure is measured on: the bench reports on the other half of each corpus's dialogues.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from callcoach.roleplay.features import FEATURES, RANKED

# design constants (not fitted; their effect is measured in bench/practice.py)
NEIGHBOURS = 10  # replies per candidate in the neighbour (kernel) features
RETRIEVE = 50  # candidates ranked per reply
DIFFICULTY_STEP = 0.5  # per difficulty level away from 2: resistance weight, in standard deviations
REPEAT_SIMILARITY = 0.95  # cosine at or above which two replies count as the same reply
RIDGE_ALPHAS = (0.3, 1.0, 3.0, 10.0)  # tried by cross-validation on the fit half


@dataclass(frozen=True)
class RankingParameters:
    features: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[float, ...]  # logistic-regression coefficients on standardised features
    intercept: float
    ridge_alpha: float  # for the ReplyMap fitted on each index's own pairs
    provenance: Mapping[str, str] = field(default_factory=dict)
    neighbours: int = NEIGHBOURS
    retrieve: int = RETRIEVE
    difficulty_step: float = DIFFICULTY_STEP
    repeat_similarity: float = REPEAT_SIMILARITY

    def __post_init__(self) -> None:
        if not set(self.features) <= set(FEATURES) or not (
            len(self.features) == len(self.means) == len(self.scales) == len(self.weights)
        ):
            raise ValueError("ranking parameters do not match the engine's features")

    def score(self, features: np.ndarray) -> np.ndarray:
        """The ranking score of each row of FEATURES (higher: more likely the real reply)."""
        columns = features[:, [FEATURES.index(name) for name in self.features]]
        standard = (columns - np.asarray(self.means)) / np.asarray(self.scales)
        return np.asarray(standard @ np.asarray(self.weights) + self.intercept, dtype=np.float64)

    def as_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "means": list(self.means),
            "scales": list(self.scales),
            "weights": list(self.weights),
            "intercept": self.intercept,
            "ridge_alpha": self.ridge_alpha,
        }


def fit_ranking(
    features: np.ndarray,
    is_true_reply: np.ndarray,
    ridge_alpha: float,
    provenance: Mapping[str, str],
    columns: tuple[str, ...] = RANKED,
) -> RankingParameters:
    """A logistic regression of "this was the real reply" on the standardised features.

    C=1.0 (scikit-learn's default, not tuned). Rounded to 6 significant digits so the numbers
    can be written down in code exactly.
    """
    used = features[:, [FEATURES.index(name) for name in columns]]
    means = used.mean(axis=0)
    scales = used.std(axis=0)
    scales[scales == 0] = 1.0
    model = LogisticRegression(max_iter=2000)
    model.fit((used - means) / scales, is_true_reply)

    def rounded(values: np.ndarray) -> tuple[float, ...]:
        return tuple(float(f"{v:.6g}") for v in values)

    return RankingParameters(
        features=columns,
        means=rounded(means),
        scales=rounded(scales),
        weights=rounded(model.coef_[0]),
        intercept=float(f"{model.intercept_[0]:.6g}"),
        ridge_alpha=ridge_alpha,
        provenance=dict(provenance),
    )
