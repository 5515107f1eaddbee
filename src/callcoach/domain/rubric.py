"""Rubrics: weighted criteria, each with a behavioural anchor for every level 1-5.

Seed rules enforced here: weights of all criteria sum to 100; every criterion has all five
anchors; criterion ids are unique. A rubric with fewer than 4 or more than 6 criteria is allowed
but warned about (the seeds advise 4-6: fewer misses behaviours, more dilutes coaching).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

LEVELS = (1, 2, 3, 4, 5)
MIN_ADVISED_CRITERIA = 4
MAX_ADVISED_CRITERIA = 6
WEIGHT_TOTAL = 100.0
_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")


class Examples(BaseModel):
    model_config = ConfigDict(extra="forbid")

    positive: list[str] = Field(default_factory=list)
    negative: list[str] = Field(default_factory=list)


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    weight: float
    description: str
    anchors: dict[int, str]
    examples: Examples = Field(default_factory=Examples)

    def anchor(self, level: int) -> str:
        return self.anchors[level]


class Rubric(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    description: str | None = None
    criteria: list[Criterion]

    def criterion(self, criterion_id: str) -> Criterion:
        for crit in self.criteria:
            if crit.id == criterion_id:
                return crit
        raise KeyError(f"rubric {self.id!r} has no criterion {criterion_id!r}")

    @property
    def criterion_ids(self) -> list[str]:
        return [c.id for c in self.criteria]

    def weights(self) -> dict[str, float]:
        return {c.id: c.weight for c in self.criteria}

    def canonical(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_defaults=False)

    @property
    def content_hash(self) -> str:
        """Same content, same hash, whatever the YAML formatting: decides whether to version."""
        payload = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(payload.encode()).hexdigest()

    def weighted_overall(self, levels: dict[str, int | float | None]) -> float | None:
        """Weighted mean level over the criteria that have one, renormalised to their weights."""
        total = 0.0
        weight_sum = 0.0
        for crit in self.criteria:
            level = levels.get(crit.id)
            if level is None:
                continue
            total += float(level) * crit.weight
            weight_sum += crit.weight
        if weight_sum == 0:
            return None
        return total / weight_sum


@dataclass
class RubricCheck:
    """The outcome of checking a rubric document: errors refuse it, warnings only advise."""

    rubric: Rubric | None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and self.rubric is not None


def _criterion_label(raw: Any, position: int) -> str:
    if isinstance(raw, dict) and raw.get("id"):
        return f"criterion '{raw['id']}'"
    return f"criterion #{position + 1}"


def _format_number(value: float) -> str:
    return f"{value:g}"


def _check_anchors(label: str, anchors: Any) -> list[str]:
    if not isinstance(anchors, dict):
        return [f"{label}: anchors must be a mapping of levels 1-5 to text"]
    errors: list[str] = []
    levels: set[int] = set()
    for key, text in anchors.items():
        try:
            level = int(key)
        except (TypeError, ValueError):
            errors.append(f"{label}: anchor key {key!r} is not a level 1-5")
            continue
        if level not in LEVELS:
            errors.append(f"{label}: anchor level {level} is outside 1-5")
            continue
        if not isinstance(text, str) or not text.strip():
            errors.append(f"{label}: anchor for level {level} is empty")
        levels.add(level)
    missing = [lvl for lvl in LEVELS if lvl not in levels]
    if missing:
        errors.append(
            f"{label} has {len(levels)} anchors; all five levels 1-5 are required "
            f"(missing {', '.join(str(m) for m in missing)})"
        )
    return errors


NO_EXAMPLES_WARNING = (
    "{label}: no positive example lines; the embedded scorer then has only the anchors, which "
    "describe behaviour rather than sound like it, and finds the behaviour far less often "
    "(docs/scoring.md, 'without examples'): add 3-5 lines a rep would actually say"
)


def _has_positive_examples(examples: Any) -> bool:
    if not isinstance(examples, dict):
        return False
    positive = examples.get("positive")
    return isinstance(positive, list) and any(isinstance(e, str) and e.strip() for e in positive)


def check_rubric(data: Any) -> RubricCheck:
    """Check a rubric document (as parsed from YAML or JSON) and build the Rubric when valid.

    Every problem is reported at once, each naming the criterion it concerns.
    """
    if not isinstance(data, dict):
        return RubricCheck(None, errors=["a rubric must be a mapping with id, name and criteria"])
    errors: list[str] = []
    warnings: list[str] = []
    for key in ("id", "name"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            errors.append(f"rubric field '{key}' is required")
    rubric_id = data.get("id")
    if isinstance(rubric_id, str) and rubric_id and not _ID_PATTERN.match(rubric_id):
        errors.append(
            f"rubric id {rubric_id!r} must be lowercase letters, digits, '-' or '_' "
            "(it is typed in commands)"
        )
    criteria = data.get("criteria")
    if not isinstance(criteria, list) or not criteria:
        errors.append("rubric needs a non-empty 'criteria' list")
        return RubricCheck(None, errors=errors, warnings=warnings)

    seen: dict[str, int] = {}
    weight_sum = 0.0
    weights_valid = True
    for position, raw in enumerate(criteria):
        label = _criterion_label(raw, position)
        if not isinstance(raw, dict):
            errors.append(f"{label}: must be a mapping")
            weights_valid = False
            continue
        crit_id = raw.get("id")
        if not isinstance(crit_id, str) or not crit_id.strip():
            errors.append(f"{label}: 'id' is required")
        elif not _ID_PATTERN.match(crit_id):
            errors.append(f"{label}: id must be lowercase letters, digits, '-' or '_'")
        elif crit_id in seen:
            errors.append(f"{label}: duplicate id (also criterion #{seen[crit_id] + 1})")
        else:
            seen[crit_id] = position
        for key in ("name", "description"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                errors.append(f"{label}: '{key}' is required")
        weight = raw.get("weight")
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            errors.append(f"{label}: 'weight' must be a number (percent)")
            weights_valid = False
        elif weight > WEIGHT_TOTAL or not math.isfinite(weight):
            # YAML reads .nan and .inf as numbers; a NaN weight would null every overall score.
            shown = repr(weight) if isinstance(weight, float) else "more than 100"
            errors.append(f"{label}: weight must be a percent from above 0 to 100, got {shown}")
            weights_valid = False
        elif weight <= 0:
            errors.append(f"{label}: weight must be positive, got {_format_number(weight)}")
            weight_sum += float(weight)
        else:
            weight_sum += float(weight)
        errors.extend(_check_anchors(label, raw.get("anchors")))
        examples = raw.get("examples")
        if examples is not None and not isinstance(examples, dict):
            errors.append(f"{label}: 'examples' must have 'positive' and/or 'negative' lists")
        elif not _has_positive_examples(examples):
            warnings.append(NO_EXAMPLES_WARNING.format(label=label))

    if weights_valid and abs(weight_sum - WEIGHT_TOTAL) > 1e-6:
        errors.append(
            f"criterion weights sum to {_format_number(weight_sum)}; they must sum to 100"
        )
    count = len(criteria)
    weights = [raw.get("weight") for raw in criteria if isinstance(raw, dict)]
    if weights_valid and count > 1 and len(set(weights)) == 1 and not errors:
        # Method rule: weights come from how strongly each behaviour goes with winning.
        warnings.append(
            "every criterion has the same weight: weight them by how strongly each goes with won "
            "deals (`callcoach outcomes --won 50` suggests weights from your last 50 won deals)"
        )
    if count < MIN_ADVISED_CRITERIA or count > MAX_ADVISED_CRITERIA:
        warnings.append(
            f"rubric has {count} criteria; 4-6 are advised "
            "(fewer misses behaviours that matter, more dilutes coaching)"
        )
    if errors:
        return RubricCheck(None, errors=errors, warnings=warnings)
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            errors.append(f"{where}: {err['msg']}")
        return RubricCheck(None, errors=errors, warnings=warnings)
    return RubricCheck(rubric, errors=[], warnings=warnings)
