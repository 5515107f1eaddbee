"""Recordings: decoding, channels, speaker-turn files, and turning timed words into turns.

Everything here except `decode` and `probe_duration` is pure: it works on numpy arrays and
timed words, so the rules (who said a word, where a turn ends) are tested without a model.
Transcription itself lives in `ingest.transcribe`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from callcoach.ingest.errors import ParseError
from callcoach.ingest.json_source import parse_json
from callcoach.ingest.transcript import ParsedTurn

SAMPLE_RATE = 16_000  # what Whisper expects
# The formats PyAV (FFmpeg) reads that recordings come in; a directory import picks these up.
AUDIO_EXTENSIONS = (
    ".wav",
    ".mp3",
    ".m4a",
    ".mp4",
    ".aac",
    ".flac",
    ".ogg",
    ".oga",
    ".opus",
    ".webm",
    ".wma",
    ".amr",
    ".aif",
    ".aiff",
    ".caf",
    ".gsm",
)
# A word quieter on its own channel than on the other by this much is the other party's voice
# leaking into this channel (echo, a speakerphone), not speech of this channel's speaker.
CROSSTALK_DB = 15.0
# Words of one speaker closer than this belong to one utterance.
UTTERANCE_GAP_S = 1.0
# Channels this close to each other are one mono signal stored twice.
DUPLICATE_CHANNEL_TOLERANCE = 1e-3


class Channel(StrEnum):
    LEFT = "left"
    RIGHT = "right"

    @property
    def position(self) -> int:
        return 0 if self is Channel.LEFT else 1

    @property
    def other(self) -> Channel:
        return Channel.RIGHT if self is Channel.LEFT else Channel.LEFT


@dataclass(frozen=True)
class DecodedAudio:
    """A recording as 16 kHz float32 samples: one array per channel (one or two)."""

    channels: tuple[np.ndarray, ...]
    source_channels: int  # channels in the file (more than two are downmixed to two)
    codec: str

    @property
    def duration_s(self) -> float:
        return len(self.channels[0]) / SAMPLE_RATE if self.channels else 0.0

    @property
    def is_stereo(self) -> bool:
        return len(self.channels) == 2

    def mono(self) -> np.ndarray:
        if not self.is_stereo:
            return self.channels[0]
        mixed: np.ndarray = ((self.channels[0] + self.channels[1]) / 2).astype(np.float32)
        return mixed


@dataclass(frozen=True)
class TimedWord:
    """One recognised word with its time span; `text` keeps Whisper's leading space."""

    text: str
    start: float
    end: float
    speaker: str = ""
    probability: float = 1.0


@dataclass(frozen=True)
class SpeakerTurn:
    """A stretch of time one speaker holds, from a diarization file."""

    speaker: str
    start: float
    end: float


