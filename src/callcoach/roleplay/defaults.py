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
    means=(0.270235, 0.409882, 0.284456, 0.362983, 0.233123, 0.293779, 0.324493, 0.299499, 2.7041),
    scales=(0.201424, 0.201482, 0.14764, 0.193839, 0.202443, 0.206237, 0.21881, 0.214043, 0.702928),
    weights=(
        0.571532,
        0.205102,
        0.0657643,
        0.272059,
        0.17104,
        0.167459,
        -0.122718,
        -0.446089,
        -0.237947,
    ),
    intercept=-2.41895,
    ridge_alpha=2.0,
    provenance={
        "weights": "logistic regression (C=1) on the fit halves of persuasionforgood, casino (prospect replies), bench/practice.py seed 17",
        "means": "feature means on the same fit halves (standardisation)",
        "scales": "feature standard deviations on the same fit halves",
        "intercept": "the same logistic regression",
        "ridge_alpha": "median of the per-corpus alphas chosen by 5-fold cross-fitted recall@1 on the fit halves: [3.0, 1.0]",
    },
)
