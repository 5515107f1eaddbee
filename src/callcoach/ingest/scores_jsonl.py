"""The scores JSON Lines format of `callcoach export scores` (docs/export-format.md, "Scores").

One line per call and rubric run:
{"call_id", "rubric_id", "rubric_version", "scorer", "overall",
 "criteria": [{"id", "level", "confidence", "rationale",
               "evidence": [{"segment", "start", "end", "speaker", "quote"}]}]}
`segment` is the 0-based index of the segment in the call as imported; `call_id` is the id the
call was imported with. Levels are 1-5 (null: the criterion got no level).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from callcoach.domain.scores import LEVEL_MAX, LEVEL_MIN
from callcoach.ingest.errors import ParseError, utf8_lines
from callcoach.ingest.json_source import parse_json

MAX_INT = 2**31 - 1  # the store's integer columns


class EvidenceLine(BaseModel):
    model_config = ConfigDict(extra="ignore")

    segment: int = Field(ge=0, le=MAX_INT)
    quote: str = Field(min_length=1)
    speaker: str | None = None
    start: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    end: float | None = Field(default=None, ge=0, allow_inf_nan=False)


class CriterionLine(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1)
    level: int | None = Field(default=None, ge=LEVEL_MIN, le=LEVEL_MAX, strict=True)
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)
    rationale: str = ""
    evidence: list[EvidenceLine] = Field(default_factory=list)


class ScoreLine(BaseModel):
    """One scored run as exported. Unknown extra keys are ignored (other systems add some)."""

    model_config = ConfigDict(extra="ignore")

    call_id: str = Field(min_length=1)
    rubric_id: str = Field(min_length=1)
    rubric_version: int = Field(ge=1, le=MAX_INT)
    scorer: str = Field(min_length=1)
    scorer_version: str | None = None
    overall: float | None = Field(default=None, allow_inf_nan=False)
    criteria: list[CriterionLine]

    def to_json(self) -> dict[str, Any]:
        """The exact export shape (no optional extras)."""
        return {
            "call_id": self.call_id,
            "rubric_id": self.rubric_id,
            "rubric_version": self.rubric_version,
            "scorer": self.scorer,
            "overall": self.overall,
            "criteria": [
                {
                    "id": c.id,
                    "level": c.level,
                    "confidence": c.confidence,
                    "rationale": c.rationale,
                    "evidence": [
                        {
                            "segment": e.segment,
                            "start": e.start,
                            "end": e.end,
                            "speaker": e.speaker,
                            "quote": e.quote,
                        }
                        for e in c.evidence
                    ],
                }
                for c in self.criteria
            ],
        }


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    message = first["msg"]
    if first["type"] in ("greater_than_equal", "less_than_equal") and where.endswith("level"):
        message = f"level {first.get('input')!r} is outside 1-5"
    return f"{where}: {message}" if where else message


def read_score_lines(path: Path) -> Iterator[tuple[int, ScoreLine]]:
    """(line number, parsed line) for every non-blank line; ParseError names the bad line."""
    for number, raw in utf8_lines(path):
        if not raw.strip():
            continue
        data = parse_json(path, raw, number)
        if not isinstance(data, dict):
            raise ParseError(path, number, "each line must be a JSON object")
        try:
            yield number, ScoreLine.model_validate(data)
        except ValidationError as exc:
            raise ParseError(path, number, _describe(exc)) from exc
