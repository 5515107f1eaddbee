"""bench/voice.py's test speech: espeak-ng turns recorded as push to talk sends them."""

from __future__ import annotations

import io
import json
import statistics
import sys
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the espeak-ng helpers live with the tests

from tests.audio_helpers import run  # noqa: E402

LEAD_S, RELEASE_S = 0.3, 0.6
ROOM_NOISE = 0.002  # about -54 dBFS: a quiet room through a laptop microphone


@dataclass(frozen=True)
class Utterance:
    nominal_s: int
    text: str
    speech_s: float
    recording: bytes  # WebM/Opus, as the browser posts it
    microphone_wav: Path  # 48 kHz PCM for Chromium's fake microphone


def speech_samples(text: str, workdir: Path) -> tuple[np.ndarray, int]:
    raw = workdir / "raw.wav"
    trimmed = workdir / "trimmed.wav"
    run("espeak-ng", "-v", "en-us", "-s", "150", "-w", raw, text)
    # espeak-ng ends with a pause; the utterance's length is its speech.
    run("sox", raw, trimmed, "reverse", "silence", "1", "0.05", "0.5%", "reverse")
    with wave.open(str(trimmed)) as reader:
        rate = reader.getframerate()
        pcm = np.frombuffer(reader.readframes(reader.getnframes()), "<i2") / 32768
    return pcm.astype(np.float32), rate


def wav_file(samples: np.ndarray, rate: int, path: Path) -> Path:
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def as_browser_recording(speech: np.ndarray, rate: int, folder: Path, seed: int) -> Path:
    """The speech as push to talk records it: room noise before and after it."""
    noise = np.random.default_rng(seed).normal(0, ROOM_NOISE, int((LEAD_S + RELEASE_S) * rate))
    lead = int(LEAD_S * rate)
    return wav_file(
        np.concatenate([noise[:lead], speech, noise[lead:]]), rate, folder / "padded.wav"
    )


def webm_opus(wav: Path) -> bytes:
    """Opus in WebM at 48 kHz, what Chromium's MediaRecorder posts."""
    import av

    out = io.BytesIO()
    with av.open(str(wav)) as reader, av.open(out, mode="w", format="webm") as writer:
        encoder = writer.add_stream("libopus", rate=48_000, layout="mono")
        resampler = av.AudioResampler(format="s16", layout="mono", rate=48_000)
        for frame in reader.decode(reader.streams.audio[0]):
            for chunk in resampler.resample(frame):
                chunk.pts = None
                for packet in encoder.encode(chunk):
                    writer.mux(packet)
        for packet in encoder.encode(None):
            writer.mux(packet)
    return out.getvalue()


def build_utterance(nominal_s: int, text: str, workdir: Path) -> Utterance:
    folder = workdir / f"u{nominal_s}"
    folder.mkdir()
    speech, rate = speech_samples(text, folder)
    padded = as_browser_recording(speech, rate, folder, nominal_s)
    microphone = folder / "microphone.wav"
    # The fake microphone loops its file: the turn, then silence, so a take holds one turn.
    run("sox", padded, "-r", "48000", "-c", "1", "-b", "16", microphone, "pad", "0", "4")
    return Utterance(nominal_s, text, round(len(speech) / rate, 2), webm_opus(padded), microphone)


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p90 = statistics.quantiles(ordered, n=10, method="inclusive")[8] if len(ordered) > 1 else 0
    return {
        "median": round(statistics.median(ordered), 3),
        "p90": round(p90 or ordered[-1], 3),
        "min": round(ordered[0], 3),
        "max": round(ordered[-1], 3),
    }


def corpus_turns(path: Path, count: int) -> list[str]:
    """`count` turns of 6-40 words, picked at random (seed 1) from a corpus of ../shared/data."""
    import random

    turns = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            for turn in json.loads(line)["turns"]:
                text = " ".join(turn["text"].split())
                if 6 <= len(text.split()) <= 40 and text.isascii():
                    turns.append(text)
    random.Random(1).shuffle(turns)
    return turns[:count]
