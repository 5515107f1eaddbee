"""Word-level ASR output (Deepgram, AssemblyAI) grouped into speaker turns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from callcoach.ingest.transcript import UNKNOWN_SPEAKER, ParsedTurn

# Without speaker labels, a silence this long (seconds) starts a new segment, close to the
# pause Deepgram itself uses to split utterances (0.8 s).
PAUSE_SPLIT_S = 1.0


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float
    speaker: str | None


def words_to_turns(words: Sequence[Word]) -> list[ParsedTurn]:
    """A turn per change of speaker; undiarized words split at pauses into 'Speaker' segments."""
    turns: list[ParsedTurn] = []
    for word in sorted(words, key=lambda w: w.start):
        speaker = word.speaker or UNKNOWN_SPEAKER
        last = turns[-1] if turns else None
        same_turn = (
            last is not None
            and last.speaker == speaker
            and (
                speaker != UNKNOWN_SPEAKER
                or last.end is None
                or word.start - last.end < PAUSE_SPLIT_S
            )
        )
        if last is not None and same_turn:
            last.text = f"{last.text} {word.text}"
            last.end = word.end
        else:
            turns.append(
                ParsedTurn(speaker=speaker, text=word.text, start=word.start, end=word.end)
            )
    return turns
