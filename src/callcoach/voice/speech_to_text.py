"""Speech to text for one spoken turn: the bundled Whisper tiny.en through faster-whisper.

The model is the one `callcoach.ingest.transcribe` loads for call recordings, through the same
loader (once per process, int8 on the CPU, never downloaded), but decoded for latency rather
than for call transcripts: a push-to-talk turn needs its words, not their timestamps, and the
reply waits for them. What each choice buys is measured by bench/voice.py and written up in
docs/practice.md ("Voice").
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from callcoach.ingest.audio import SAMPLE_RATE, decode
from callcoach.ingest.errors import ParseError
from callcoach.ingest.transcribe import (
    DecodingOptions,
    TranscriberError,
    load_model,
    resolve_model_path,
)
from callcoach.voice.errors import VoiceError, VoiceProblem
from callcoach.voice.short_window import ShortWindow, transcribe_in_short_window


@dataclass(frozen=True)
class ListeningOptions:
    """How a spoken turn is checked, trimmed and decoded.

    Provenance of the numbers: bench/voice.py (results in bench/results/voice.json) measured
    each decoding choice on espeak-ng speech of 3, 5 and 10 s on this project's 2-core machine;
    the silence and length limits are what a push-to-talk turn can plausibly be.
    """

    # Greedy decoding: beam 5 costs more time on a short turn and read no better in the bench.
    beam_size: int = 1
    # The encoder reads the turn plus 5 s of silence, not a 30 s window (see short_window);
    # None: always the full window, as faster-whisper pads it.
    short_window: ShortWindow | None = field(default_factory=ShortWindow)
    # Silero VAD (bundled with faster-whisper) finds the speech; the silence before and after
    # it (the button pressed early, released late) is cut off, and a turn with no speech at
    # all is refused instead of handed to Whisper, which invents words for silence and noise.
    trim_to_speech: bool = True
    speech_pad_ms: int = 200  # kept either side of the speech so first and last sounds stay
    vad_min_silence_ms: int = 500
    # Quieter than this everywhere is digital silence: a muted or absent microphone. A quiet
    # room through a real microphone sits around -70 to -50 dBFS at its loudest 20 ms, a
    # voice at -30 to -6 dBFS.
    silent_below_dbfs: float = -65.0
    min_seconds: float = 0.2  # shorter is a tap of the button, not a turn
    max_seconds: float = 120.0  # one spoken turn, not a monologue
    # Two minutes of 48 kHz 16-bit stereo WAV is 23 MB (a browser's opus is about 1 MB).
    max_bytes: int = 24 * 1024 * 1024
    # 0: CTranslate2's default (4 threads), as call import uses, so both share one loaded
    # model. 1, 2 and 4 threads differed by less than the noise of the shared 2-core machine
    # in bench/voice.py; the model's size is what matters.
    cpu_threads: int = 0

    def decoding(self) -> DecodingOptions:
        # The VAD pass here replaces faster-whisper's own: it runs once, and tells silence
        # apart from words.
        return DecodingOptions(beam_size=self.beam_size, word_timestamps=False, vad_filter=False)


class WhisperSpeechToText:
    """Transcribes one utterance. Cheap to build; the model loads on first use (or `warm_up`)."""

    def __init__(self, model: str | Path | None = None, options: ListeningOptions | None = None):
        try:
            self.model_path = resolve_model_path(model)
        except TranscriberError as exc:
            raise VoiceError(VoiceProblem.UNAVAILABLE, str(exc)) from exc
        self.options = options or ListeningOptions()

    def transcribe(self, audio: bytes) -> str:
        samples = self.decode(audio)
        return self.recognise(self.speech(samples))

    def warm_up(self) -> None:
        """Load the model and the VAD and run both once (the first run allocates)."""
        self.speech(_warm_up_sound(), required=False)
        self._run_whisper(np.zeros(SAMPLE_RATE, dtype=np.float32))

    def decode(self, audio: bytes) -> np.ndarray:
        """The recording as 16 kHz mono float32 samples, checked for length and sound."""
        limits = self.options
        if not audio:
            raise VoiceError(VoiceProblem.EMPTY, "no audio was received: the recording is empty")
        if len(audio) > limits.max_bytes:
            raise VoiceError(
                VoiceProblem.TOO_LONG,
                f"the recording is {len(audio) / 1e6:.1f} MB; at most "
                f"{limits.max_bytes / 1e6:.0f} MB (about {limits.max_seconds:.0f} s) per turn",
            )
        # PyAV (FFmpeg) finds the format from the bytes themselves; the ingest decoder reads
        # a path, and a temporary file costs well under a millisecond against the decode.
        with tempfile.NamedTemporaryFile(prefix="callcoach-utterance-") as handle:
            handle.write(audio)
            handle.flush()
            try:
                decoded = decode(Path(handle.name))
            except ParseError as exc:
                problem = (
                    VoiceProblem.EMPTY
                    if "no audio samples" in exc.reason
                    else VoiceProblem.UNREADABLE
                )
                raise VoiceError(problem, f"the recording cannot be used: {exc.reason}") from exc
        samples = decoded.mono()
        seconds = len(samples) / SAMPLE_RATE
        if seconds < limits.min_seconds:
            raise VoiceError(
                VoiceProblem.EMPTY,
                f"the recording is {seconds:.2f} s long: hold the button while you speak",
            )
        if seconds > limits.max_seconds:
            raise VoiceError(
                VoiceProblem.TOO_LONG,
                f"the recording is {seconds:.0f} s long; one turn may be at most "
                f"{limits.max_seconds:.0f} s",
            )
        if loudest_dbfs(samples) < limits.silent_below_dbfs:
            raise VoiceError(
                VoiceProblem.SILENT,
                "the recording is silent: check that the microphone is connected, not muted, "
                "and allowed for this page",
            )
        return samples

    def speech(self, samples: np.ndarray, *, required: bool = True) -> np.ndarray:
        """The samples from the start of the first speech to the end of the last."""
        if not self.options.trim_to_speech:
            return samples
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        spans = get_speech_timestamps(
            samples,
            VadOptions(
                min_silence_duration_ms=self.options.vad_min_silence_ms,
                speech_pad_ms=self.options.speech_pad_ms,
            ),
        )
        if not spans:
            if required:
                raise VoiceError(
                    VoiceProblem.NO_SPEECH,
                    "no speech was heard in the recording: speak closer to the microphone, "
                    "or check it picks up your voice",
                )
            return samples
        trimmed: np.ndarray = samples[spans[0]["start"] : spans[-1]["end"]]
        return trimmed

    def recognise(self, samples: np.ndarray) -> str:
        """Whisper's text for speech samples; an error if it hears no words in them."""
        text = self._run_whisper(samples)
        if not text:
            raise VoiceError(
                VoiceProblem.NO_SPEECH,
                "no words could be made out in the recording: please say it again",
            )
        return text

    def _run_whisper(self, samples: np.ndarray) -> str:
        try:
            model = load_model(self.model_path, self.options.cpu_threads)
        except TranscriberError as exc:
            raise VoiceError(VoiceProblem.UNAVAILABLE, str(exc)) from exc
        window = self.options.short_window
        # A multilingual model detects the language on the full window it was trained on.
        if window is not None and not model.model.is_multilingual and window.fits(samples):
            text = transcribe_in_short_window(model, samples, window, self.options.beam_size)
            if text is not None:
                return text
        language = None if model.model.is_multilingual else "en"
        segments, _info = model.transcribe(samples, **self.whisper_arguments(language))
        return " ".join(segment.text.strip() for segment in segments if segment.text.strip())

    def whisper_arguments(self, language: str | None) -> dict[str, Any]:
        """What `WhisperModel.transcribe` is given for a turn decoded in the full window."""
        arguments = self.options.decoding().kwargs(language)
        # One turn is one stretch of speech: no timestamp tokens to decode, nothing earlier
        # to condition on.
        arguments.update(without_timestamps=True, condition_on_previous_text=False)
        return arguments


def loudest_dbfs(samples: np.ndarray, frame_s: float = 0.02) -> float:
    """The level of the loudest 20 ms frame, in dB relative to full scale (-inf: all zeros)."""
    size = max(1, int(frame_s * SAMPLE_RATE))
    count = max(1, len(samples) // size)
    frames = np.resize(samples.astype(np.float64), count * size).reshape(count, size)
    rms = float(np.sqrt(np.mean(np.square(frames), axis=1)).max())
    return float(20 * np.log10(rms)) if rms > 0 else float("-inf")


def _warm_up_sound() -> np.ndarray:
    """A second of quiet noise: enough for the VAD model to load and run once."""
    noise = np.random.default_rng(0).normal(0.0, 0.01, SAMPLE_RATE)
    return noise.astype(np.float32)
