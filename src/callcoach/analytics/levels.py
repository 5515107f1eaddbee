"""Which level counts for a call and a criterion, and the per-call table every analytic reads.

Rule (documented in docs/assessment.md): for each call, the latest machine run for the rubric
counts (highest rubric version, then the most recently stored run), scored with the weights of the version
it used; where a manager overrode a criterion (human rating with source "override"), the
override replaces the machine level for that criterion. The latest override wins.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

# Columns of ScoreTable.calls (index: the call's primary key).
REP = "rep"
DATE = "date"
VERSION = "version"
RUN = "run"
DEAL = "deal"  # the linked deal's primary key, -1 when none
CALL_COLUMNS = (REP, DATE, VERSION, RUN, DEAL)


@dataclass(frozen=True)
class CriterionInfo:
    """What the analytics need to know of a criterion (from the latest rubric version)."""

    id: str
    name: str
    weight: float
    good: str  # the level-4 anchor: "what good looks like"
    anchors: Mapping[int, str] = field(default_factory=dict)


@dataclass
class ScoreTable:
    """Effective levels per call: `calls` (meta) and `levels` (one column per criterion).

    Both frames share the index (call primary keys). Levels are floats; NaN means the criterion
    has no level on that call (not scored, or no evidence).
    """

    calls: pd.DataFrame
    levels: pd.DataFrame
    criteria: list[CriterionInfo]
    weights_by_version: dict[int, dict[str, float]]
    overridden: int = 0  # criterion levels replaced by a manager's override
    # Per row, how many of its levels are overrides (None: not tracked), so that a subset (one
    # cycle of a two-cycle read) counts only its own.
    overrides_per_call: np.ndarray | None = None

    @property
    def criterion_ids(self) -> list[str]:
        return [c.id for c in self.criteria]

    def criterion(self, criterion_id: str) -> CriterionInfo:
        for crit in self.criteria:
            if crit.id == criterion_id:
                return crit
        raise KeyError(criterion_id)

    @property
    def weights(self) -> dict[str, float]:
        return {c.id: c.weight for c in self.criteria}

    def __len__(self) -> int:
        return len(self.calls)

    def subset(self, mask: pd.Series | np.ndarray) -> ScoreTable:
        per_call = None
        overridden = self.overridden
        if self.overrides_per_call is not None:
            per_call = self.overrides_per_call[np.asarray(mask, dtype=bool)]
            overridden = int(per_call.sum())
        return ScoreTable(
            calls=self.calls[mask],
            levels=self.levels[mask],
            criteria=self.criteria,
            weights_by_version=self.weights_by_version,
            overridden=overridden,
            overrides_per_call=per_call,
        )

    def without(self, criterion_ids: Collection[str]) -> ScoreTable:
        """The same calls with no level on `criterion_ids` (left out of every overall)."""
        levels = self.levels.copy()
        for cid in criterion_ids:
            if cid in levels.columns:
                levels[cid] = np.nan
        return replace(self, levels=levels)

    def for_reps(self, rep_ids: Sequence[int] | set[int]) -> ScoreTable:
        return self.subset(self.calls[REP].isin(list(rep_ids)).to_numpy())

    def overall(self) -> pd.Series:
        """Each call's weighted overall, with the weights of the rubric version it was scored on.

        Criteria without a level are left out and the remaining weights renormalised, exactly
        like Rubric.weighted_overall.
        """
        result = pd.Series(np.nan, index=self.calls.index, dtype=float)
        if self.levels.empty:
            return result
        versions = self.calls[VERSION].to_numpy()
        values = self.levels.to_numpy(dtype=float)
        present = ~np.isnan(values)
        filled = np.where(present, values, 0.0)
        out = np.full(len(values), np.nan)
        for version in np.unique(versions):
            weights_map = self.weights_by_version.get(int(version), self.weights)
            weights = np.array([weights_map.get(c, 0.0) for c in self.levels.columns], dtype=float)
            rows = versions == version
            weight_sum = (present[rows] * weights).sum(axis=1)
            total = (filled[rows] * weights).sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                out[rows] = np.where(weight_sum > 0, total / weight_sum, np.nan)
        result[:] = out
        return result


def keep_latest_runs(
    calls: pd.DataFrame, levels: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One run per call: the highest rubric version, then the most recently stored run (runs are
    numbered as they are stored; re-scoring or re-importing replaces a run with a new one)."""
    if calls.index.is_unique:
        return calls, levels
    order = calls.assign(_pos=np.arange(len(calls))).sort_values([VERSION, RUN])
    keep = np.sort(order[~order.index.duplicated(keep="last")]["_pos"].to_numpy())
    return calls.iloc[keep], levels.iloc[keep]