def file_sha256(path: Path) -> str:
    """Hash of the recording's bytes: the same file imported twice is recognised and skipped."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def probe_duration(path: Path) -> float | None:
    """The duration the container declares (cheap; no decoding), or None if it does not say."""
    import av

    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            if container.duration:
                return float(container.duration) / 1_000_000
            stream = container.streams.audio[0] if container.streams.audio else None
            if stream is not None and stream.duration and stream.time_base:
                return float(stream.duration * stream.time_base)
    except (OSError, ValueError, av.FFmpegError):
        return None
    return None


def decode(path: Path) -> DecodedAudio:
    """Decode any file FFmpeg reads to 16 kHz float32, keeping the two channels of stereo apart.

    A file that is not audio, has no audio stream, is damaged mid-way or holds no samples
    raises ParseError with the reason: it is rejected whole rather than half-transcribed.
    """
    import av

    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise ParseError(path, None, "no audio stream in this file")
            stream = container.streams.audio[0]
            source_channels = stream.codec_context.channels or 1
            layout = "stereo" if source_channels >= 2 else "mono"
            resampler = av.AudioResampler(format="fltp", layout=layout, rate=SAMPLE_RATE)
            chunks: list[np.ndarray] = []
            seconds = 0.0
            try:
                for frame in container.decode(stream):
                    for out in resampler.resample(frame):
                        chunk = out.to_ndarray()
                        chunks.append(chunk)
                        seconds += chunk.shape[1] / SAMPLE_RATE
                for out in resampler.resample(None):
                    chunks.append(out.to_ndarray())
            except av.FFmpegError as exc:
                raise ParseError(
                    path, None, f"the audio is damaged at {seconds:.1f} s: {_ffmpeg_reason(exc)}"
                ) from exc
            codec = stream.codec_context.name or "?"
    except ParseError:
        raise
    except av.FFmpegError as exc:
        raise ParseError(path, None, f"not a readable audio file: {_ffmpeg_reason(exc)}") from exc
    except OSError as exc:
        raise ParseError(path, None, f"cannot read file: {exc.strerror or exc}") from exc
    if not chunks:
        raise ParseError(path, None, "the file holds no audio samples")
    samples = np.concatenate(chunks, axis=1).astype(np.float32, copy=False)
    if samples.shape[1] == 0:
        raise ParseError(path, None, "the file holds no audio samples")
    channels = tuple(np.ascontiguousarray(row) for row in samples)
    if len(channels) == 2 and _same_signal(channels[0], channels[1]):
        # Mono stored as two identical channels: transcribing both would double every word.
        channels = (channels[0],)
    return DecodedAudio(channels=channels, source_channels=source_channels, codec=codec)


def _ffmpeg_reason(exc: Exception) -> str:
    return str(getattr(exc, "strerror", None) or exc).strip() or type(exc).__name__


def _same_signal(left: np.ndarray, right: np.ndarray) -> bool:
    peak = float(max(np.max(np.abs(left), initial=0.0), np.max(np.abs(right), initial=0.0)))
    if peak == 0.0:
        return True
    return float(np.max(np.abs(left - right))) <= DUPLICATE_CHANNEL_TOLERANCE * peak


FRAME_S = 0.02  # energy is compared per 20 ms frame
# Frames this far below the channel's loud frames are its noise floor: no one speaks there.
NOISE_FLOOR_DB = 45.0
MIN_WORD_S = 0.2
CONTEXT_FRAMES = 25  # half a second either side


def frame_energy(samples: np.ndarray) -> np.ndarray:
    """RMS level of each 20 ms frame."""
    size = int(FRAME_S * SAMPLE_RATE)
    count = len(samples) // size
    if count == 0:
        return np.zeros(0, dtype=np.float64)
    frames = samples[: count * size].astype(np.float64).reshape(count, size)
    energy: np.ndarray = np.sqrt(np.mean(np.square(frames), axis=1))
    return energy


def drop_crosstalk(
    words: Sequence[TimedWord],
    own: np.ndarray,
    other: np.ndarray,
    threshold_db: float = CROSSTALK_DB,
) -> list[TimedWord]:
    """Words that are really the other party leaking into this channel are removed.

    Frame by frame over a word's span, where this channel has sound at all: if it is
    `threshold_db` quieter than the other channel in most of those frames, the word is the
    other speaker's echo. In double talk both channels are loud and both words stay. Frames
    where this channel is silent do not count, so a word whose time span Whisper stretched
    over a silence is judged by the frames where it was actually heard.
    """
    own_db, other_db = frame_energy(own), frame_energy(other)
    if len(own_db) == 0:
        return list(words)
    loud = float(np.percentile(own_db, 95))
    floor = max(1e-5, loud * 10 ** (-NOISE_FLOOR_DB / 20))
    ratio = 10 ** (-threshold_db / 20)
    kept: list[TimedWord] = []
    for word in words:
        # Whisper gives some words (often the first after a pause) no duration at all.
        end = max(word.end, word.start + MIN_WORD_S)
        lo = int(word.start / FRAME_S)
        hi = max(lo + 1, int(np.ceil(end / FRAME_S)))
        heard = own_db[lo:hi] > floor
        if not heard.any():
            # Nothing heard where Whisper put the word: its time is off, judge the surroundings.
            lo, hi = max(0, lo - CONTEXT_FRAMES), hi + CONTEXT_FRAMES
        mine, theirs = own_db[lo:hi], other_db[lo:hi]
        heard = mine > floor
        leaked = heard & (mine < ratio * theirs[: len(mine)])
        if int(leaked.sum()) <= int((heard & ~leaked).sum()):
            kept.append(word)
    return kept


def label_words(words: Iterable[TimedWord], speaker: str) -> list[TimedWord]:
    return [replace(w, speaker=speaker) for w in words]


def assign_speakers(
    words: Sequence[TimedWord], turns: Sequence[SpeakerTurn], max_distance_s: float = 1.0
) -> list[TimedWord]:
    """Each word goes to the speaker whose turns overlap it most.

    A word falling in no turn (diarization tools trim edges) goes to the nearest turn within
    `max_distance_s`, else to "unknown".
    """
    ordered = sorted(turns, key=lambda t: t.start)
    result: list[TimedWord] = []
    for word in words:
        overlap: dict[str, float] = {}
        for turn in ordered:
            if turn.start >= word.end:
                break
            shared = min(word.end, turn.end) - max(word.start, turn.start)
            if shared > 0:
                overlap[turn.speaker] = overlap.get(turn.speaker, 0.0) + shared
        if overlap:
            speaker = max(overlap, key=lambda s: overlap[s])
        else:
            nearest = min(
                ordered,
                key=lambda t: max(t.start - word.end, word.start - t.end),
                default=None,
            )
            distance = max(nearest.start - word.end, word.start - nearest.end) if nearest else None
            speaker = (
                nearest.speaker
                if nearest is not None and distance is not None and distance <= max_distance_s
                else "unknown"
            )
        result.append(replace(word, speaker=speaker))
    return result


@dataclass
class Utterance:
    speaker: str
    words: list[TimedWord]

    @property
    def start(self) -> float:
        return self.words[0].start

    @property
    def end(self) -> float:
        return self.words[-1].end

    @property
    def text(self) -> str:
        return "".join(w.text for w in self.words).strip()


def utterances(words: Sequence[TimedWord], gap_s: float = UTTERANCE_GAP_S) -> list[Utterance]:
    """Runs of one speaker's words with no pause longer than `gap_s` (input in time order)."""
    result: list[Utterance] = []
    for word in words:
        last = result[-1] if result else None
        if last is not None and last.speaker == word.speaker and word.start - last.end <= gap_s:
            last.words.append(word)
        else:
            result.append(Utterance(word.speaker, [word]))
    return result


