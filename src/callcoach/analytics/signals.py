"""Conversation signals computed from segment timing, per call and per rep.

Definitions (docs/assessment.md):
- talk ratio: the rep's speaking time / everyone's speaking time (segment end - start);
- longest rep monologue (s): the longest run of consecutive rep segments, first start to last end;
- longest prospect story (s): the same for the prospect;
- rep question rate: rep questions (each "?" ending a sentence) per 10 minutes of call;
- interactivity: speaker switches (consecutive segments by different speakers) per minute;
- patience (s): mean pause between the end of a prospect segment and the start of the rep
  segment that follows it (overlaps count as 0).
Call length is the span from the first segment's start to the last segment's end. A transcript
without timing has no signals: the reason is given instead.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from callcoach.domain.calls import Segment, SpeakerRole

_QUESTION = re.compile(r"\?+")


@dataclass(frozen=True)
class CallSignals:
    call_id: str
    duration_s: float | None
    talk_ratio: float | None
    longest_monologue_s: float | None
    longest_story_s: float | None
    question_rate: float | None  # per 10 minutes
    interactivity: float | None  # switches per minute
    patience_s: float | None
    omitted: str | None = None  # why there are no signals


SIGNAL_NAMES = (
    "talk_ratio",
    "longest_monologue_s",
    "longest_story_s",
    "question_rate",
    "interactivity",
    "patience_s",
)


def _no_signals(call_id: str, reason: str) -> CallSignals:
    return CallSignals(call_id, None, None, None, None, None, None, None, omitted=reason)


def _longest_run(segments: Sequence[Segment], role: SpeakerRole) -> float | None:
    longest: float | None = None
    run_start: float | None = None
    run_end: float | None = None
    for seg in segments:
        if seg.role is role:
            assert seg.start is not None and seg.end is not None
            if run_start is None:
                run_start = seg.start
            run_end = seg.end
            length = run_end - run_start
            longest = length if longest is None else max(longest, length)
        else:
            run_start = run_end = None
    return longest


def call_signals(call_id: str, segments: Sequence[Segment]) -> CallSignals:
    """Signals of one call; omitted with the reason when the transcript has no timing."""
    if not segments:
        return _no_signals(call_id, "the transcript is empty")
    if any(s.start is None or s.end is None for s in segments):
        return _no_signals(
            call_id, "the transcript has no timing (no start/end per segment): nothing to measure"
        )
    ordered = sorted(segments, key=lambda s: (s.start or 0.0, s.index))
    starts = np.array([s.start for s in ordered], dtype=float)
    ends = np.array([s.end for s in ordered], dtype=float)
    spoken = np.clip(ends - starts, 0.0, None)
    duration = float(ends.max() - starts.min())
    if duration <= 0:
        return _no_signals(call_id, "the segments' timing spans no time")
    is_rep = np.array([s.role is SpeakerRole.REP for s in ordered])
    total_spoken = float(spoken.sum())
    talk_ratio = float(spoken[is_rep].sum() / total_spoken) if total_spoken > 0 else None
    questions = sum(len(_QUESTION.findall(s.text)) for s in ordered if s.role is SpeakerRole.REP)
    switches = sum(1 for a, b in itertools.pairwise(ordered) if a.speaker != b.speaker)
    pauses = [
        max(0.0, (b.start or 0.0) - (a.end or 0.0))
        for a, b in itertools.pairwise(ordered)
        if a.role is SpeakerRole.PROSPECT and b.role is SpeakerRole.REP
    ]
    minutes = duration / 60.0
    return CallSignals(
        call_id=call_id,
        duration_s=duration,
        talk_ratio=talk_ratio,
        longest_monologue_s=_longest_run(ordered, SpeakerRole.REP),
        longest_story_s=_longest_run(ordered, SpeakerRole.PROSPECT),
        question_rate=questions / minutes * 10.0,
        interactivity=switches / minutes,
        patience_s=float(np.mean(pauses)) if pauses else None,
    )


@dataclass(frozen=True)
class SignalSummary:
    """Mean of each signal over calls (those with timing); n per signal."""

    calls: int
    calls_without_timing: int
    means: dict[str, float | None]
    counts: dict[str, int]


def summarize(signals: Sequence[CallSignals]) -> SignalSummary:
    timed = [s for s in signals if s.omitted is None]
    means: dict[str, float | None] = {}
    counts: dict[str, int] = {}
    for name in SIGNAL_NAMES:
        values = [getattr(s, name) for s in timed if getattr(s, name) is not None]
        counts[name] = len(values)
        means[name] = float(np.mean(values)) if values else None
    return SignalSummary(
        calls=len(signals),
        calls_without_timing=len(signals) - len(timed),
        means=means,
        counts=counts,
    )
