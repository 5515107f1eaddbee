"""What the LLM is shown and what it must answer.

One request per criterion. The system message carries the whole rubric with every anchor (the
same for every call, so servers with prefix caching process it once); the user message carries
the transcript (all of it, or the candidate windows) with segment numbers, times and speakers,
then names the criterion to judge. The answer is one JSON object validated by `Judgement`.

Bump PROMPT_VERSION whenever the wording or the schema changes: it is part of the cache key and
of the scorer version stored with every score.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from callcoach.domain.calls import Call, Segment
from callcoach.domain.rubric import Criterion, Rubric

PROMPT_VERSION = "1"
CONTEXT_SEGMENTS = 1  # segments shown either side of a candidate (the objection before a reply)


class QuotedEvidence(BaseModel):
    model_config = ConfigDict(extra="ignore")

    segment: int
    quote: str


class Judgement(BaseModel):
    """The model's answer for one criterion, before its quotes are verified."""

    model_config = ConfigDict(extra="ignore")

    evidence: list[QuotedEvidence] = Field(default_factory=list)
    rationale: str
    level: int = Field(ge=1, le=5)
    confidence: float = Field(ge=0.0, le=1.0)

    @field_validator("level", mode="before")
    @classmethod
    def _whole_level(cls, value: Any) -> Any:
        # JSON true is not level 1 (pydantic's lax mode would read it so): refused, asked again.
        if isinstance(value, bool):
            raise ValueError(f"level must be a whole number from 1 to 5, not {value!r}")
        return value

    @field_validator("confidence", mode="before")
    @classmethod
    def _share(cls, value: Any) -> Any:
        # Models asked for 0-1 sometimes answer a percentage (80) or overshoot (1.5): a whole
        # 10-100 is read as a percentage, anything else outside 0-1 is clamped.
        if isinstance(value, int | float) and not isinstance(value, bool):
            if value > 1 and 10 <= value <= 100 and float(value).is_integer():
                return value / 100
            return min(1.0, max(0.0, float(value)))
        return value


def answer_schema(max_evidence: int, quote_chars: int, rationale_chars: int) -> dict[str, Any]:
    """JSON schema sent to the server. Properties are ordered so the model quotes before it judges.

    Lengths are bounded so a grammar-constrained answer always closes within max_tokens.
    """
    return {
        "type": "object",
        "properties": {
            "evidence": {
                "type": "array",
                "maxItems": max_evidence,
                "items": {
                    "type": "object",
                    "properties": {
                        "segment": {"type": "integer"},
                        "quote": {"type": "string", "minLength": 1, "maxLength": quote_chars},
                    },
                    "required": ["segment", "quote"],
                    "additionalProperties": False,
                },
            },
            "rationale": {"type": "string", "maxLength": rationale_chars},
            "level": {"type": "integer", "enum": [1, 2, 3, 4, 5]},
            "confidence": {"type": "number"},
        },
        "required": ["evidence", "rationale", "level", "confidence"],
        "additionalProperties": False,
    }


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _criterion_block(criterion: Criterion) -> str:
    lines = [
        f"### {criterion.id}: {criterion.name} (weight {criterion.weight:g}%)",
        criterion.description.strip(),
    ]
    lines.extend(
        f"Level {level}: {criterion.anchors[level]}" for level in sorted(criterion.anchors)
    )
    if criterion.examples.positive:
        lines.append("Sounds like the behaviour: " + " | ".join(criterion.examples.positive))
    if criterion.examples.negative:
        lines.append("Sounds like its absence: " + " | ".join(criterion.examples.negative))
    return "\n".join(lines)


def system_message(rubric: Rubric, max_evidence: int) -> str:
    blocks = "\n\n".join(_criterion_block(c) for c in rubric.criteria)
    about = f"\n{rubric.description.strip()}" if rubric.description else ""
    return (
        "You are an experienced sales coach. You score a sales call on one criterion of the "
        "rubric below at a time, judging only what the rep (segments marked REP) said and did.\n"
        "Rules:\n"
        "- Choose the level whose anchor best describes the rep's behaviour in this call.\n"
        f"- Back the level with 1 to {max_evidence} quotes. Copy each quote exactly, word for "
        "word, from the text of the segment whose number you give. Never paraphrase, never "
        "join text from two segments.\n"
        "- If the behaviour is missing, give a low level and quote the moment where it should "
        "have happened (for example the prospect's concern the rep left unanswered).\n"
        "- rationale: one or two sentences naming the anchor you matched and what the quotes "
        "show or what was missing.\n"
        "- confidence: from 0 to 1, how sure you are of the level.\n"
        'Answer with JSON only: {"evidence": [{"segment": N, "quote": "..."}], '
        '"rationale": "...", "level": L, "confidence": C}\n\n'
        f"## Rubric: {rubric.name}{about}\n\n{blocks}"
    )


def segment_line(segment: Segment) -> str:
    clock = _clock(segment.start)
    who = f"{'REP' if segment.is_rep else segment.role.value.upper()} {segment.speaker}"
    when = f" {clock}" if clock else ""
    return f"[{segment.index}]{when} {who}: {' '.join(segment.text.split())}"


def candidate_windows(
    call: Call, candidates: Iterable[int], context: int = CONTEXT_SEGMENTS
) -> list[int]:
    """Segment indexes to show: each candidate with `context` segments either side, in order."""
    last = len(call.segments) - 1
    shown: set[int] = set()
    for index in candidates:
        if 0 <= index <= last:
            shown.update(range(max(0, index - context), min(last, index + context) + 1))
    return sorted(shown)


def transcript_text(call: Call, shown: Sequence[int] | None) -> str:
    """The transcript lines; gaps between windows are marked so numbering stays meaningful."""
    indexes = list(range(len(call.segments))) if shown is None else list(shown)
    lines: list[str] = []
    previous = -1
    for index in indexes:
        if index > previous + 1:
            lines.append(f"(... segments {previous + 1}-{index - 1} not shown ...)")
        lines.append(segment_line(call.segments[index]))
        previous = index
    if shown is not None and previous < len(call.segments) - 1:
        lines.append(f"(... segments {previous + 1}-{len(call.segments) - 1} not shown ...)")
    return "\n".join(lines)


def user_message(
    call: Call, criterion: Criterion, shown: Sequence[int] | None, candidates: Sequence[int]
) -> str:
    header = [f"Call {call.external_id}"]
    if call.rep:
        header.append(f"rep: {call.rep}")
    if call.date:
        header.append(f"date: {call.date:%Y-%m-%d}")
    scope = (
        "Full transcript"
        if shown is None
        else f"Excerpts of the transcript ({len(call.segments)} segments in all)"
    )
    focus = (
        f"\nThe segments most likely to show it are {', '.join(str(c) for c in candidates)}; "
        "the others are context."
        if shown is not None and candidates
        else ""
    )
    return (
        f"{', '.join(header)}.\n{scope} (segment number, time, speaker):\n\n"
        f"{transcript_text(call, shown)}\n\n"
        f"Score criterion {criterion.id} ({criterion.name}) for this call.{focus}"
    )


def retry_message(problem: str) -> str:
    return (
        f"Your answer could not be used: {problem}. Answer again with the same JSON form. Copy "
        "every quote character for character from the single segment whose number you give."
    )
