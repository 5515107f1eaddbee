"""From written turns to a transcript as an ASR would give it: fillers, backchannels, timing.

Speaking rates are ~150 words a minute (each person their own), turns are separated by pauses
(longer after a question, shortest for a backchannel), and the clock only moves forward.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from callcoach.demo.phrases.common import BACKCHANNELS
from callcoach.demo.scene import Turn
from callcoach.domain.calls import Segment, SpeakerRole

FILLERS = ("Um, ", "Uh, ", "So, ", "Yeah, so ", "I mean, ", "Okay, so ", "Right, so ", "Um, so ")
# Words a filler can go in front of (not discourse markers, which would double up: "so, so").
SOFT_STARTS = frozenset(
    (
        "the",
        "that",
        "it",
        "we",
        "let",
        "what",
        "how",
        "when",
        "if",
        "you",
        "our",
        "this",
        "there",
        "can",
        "could",
        "would",
        "is",
        "does",
        "do",
        "any",
        "just",
        "i'll",
        "i'd",
        "i'm",
        "i",
        "they",
        "we're",
        "it's",
        "there's",
    )
)
SPLIT_REP_TURN_WORDS = 55
SPLIT_PROSPECT_TURN_WORDS = 70
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


@dataclass(frozen=True)
class Voice:
    wpm: float
    patience: float  # seconds before speaking after someone else
    fluency: float  # 0-1, how rarely fillers slip in


def _disfluent(text: str, fluency: float, rng: random.Random) -> str:
    """People say 'um' and restart words; fluent speakers less often."""
    roughness = 1.0 - fluency
    first, _, rest = text.partition(" ")
    if rest and first.lower().strip(",.") in SOFT_STARTS and rng.random() < roughness * 0.7:
        lowered = first if first in ("I", "I'll", "I'd", "I'm") else first.lower()
        text = f"{FILLERS[rng.randrange(len(FILLERS))]}{lowered} {rest}"
    if rng.random() < roughness * 0.25 and len(text.split()) >= 12:
        head, comma, tail = text.partition(", ")
        if comma and len(head.split()) >= 4 and not tail.startswith(("you know", "and")):
            text = f"{head}, you know, {tail}"
    if rng.random() < roughness * 0.15:
        first, _, rest = text.partition(" ")
        if rest and first.isalpha() and len(first) <= 5:
            text = f"{first}- {first.lower() if first != 'I' else first} {rest}"
    return text


def _split(text: str, rng: random.Random) -> tuple[str, str] | None:
    """A long turn cut at a sentence boundary near its middle, for a backchannel in between."""
    sentences = _SENTENCE_END.split(text)
    if len(sentences) < 2:
        return None
    cut = max(1, min(len(sentences) - 1, len(sentences) // 2 + rng.choice((-1, 0, 0, 1))))
    return " ".join(sentences[:cut]), " ".join(sentences[cut:])


def _with_backchannels(
    turns: list[Turn], rep: str, listener: str, rng: random.Random
) -> list[Turn]:
    """Long turns get an 'mm-hm' from the other side halfway through, as real calls do."""
    result: list[Turn] = []
    for turn in turns:
        words = len(turn.text.split())
        threshold = (
            SPLIT_REP_TURN_WORDS if turn.role is SpeakerRole.REP else SPLIT_PROSPECT_TURN_WORDS
        )
        halves = _split(turn.text, rng) if words > threshold and rng.random() < 0.55 else None
        if halves is None:
            result.append(turn)
            continue
        if turn.role is SpeakerRole.REP:
            back = Turn(
                SpeakerRole.PROSPECT, listener, BACKCHANNELS[rng.randrange(len(BACKCHANNELS))]
            )
        else:
            back = Turn(SpeakerRole.REP, rep, BACKCHANNELS[rng.randrange(len(BACKCHANNELS))])
        result.append(Turn(turn.role, turn.speaker, halves[0], turn.tag))
        result.append(back)
        result.append(Turn(turn.role, turn.speaker, halves[1], turn.tag))
    return result


def estimate_seconds(turns: list[Turn]) -> float:
    """Roughly how long turns take to say (150 wpm and a pause per turn)."""
    return sum(len(t.text.split()) / 2.5 + 0.8 for t in turns)


def timed_segments(
    turns: list[Turn],
    voices: dict[str, Voice],
    rep: str,
    listener: str,
    rng: random.Random,
) -> tuple[list[Segment], list[str | None]]:
    """Segments with start/end seconds, and the criterion tag of each segment."""
    turns = _with_backchannels(turns, rep, listener, rng)
    segments: list[Segment] = []
    tags: list[str | None] = []
    clock = rng.uniform(0.8, 4.0)  # the recording starts before anyone speaks
    previous: Turn | None = None
    for index, turn in enumerate(turns):
        voice = voices[turn.speaker]
        text = turn.text if turn.text in BACKCHANNELS else _disfluent(turn.text, voice.fluency, rng)
        if previous is None:
            gap = 0.0
        elif turn.text in BACKCHANNELS:
            gap = rng.uniform(0.05, 0.3)
        elif previous.speaker == turn.speaker:
            gap = rng.uniform(0.2, 0.6)
        elif previous.text.rstrip().endswith("?"):
            gap = voice.patience * rng.uniform(0.8, 1.6) + rng.uniform(0.2, 0.9)
        else:
            gap = voice.patience * rng.uniform(0.6, 1.3)
        if previous is not None and rng.random() < 0.03:
            gap += rng.uniform(1.5, 4.0)  # someone looks something up, a line drops for a second
        words = len(text.split())
        sentences = max(1, len(_SENTENCE_END.split(text)))
        speaking = words * 60.0 / (voice.wpm * rng.uniform(0.92, 1.08)) + 0.2 * (sentences - 1)
        start = round(clock + gap, 2)
        end = round(start + max(0.4, speaking), 2)
        segments.append(Segment(index, turn.speaker, turn.role, text, start, end))
        tags.append(turn.tag)
        clock = end
        previous = turn
    return segments, tags
