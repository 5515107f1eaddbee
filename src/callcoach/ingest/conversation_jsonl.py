"""The conversation JSON Lines format of ../shared/data: one call per line.

`turns[i]` becomes segment i; `rep_speaker` marks the rep's turns; optional `rep` and `date` give
the rep and call date; `outcome.won` becomes the outcome of a deal linked to the call;
`annotations` are kept with the call (unused by scoring).

Beyond ../shared/data/README.md, callcoach reads (and `callcoach export calls` writes) optional
`account`, `deal_id`, `call_type` and `duration_s`, and accepts a missing `rep_speaker`: the rep
is then identified as for any other format (by the roster). See docs/export-format.md.
"""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from callcoach.domain.calls import SpeakerRole
from callcoach.ingest.errors import ParseError, utf8_lines
from callcoach.ingest.json_source import parse_json
from callcoach.ingest.registry import TranscriptFormat
from callcoach.ingest.transcript import ParsedCall, ParsedTurn

NAME = "conversation-jsonl"


# Lengths the store holds: a longer value is refused here, with its line, not by the database.
class _Turn(BaseModel):
    model_config = ConfigDict(extra="allow")
    speaker: str = Field(max_length=200)
    text: str
    start: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    end: float | None = Field(default=None, ge=0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _ordered(self) -> _Turn:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(f"turn ends ({self.end}) before it starts ({self.start})")
        return self


class _Conversation(BaseModel):
    model_config = ConfigDict(extra="allow")
    call_id: str = Field(min_length=1, max_length=300)
    rep_speaker: str | None = None
    turns: list[_Turn]
    source: str | None = None
    rep: str | None = Field(default=None, max_length=200)
    date: datetime | None = None
    outcome: dict[str, Any] | None = None
    annotations: dict[str, Any] | None = None
    account: str | None = Field(default=None, max_length=300)
    deal_id: str | None = Field(default=None, max_length=200)
    call_type: str | None = Field(default=None, max_length=50)
    duration_s: float | None = Field(default=None, ge=0, allow_inf_nan=False)


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"{where}: {first['msg']}" if where else first["msg"]


def _parse_line(path: Path, number: int, line: str) -> ParsedCall:
    raw = parse_json(path, line, number)
    try:
        conv = _Conversation.model_validate(raw)
    except ValidationError as exc:
        raise ParseError(path, number, _describe(exc)) from exc
    if not conv.turns:
        raise ParseError(path, number, f"conversation {conv.call_id!r} has no turns")
    starts = [(i, t.start) for i, t in enumerate(conv.turns) if t.start is not None]
    for (_, before), (i, start) in pairwise(starts):
        if start < before:
            raise ParseError(
                path,
                number,
                f"turns.{i}.start: {start} is before the turn before it ({before}); turns must "
                "be in time order",
            )
    speakers = {t.speaker for t in conv.turns}
    if conv.rep_speaker is not None and conv.rep_speaker not in speakers:
        raise ParseError(
            path, number, f"rep_speaker {conv.rep_speaker!r} never speaks in {conv.call_id!r}"
        )
    turns = [
        ParsedTurn(
            speaker=t.speaker,
            text=t.text,
            start=t.start,
            end=t.end,
            role=None
            if conv.rep_speaker is None
            else (SpeakerRole.REP if t.speaker == conv.rep_speaker else SpeakerRole.PROSPECT),
        )
        for t in conv.turns
    ]
    won = conv.outcome.get("won") if conv.outcome else None
    meta: dict[str, Any] = {}
    if conv.rep_speaker is not None:
        meta["rep_speaker"] = conv.rep_speaker
    if conv.source:
        meta["source"] = conv.source
    if conv.outcome is not None:
        meta["outcome"] = conv.outcome
    return ParsedCall(
        external_id=conv.call_id,
        turns=turns,
        source_file=str(path),
        source_format=NAME,
        line=number,
        rep=conv.rep,
        date=conv.date,
        duration_s=conv.duration_s,
        account=conv.account,
        call_type=conv.call_type,
        annotations=conv.annotations,
        meta=meta,
        deal_outcome_won=won if isinstance(won, bool) else None,
        # The corpora have no deal ids: a call with an outcome is its own deal.
        deal_external_id=conv.deal_id or (conv.call_id if isinstance(won, bool) else None),
    )


def read(path: Path) -> list[ParsedCall]:
    calls: list[ParsedCall] = []
    seen: dict[str, int] = {}
    for number, line in utf8_lines(path):
        if not line.strip():
            continue
        call = _parse_line(path, number, line)
        if call.external_id in seen:
            raise ParseError(
                path,
                number,
                f"call_id {call.external_id!r} repeats line {seen[call.external_id]}",
            )
        seen[call.external_id] = number
        calls.append(call)
    if not calls:
        raise ParseError(path, None, "no conversations in file")
    return calls


def _sniff(path: Path, head: str) -> bool:
    first = head.lstrip().split("\n", 1)[0]
    return first.startswith("{") and '"turns"' in first and '"call_id"' in first


FORMAT = TranscriptFormat(
    name=NAME,
    summary="Conversation JSON Lines (one call per line; turns, rep_speaker, outcome)",
    extensions=(".jsonl",),
    sniff=_sniff,
    read=read,
)
