"""Whisper on a window as long as the turn, not 30 seconds: the largest saving for short turns.

Whisper's encoder is trained on 30 s windows, and faster-whisper always pads a shorter input
to 30 s of silence, so a 3 s turn costs the encoder as much as 30 s of speech. CTranslate2's
Whisper encoder also takes shorter inputs; whisper.cpp offers the same as `--audio-ctx`. Here
the turn is followed by five seconds of real silence (zeros in the audio, so the log-mel
padding is what Whisper saw in training, not an arbitrary feature value), encoded, and decoded
greedily without timestamps.

Its known failure on windows cut too short, repeating a phrase until the token limit, is held
off by the trailing silence, bounded by a token budget proportional to the turn's length, and
caught by faster-whisper's own repetition test (text compressing better than 2.4:1), which
sends the turn back through the full 30 s window. bench/voice.py measures speed and word error
rate against the full window on real conversation turns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from callcoach.ingest.audio import SAMPLE_RATE

WHISPER_WINDOW_S = 30.0
# faster-whisper's default `compression_ratio_threshold`: above it, decoded text is a loop.
REPETITIVE_COMPRESSION_RATIO = 2.4


@dataclass(frozen=True)
class ShortWindow:
    """How a turn is fitted into a shorter encoder window.

    Provenance: `silence_after_s` is the best of 1, 3, 5 and 8 s by mean word error rate on
    40 turns of PersuasionForGood (../shared/data/persuasionforgood-dev.jsonl, 6-40 words,
    seed 1) spoken by espeak-ng as push to talk records them: 0.217, 0.166, 0.135, 0.139,
    against 0.146 for the full 30 s window (bench/voice.py, "window_chosen_on_persuasionforgood").
    The rates docs/practice.md reports are measured on CaSiNo turns, which took no part.
    """

    silence_after_s: float = 5.0
    # Spoken English runs about 2.5 words (3.5 tokens) a second; a decode that needs more than
    # 6 a second (plus 10) is looping, and stopping it there bounds the worst case.
    max_tokens_per_second: float = 6.0

    def fits(self, samples: np.ndarray) -> bool:
        return len(samples) / SAMPLE_RATE + self.silence_after_s <= WHISPER_WINDOW_S


def transcribe_in_short_window(
    model: Any, samples: np.ndarray, window: ShortWindow, beam_size: int
) -> str | None:
    """English text of `samples` with an English-only `model` (a faster-whisper WhisperModel);
    None when the text is a repetition loop, for the caller to decode the full window."""
    from faster_whisper.tokenizer import Tokenizer
    from faster_whisper.transcribe import get_compression_ratio, get_suppressed_tokens

    silence = np.zeros(int(window.silence_after_s * SAMPLE_RATE), dtype=np.float32)
    features = model.feature_extractor(np.concatenate([samples.astype(np.float32), silence]))
    # The extractor pads one hop and so yields one frame too many, as faster-whisper drops too.
    encoder_output = model.encode(np.ascontiguousarray(features[:, :-1]))
    tokenizer = Tokenizer(model.hf_tokenizer, False, task="transcribe", language="en")
    prompt = [*tokenizer.sot_sequence, tokenizer.no_timestamps]
    budget = int(len(samples) / SAMPLE_RATE * window.max_tokens_per_second) + 10
    result = model.model.generate(
        encoder_output,
        [prompt],
        beam_size=beam_size,
        max_length=min(model.max_length, len(prompt) + budget),
        suppress_blank=True,
        # [-1]: non-speech symbols, as every transcription here (numbers stay digits).
        suppress_tokens=list(get_suppressed_tokens(tokenizer, [-1]) or ()),
    )[0]
    text: str = tokenizer.decode(result.sequences_ids[0]).strip()
    if text and get_compression_ratio(text) > REPETITIVE_COMPRESSION_RATIO:
        return None
    return text
