"""WAV bytes: the format every browser decodes, written and read with the standard library."""

from __future__ import annotations

import io
import struct
import wave

from callcoach.voice.errors import VoiceError, VoiceProblem

WAV_MEDIA_TYPE = "audio/wav"


def wav_bytes(pcm: bytes, sample_rate: int, channels: int = 1, sample_width: int = 2) -> bytes:
    """A complete WAV file around 16-bit PCM samples (whole frames only)."""
    frame = channels * sample_width
    pcm = pcm[: len(pcm) - len(pcm) % frame]
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(sample_width)
        writer.setframerate(sample_rate)
        writer.writeframes(pcm)
    return buffer.getvalue()


def wav_duration(data: bytes) -> float:
    with wave.open(io.BytesIO(data), "rb") as reader:
        return reader.getnframes() / reader.getframerate()


def repair_streamed_wav(data: bytes, program: str) -> bytes:
    """A WAV written to a pipe has no sizes in its header (the writer could not seek back to
    fill them in: espeak-ng writes 0x7ffff000-ish placeholders). Rewrite it with true sizes,
    which some decoders need to play it to the end and to report its duration."""
    if len(data) < 44 or data[:4] != b"RIFF" or data[8:12] != b"WAVE" or data[12:16] != b"fmt ":
        raise VoiceError(VoiceProblem.UNAVAILABLE, f"{program} did not write a WAV file")
    fmt_size = struct.unpack_from("<I", data, 16)[0]
    audio_format, channels, rate, _byte_rate, _align, bits = struct.unpack_from("<HHIIHH", data, 20)
    data_at = 20 + fmt_size
    if audio_format != 1 or bits != 16 or data[data_at : data_at + 4] != b"data":
        raise VoiceError(VoiceProblem.UNAVAILABLE, f"{program} wrote a WAV that is not 16-bit PCM")
    return wav_bytes(data[data_at + 8 :], rate, channels)
