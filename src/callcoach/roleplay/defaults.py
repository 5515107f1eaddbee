"""The shipped ranking parameters: fitted by bench/practice.py, copied here exactly.

A unit test (tests/unit/test_roleplay_parameters.py) checks these equal the "parameters" of
bench/results/practice.json. Refit: run `python bench/practice.py` and copy its parameters.
"""

from __future__ import annotations

from callcoach.roleplay.parameters import RankingParameters

DEFAULT_PARAMETERS = RankingParameters(
    features=(
        "reply_prompt",
        "mapped",
        "neighbour_prompt",
        "neighbour_context",
        "reply_concern",
        "persona_style",
        "own_repeat",
        "reply_context",
        "reply_length",
    ),
    means=(0.253598, 0.330679, 0.291681, 0.351558, 0.21157, 0.283588, 0.314501, 0.284162, 2.6916),
    scales=(
        0.193873,
        0.197975,
        0.140803,
        0.178076,
        0.191603,
        0.202186,
        0.210595,
        0.20683,
        0.709577,
    ),
    weights=(
        1.11615,
        -0.309871,
        -0.150245,
        0.225099,
        0.264993,
        0.102423,
        -0.0125622,
        -0.44844,
        -0.211019,
    ),
    intercept=-2.47644,
    ridge_alpha=0.65,
    provenance={
        "weights": "logistic regression (C=1) on the fit halves of persuasionforgood, casino (prospect replies), bench/practice.py seed 17",
        "means": "feature means on the same fit halves (standardisation)",
        "scales": "feature standard deviations on the same fit halves",
        "intercept": "the same logistic regression",
        "ridge_alpha": "median of the per-corpus alphas chosen by 5-fold cross-fitted recall@1 on the fit halves: [0.3, 1.0]",
    },
)
