"""Rater agreement: do two managers (or the machine and a manager) give the same levels?

Seed rules: for calls rated by two or more raters, per criterion: exact agreement, agreement
within one level, quadratic weighted Cohen's kappa per pair of raters, ordinal Krippendorff's
alpha across raters and ICC(A,1). The team target is >= 80% within one level. A criterion where
any two raters differ by more than one level on any call is flagged "anchors too vague: refine
before the cycle". A statistic that is undefined (no variance, too few calls) is reported as
undefined with the reason, never as NaN.

The statistics come from maintained libraries: scikit-learn (kappa), krippendorff (alpha),
pingouin (ICC).
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass, field

import krippendorff
import numpy as np
import pandas as pd
import pingouin
from sklearn.metrics import cohen_kappa_score

LEVEL_DOMAIN = [1, 2, 3, 4, 5]
TARGET_WITHIN_ONE = 0.80
VAGUE_ANCHORS = "anchors too vague: refine before the cycle"
MIN_ICC_CALLS = 3  # pingouin needs at least 5 ratings; an ICC on fewer than 3 calls means little


@dataclass(frozen=True)
class Statistic:
    """A value, or None with the reason it is undefined."""

    value: float | None
    reason: str | None = None

    @classmethod
    def undefined(cls, reason: str) -> Statistic:
        return cls(None, reason)


@dataclass(frozen=True)
class PairAgreement:
    raters: tuple[str, str]
    n: int
    exact: Statistic
    within_one: Statistic
    kappa: Statistic


@dataclass(frozen=True)
class Disagreement:
    call_id: str
    ratings: dict[str, int]
    spread: int


@dataclass
class CriterionAgreement:
    criterion_id: str
    name: str
    calls: int
    raters: list[str]
    exact: Statistic
    within_one: Statistic
    meets_target: bool | None
    alpha: Statistic
    icc: Statistic
    icc_ci95: tuple[float, float] | None
    pairs: list[PairAgreement] = field(default_factory=list)
    flag: str | None = None
    disagreements: list[Disagreement] = field(default_factory=list)


def _share(hits: int, total: int, what: str) -> Statistic:
    if total == 0:
        return Statistic.undefined(f"no call rated by two raters ({what})")
    return Statistic(hits / total)


def weighted_kappa(first: np.ndarray, second: np.ndarray) -> Statistic:
    """Quadratic weighted Cohen's kappa over levels 1-5 (scikit-learn)."""
    if len(first) < 2:
        return Statistic.undefined(f"too few calls rated by both ({len(first)}; 2 or more needed)")
    if len(set(first.tolist()) | set(second.tolist())) < 2:
        return Statistic.undefined(
            "no variance: both raters gave the same single level to every call"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = cohen_kappa_score(first, second, labels=LEVEL_DOMAIN, weights="quadratic")
    if value is None or np.isnan(value):
        return Statistic.undefined("undefined: no variance in the levels given")
    return Statistic(float(value))


def ordinal_alpha(wide: pd.DataFrame) -> Statistic:
    """Ordinal Krippendorff's alpha; `wide` is raters x calls with NaN where a rater is silent."""
    pairable = int((wide.notna().sum(axis=0) >= 2).sum())
    if pairable < 2:
        return Statistic.undefined(
            f"too few calls rated by two or more raters ({pairable}; 2 or more needed)"
        )
    values = wide.to_numpy(dtype=float)
    observed = values[~np.isnan(values)]
    if len(np.unique(observed)) < 2:
        return Statistic.undefined("no variance: every rating has the same level")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = krippendorff.alpha(
            reliability_data=values, value_domain=LEVEL_DOMAIN, level_of_measurement="ordinal"
        )
    if value is None or np.isnan(value):
        return Statistic.undefined("undefined for these ratings (no pairable variance)")
    return Statistic(float(value))


def icc_a1(long: pd.DataFrame) -> tuple[Statistic, tuple[float, float] | None]:
    """ICC(A,1): two-way random effects, absolute agreement, single rater (pingouin's ICC2).

    Needs every rater on every call, so calls missing a rater are left out.
    """
    raters = long["rater"].nunique()
    complete = long.groupby("call")["rater"].transform("nunique") == raters
    data = long[complete]
    calls = data["call"].nunique()
    if raters < 2 or calls < MIN_ICC_CALLS:
        return (
            Statistic.undefined(
                f"too few calls rated by every rater ({calls}; {MIN_ICC_CALLS} or more needed)"
            ),
            None,
        )
    if data["level"].nunique() < 2:
        return Statistic.undefined("no variance: every rating has the same level"), None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            table = pingouin.intraclass_corr(
                data=data, targets="call", raters="rater", ratings="level"
            )
        except (ValueError, AssertionError) as exc:
            return Statistic.undefined(f"undefined: {exc}"), None
    row = table.set_index("Type").loc["ICC(A,1)"] if "ICC(A,1)" in set(table["Type"]) else None
    if row is None:
        row = table.set_index("Type").loc["ICC2"]
    value = float(row["ICC"])
    if np.isnan(value):
        return Statistic.undefined(
            "undefined: the calls do not differ (no between-call variance)"
        ), None
    low, high = (float(x) for x in row["CI95"])
    return Statistic(value), (low, high)


def criterion_agreement(
    ratings: pd.DataFrame, criterion_id: str, name: str, flag_vague: bool = True
) -> CriterionAgreement:
    """Agreement among raters on one criterion. `ratings` columns: call, rater, level.

    Only calls rated by two or more raters count. Exact and within-one agreement pool every
    pair of raters on every such call.
    """
    data = ratings[["call", "rater", "level"]].drop_duplicates(["call", "rater"], keep="last")
    counts = data.groupby("call")["rater"].transform("nunique")
    data = data[counts >= 2]
    wide = data.pivot(index="rater", columns="call", values="level").sort_index()
    raters = [str(r) for r in wide.index]
    exact_hits = within_hits = pair_total = 0
    disagreements = []
    for call in wide.columns:
        given = wide[call].dropna()
        for a, b in itertools.combinations(given.to_numpy(), 2):
            pair_total += 1
            exact_hits += int(a == b)
            within_hits += int(abs(a - b) <= 1)
        if not given.empty and given.max() - given.min() > 1:
            disagreements.append(
                Disagreement(
                    str(call),
                    {str(r): int(v) for r, v in given.items()},
                    int(given.max() - given.min()),
                )
            )
    pairs = []
    for first, second in itertools.combinations(raters, 2):
        both = wide.loc[[first, second]].dropna(axis=1)
        a = both.loc[first].to_numpy(dtype=int)
        b = both.loc[second].to_numpy(dtype=int)
        n = len(a)
        pairs.append(
            PairAgreement(
                raters=(first, second),
                n=n,
                exact=_share(int((a == b).sum()), n, "this pair"),
                within_one=_share(int((np.abs(a - b) <= 1).sum()), n, "this pair"),
                kappa=weighted_kappa(a, b),
            )
        )
    within = _share(within_hits, pair_total, "within one level")
    icc, icc_ci = icc_a1(data)
    flagged = flag_vague and bool(disagreements)
    return CriterionAgreement(
        criterion_id=criterion_id,
        name=name,
        calls=int(wide.shape[1]),
        raters=raters,
        exact=_share(exact_hits, pair_total, "exact"),
        within_one=within,
        meets_target=None if within.value is None else within.value >= TARGET_WITHIN_ONE,
        alpha=ordinal_alpha(wide),
        icc=icc,
        icc_ci95=icc_ci,
        pairs=pairs,
        flag=VAGUE_ANCHORS if flagged else None,
        disagreements=sorted(disagreements, key=lambda d: (-d.spread, d.call_id)),
    )


def machine_vs_rater(
    machine: pd.DataFrame, human: pd.DataFrame, machine_name: str, criterion_id: str, name: str
) -> CriterionAgreement:
    """The same statistics between the automatic scores and one rater, on the calls both rated.

    `machine` and `human` have columns call and level. Calls where they differ by more than one
    level are listed (to calibrate the scorer) but the anchors are not flagged for it.
    """
    left = machine[["call", "level"]].assign(rater=machine_name)
    rater = str(human["rater"].iloc[0]) if "rater" in human and len(human) else "rater"
    right = human[["call", "level"]].assign(rater=rater)
    common = set(left["call"]) & set(right["call"])
    both = pd.concat([left, right])
    both = both[both["call"].isin(common)]
    return criterion_agreement(both, criterion_id, name, flag_vague=False)


@dataclass(frozen=True)
class RubricAgreement:
    """How often managers agree within one level on a rubric, over every criterion."""

    pairs: int  # rater pairs on the same call and criterion
    within_one: float | None
    below_target: list[str]  # criteria (ids) under the target, or with a spread above one

    @property
    def meets_target(self) -> bool | None:
        return None if self.within_one is None else self.within_one >= TARGET_WITHIN_ONE


def rubric_agreement(ratings: pd.DataFrame, criteria: list[str]) -> RubricAgreement:
    """Pooled within-one agreement of the rubric from ratings (columns call, criterion, rater,
    level): every pair of raters on every call rated twice, over every criterion. The criteria
    named are those under the target on their own, or with two raters more than one level apart.
    Cheap (no kappa, alpha or ICC): it is checked on every scorecard and priority report."""
    if ratings.empty:
        return RubricAgreement(0, None, [])
    data = ratings.drop_duplicates(["call", "criterion", "rater"], keep="last")
    pairs = within = 0
    vague: list[str] = []
    for criterion in criteria:
        mine = data[data["criterion"] == criterion]
        c_pairs = c_within = 0
        spread = False
        for _, levels in mine.groupby("call")["level"]:
            given = levels.to_numpy(dtype=int)
            if len(given) < 2:
                continue
            spread = spread or int(given.max() - given.min()) > 1
            for a, b in itertools.combinations(given, 2):
                c_pairs += 1
                c_within += int(abs(int(a) - int(b)) <= 1)
        pairs += c_pairs
        within += c_within
        if c_pairs and (spread or c_within / c_pairs < TARGET_WITHIN_ONE):
            vague.append(criterion)
    return RubricAgreement(pairs, within / pairs if pairs else None, vague)