def apply_overrides(levels: pd.DataFrame, overrides: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Replace machine levels by managers' overrides (columns: call, criterion, level, created).

    Returns the new levels and how many criterion levels were replaced. Overrides of calls or
    criteria absent from the table are ignored.
    """
    result, per_call = _overridden(levels, overrides)
    return result, int(per_call.sum())


def _overridden(levels: pd.DataFrame, overrides: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The levels with overrides applied, and per row how many of its levels were replaced."""
    per_call = np.zeros(len(levels), dtype=np.int64)
    if overrides.empty or levels.empty:
        return levels, per_call
    latest = overrides.sort_values("created").drop_duplicates(["call", "criterion"], keep="last")
    latest = latest[latest["call"].isin(levels.index) & latest["criterion"].isin(levels.columns)]
    if latest.empty:
        return levels, per_call
    result = levels.copy()
    rows = result.index.get_indexer(latest["call"].to_numpy())
    cols = result.columns.get_indexer(latest["criterion"].to_numpy())
    values = result.to_numpy(dtype=float, copy=True)
    values[rows, cols] = latest["level"].to_numpy(dtype=float)
    result.loc[:, :] = values
    np.add.at(per_call, rows, 1)
    return result, per_call


def build_score_table(
    calls: pd.DataFrame,
    levels: pd.DataFrame,
    criteria: list[CriterionInfo],
    weights_by_version: dict[int, dict[str, float]],
    overrides: pd.DataFrame | None = None,
) -> ScoreTable:
    """Assemble the table from raw runs: latest run per call, then overrides applied."""
    calls, levels = keep_latest_runs(calls, levels)
    levels = levels.reindex(columns=[c.id for c in criteria]).astype(float)
    per_call = None
    if overrides is not None:
        levels, per_call = _overridden(levels, overrides)
    return ScoreTable(
        calls=calls,
        levels=levels,
        criteria=criteria,
        weights_by_version=weights_by_version,
        overridden=0 if per_call is None else int(per_call.sum()),
        overrides_per_call=per_call,
    )


def empty_score_table(criteria: list[CriterionInfo]) -> ScoreTable:
    calls = pd.DataFrame(
        {
            REP: pd.Series(dtype="int64"),
            DATE: pd.Series(dtype="datetime64[ns]"),
            VERSION: pd.Series(dtype="int64"),
            RUN: pd.Series(dtype="int64"),
            DEAL: pd.Series(dtype="int64"),
        }
    )
    levels = pd.DataFrame({c.id: pd.Series(dtype=float) for c in criteria})
    return ScoreTable(calls=calls, levels=levels, criteria=criteria, weights_by_version={})


def group_keys(keys: pd.Series | np.ndarray) -> pd.Index:
    """Group labels for `DataFrame.groupby`, one per row, as an Index.

    pandas first tries a plain array key as a column label, and against string columns the
    failed lookup formats the whole array into its error message: on a rep page that cost more
    than the grouping itself. An Index is taken as labels straight away; the groups are the same.
    """
    return pd.Index(np.asarray(keys))


def group_means(frame: pd.DataFrame, keys: pd.Series | np.ndarray) -> pd.DataFrame:
    """`frame.groupby(keys).mean()` computed with numpy: one row per key, sorted; missing keys
    and missing values left out; NaN where a group has no value in a column.

    The same numbers at a fraction of pandas' cost for the few thousand rows of a team's cycle,
    which the team pages compute several times per view.
    """
    codes, uniques = pd.factorize(group_keys(keys), sort=True)
    groups = len(uniques)
    values = frame.to_numpy(dtype=float)
    out = np.full((groups, values.shape[1]), np.nan)
    for column in range(values.shape[1]):
        data = values[:, column]
        valid = (codes >= 0) & ~np.isnan(data)
        n = np.bincount(codes[valid], minlength=groups)
        total = np.bincount(codes[valid], weights=data[valid], minlength=groups)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, column] = np.where(n > 0, total / np.maximum(n, 1), np.nan)
    return pd.DataFrame(out, index=pd.Index(uniques), columns=frame.columns)