def merge_tracks(tracks: Iterable[Sequence[TimedWord]]) -> list[Utterance]:
    """Utterances of every track (one per channel or speaker), interleaved by start time.

    Merging utterances rather than single words keeps a backchannel ("mm-hmm") said over the
    other party from cutting their sentence in two.
    """
    merged: list[Utterance] = []
    for track in tracks:
        merged.extend(utterances(sorted(track, key=lambda w: w.start)))
    merged.sort(key=lambda u: (u.start, u.end))
    return merged


def to_turns(units: Sequence[Utterance]) -> list[ParsedTurn]:
    """Consecutive utterances of one speaker form one turn of the transcript."""
    turns: list[ParsedTurn] = []
    for unit in units:
        text = unit.text
        if not text:
            continue
        last = turns[-1] if turns else None
        if last is not None and last.speaker == unit.speaker:
            last.text = f"{last.text} {text}"
            last.end = round(max(last.end or 0.0, unit.end), 2)
        else:
            turns.append(
                ParsedTurn(
                    speaker=unit.speaker,
                    text=text,
                    start=round(unit.start, 2),
                    end=round(unit.end, 2),
                )
            )
    return turns


# --- diarization files -------------------------------------------------------------------


class _JsonTurn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    speaker: str = Field(min_length=1)
    start: float = Field(ge=0)
    end: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> _JsonTurn:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be after start ({self.start})")
        return self


def read_diarization(path: Path, recording: str | None = None) -> list[SpeakerTurn]:
    """Speaker turns from an RTTM file or a JSON list of {speaker, start, end}.

    An RTTM file may describe several recordings (its second column); `recording` (the audio
    file's stem) picks this one's lines when it holds more than one.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ParseError(path, None, f"cannot read file: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ParseError(path, None, f"not UTF-8 text (byte {exc.start})") from exc
    stripped = text.lstrip("\ufeff").lstrip()
    turns = (
        _read_json_turns(path, stripped)
        if stripped.startswith(("[", "{"))
        else _read_rttm(path, text, recording)
    )
    if not turns:
        raise ParseError(path, None, "no speaker turns in this file")
    return sorted(turns, key=lambda t: (t.start, t.end))


def _read_json_turns(path: Path, text: str) -> list[SpeakerTurn]:
    data = parse_json(path, text)
    if isinstance(data, dict):
        # Accept the common wrappers: {"segments": [...]} or {"turns": [...]}.
        data = data.get("segments", data.get("turns"))
    if not isinstance(data, list):
        raise ParseError(path, None, "expected a JSON list of {speaker, start, end} objects")
    turns: list[SpeakerTurn] = []
    for number, item in enumerate(data, start=1):
        try:
            turn = _JsonTurn.model_validate(item)
        except ValidationError as exc:
            problem = exc.errors()[0]
            where = ".".join(str(p) for p in problem["loc"]) or "item"
            raise ParseError(
                path, None, f"speaker turn {number}: {where}: {problem['msg']}"
            ) from exc
        turns.append(SpeakerTurn(turn.speaker, turn.start, turn.end))
    return turns


def _read_rttm(path: Path, text: str, recording: str | None) -> list[SpeakerTurn]:
    by_recording: dict[str, list[SpeakerTurn]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith((";", "#")):
            continue
        fields = line.split()
        if fields[0] != "SPEAKER":
            continue  # RTTM also carries other record types (SPKR-INFO, NOISE...)
        if len(fields) < 8:
            raise ParseError(
                path,
                number,
                "an RTTM SPEAKER line needs: SPEAKER file channel onset duration <NA> <NA> name",
            )
        try:
            onset, duration = float(fields[3]), float(fields[4])
        except ValueError as exc:
            raise ParseError(
                path, number, f"onset and duration must be numbers, got {fields[3]!r} {fields[4]!r}"
            ) from exc
        if onset < 0 or duration <= 0:
            raise ParseError(path, number, "onset must be >= 0 and duration > 0")
        by_recording.setdefault(fields[1], []).append(
            SpeakerTurn(fields[7], onset, onset + duration)
        )
    if not by_recording:
        return []
    if len(by_recording) == 1:
        return next(iter(by_recording.values()))
    if recording is not None and recording in by_recording:
        return by_recording[recording]
    raise ParseError(
        path,
        None,
        f"this RTTM file describes {len(by_recording)} recordings "
        f"({', '.join(sorted(by_recording)[:5])}...) and none is named {recording!r}",
    )
