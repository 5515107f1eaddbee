"""The teaching model's regression: a logistic regression that corrects given log-odds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import minimize

REGULARISATION = 1.0


@dataclass(frozen=True)
class OffsetLogistic:
    """Logistic regression that corrects the zero-shot log-odds instead of replacing them.

    The zero-shot log-odds enter with a fixed weight of 1 (an offset) and every learned weight,
    the intercept included, is pulled towards 0 by the L2 penalty. So a handful of verdicts moves
    the turns near them, not the whole criterion, and the share of confirmed verdicts (people
    tend to judge the evidence they were shown, about half right) does not become the rate at
    which the behaviour is expected everywhere. Many verdicts outweigh the penalty.
    """

    weights: np.ndarray
    intercept: float

    def logits(
        self, design: np.ndarray, zero_shot: np.ndarray, words: sparse.csr_matrix | None = None
    ) -> np.ndarray:
        """`words` are the columns after `design` (kept sparse: most of a turn's are 0)."""
        dense = design.shape[1]
        result = zero_shot + design @ self.weights[:dense] + self.intercept
        if words is not None:
            result = result + words @ self.weights[dense:]
        return np.asarray(result, dtype=np.float32)

    @classmethod
    def fit(
        cls,
        design: np.ndarray,
        zero_shot: np.ndarray,
        labels: np.ndarray,
        weights: np.ndarray | None = None,
        words: sparse.csr_matrix | None = None,
    ) -> OffsetLogistic:
        x: np.ndarray | sparse.csr_matrix = design.astype(np.float64)
        if words is not None:
            x = sparse.hstack([sparse.csr_matrix(x), words], format="csr", dtype=np.float64)
        offset = zero_shot.astype(np.float64)
        y = labels.astype(np.float64)
        sample = np.ones_like(y) if weights is None else weights.astype(np.float64)

        def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
            w, b = params[:-1], params[-1]
            z = offset + x @ w + b
            # log(1 + e^z) - y z, computed stably; its gradient is sigmoid(z) - y.
            value = sample * (np.logaddexp(0.0, z) - y * z)
            residual = sample * (1.0 / (1.0 + np.exp(-np.clip(z, -30, 30))) - y)
            total = REGULARISATION * value.sum() + 0.5 * (w @ w + b * b)
            grad = np.append(
                REGULARISATION * (x.T @ residual) + w, REGULARISATION * residual.sum() + b
            )
            return float(total), grad

        start = np.zeros(x.shape[1] + 1)
        result = minimize(loss, start, jac=True, method="L-BFGS-B", options={"maxiter": 500})
        return cls(weights=result.x[:-1].astype(np.float32), intercept=float(result.x[-1]))
