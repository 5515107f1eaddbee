"""Real speech for the audio tests: espeak-ng speaks each line, sox places it on a timeline.

A scripted call is a list of lines (speaker, text). Each line is synthesised with the speaker's
voice, placed after the previous one with a short pause, and the rep's lines go on one channel,
the prospect's on the other (stereo), or both on one (mono). The script's known offsets are the
truth the transcript's timestamps are checked against.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from callcoach.voice.wav import wav_bytes
from tests.conftest import missing_service

REP_VOICE = "en-us"
PROSPECT_VOICE = "en-gb+m3"
PAUSE_S = 0.7
LEAD_IN_S = 0.5
RATE = 22050

SALES_CALL = [
    ("rep", "Hi Jordan, this is Dana from Acme Analytics. Thanks for making time today."),
    ("prospect", "Happy to talk. We have about 40 people on the sales team."),
    ("rep", "What does your team spend the most time on when you prepare the weekly forecast?"),
    ("prospect", "Honestly, pulling numbers from three spreadsheets takes most of Monday."),
    ("rep", "If we could cut that to ten minutes, would a demo next Tuesday be worth it?"),
    ("prospect", "Yes, send me an invite for Tuesday afternoon."),
]


@dataclass(frozen=True)
class ScriptedLine:
    speaker: str  # "rep" or "prospect"
    text: str
    start: float
    end: float


@dataclass(frozen=True)
class ScriptedCall:
    path: Path
    lines: list[ScriptedLine]

    def words(self, speaker: str | None = None) -> list[str]:
        return [
            w
            for line in self.lines
            if speaker in (None, line.speaker)
            for w in normalise(line.text)
        ]


def require_tools() -> None:
    for tool in ("espeak-ng", "sox", "soxi"):
        if shutil.which(tool) is None:
            missing_service(f"{tool} is not installed (make system-deps installs it)")


def run(*args: str | Path) -> str:
    result = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, check=False, timeout=120
    )
    if result.returncode != 0:
        raise RuntimeError(f"{args[0]} failed: {result.stderr.strip()}")
    return result.stdout


def silent_wav(seconds: float = 1.0, rate: int = 16_000) -> bytes:
    """A recording from a muted microphone: digital silence, as WAV."""
    return wav_bytes(b"\x00\x00" * int(rate * seconds), rate)


def speak(text: str, voice: str, out: Path) -> float:
    """Synthesise `text`, resampled to a common rate; returns its duration in seconds."""
    raw = out.with_suffix(".raw.wav")
    run("espeak-ng", "-v", voice, "-s", "150", "-w", raw, text)
    run("sox", raw, "-r", str(RATE), "-c", "1", out)
    raw.unlink()
    return float(run("soxi", "-D", out).strip())


def build_tracks(
    workdir: Path, script: list[tuple[str, str]], name: str
) -> tuple[Path, Path, list[ScriptedLine]]:
    """One WAV track per speaker (silence where the other talks) and the lines' time spans."""
    workdir.mkdir(parents=True, exist_ok=True)
    clock = LEAD_IN_S
    placed: dict[str, list[Path]] = {"rep": [], "prospect": []}
    lines: list[ScriptedLine] = []
    for number, (speaker, text) in enumerate(script):
        voice = REP_VOICE if speaker == "rep" else PROSPECT_VOICE
        clip = workdir / f"{name}-{number}.wav"
        duration = speak(text, voice, clip)
        padded = workdir / f"{name}-{number}-at.wav"
        run("sox", clip, padded, "pad", f"{clock:.3f}", "0")
        placed[speaker].append(padded)
        lines.append(ScriptedLine(speaker, text, round(clock, 3), round(clock + duration, 3)))
        clock += duration + PAUSE_S
    total = clock + LEAD_IN_S
    tracks = []
    for speaker in ("rep", "prospect"):
        track = workdir / f"{name}-{speaker}.wav"
        inputs: list[str | Path] = []
        for clip in placed[speaker]:
            inputs += ["-v", "1", clip]
        if len(placed[speaker]) == 1:
            run("sox", placed[speaker][0], track, "pad", "0", "0")
        else:
            run("sox", "-m", *inputs, track)
        # Equal lengths so the channels line up to the end.
        length = float(run("soxi", "-D", track).strip())
        run("sox", track, f"{track}.tmp.wav", "pad", "0", f"{max(0.0, total - length):.3f}")
        Path(f"{track}.tmp.wav").replace(track)
        tracks.append(track)
    return tracks[0], tracks[1], lines


def stereo_call(
    workdir: Path,
    name: str,
    script: list[tuple[str, str]] = SALES_CALL,
    rep_channel: str = "left",
    suffix: str = ".wav",
    bleed_db: float | None = None,
) -> ScriptedCall:
    """Rep on one channel, prospect on the other. `bleed_db` leaks each party into the other's
    channel at that level below, as an echoing phone line does."""
    rep, prospect, lines = build_tracks(workdir / name, script, name)
    if bleed_db is not None:
        gain = 10 ** (bleed_db / 20)
        rep_leaky = workdir / name / "rep-leaky.wav"
        prospect_leaky = workdir / name / "prospect-leaky.wav"
        run("sox", "-m", "-v", "1", rep, "-v", f"{gain:.4f}", prospect, rep_leaky)
        run("sox", "-m", "-v", "1", prospect, "-v", f"{gain:.4f}", rep, prospect_leaky)
        rep, prospect = rep_leaky, prospect_leaky
    left, right = (rep, prospect) if rep_channel == "left" else (prospect, rep)
    out = workdir / f"{name}{suffix}"
    run("sox", "-M", left, right, out)
    return ScriptedCall(out, lines)


def mono_call(
    workdir: Path, name: str, script: list[tuple[str, str]] = SALES_CALL, suffix: str = ".wav"
) -> ScriptedCall:
    rep, prospect, lines = build_tracks(workdir / name, script, name)
    out = workdir / f"{name}{suffix}"
    run("sox", "-m", "-v", "1", rep, "-v", "1", prospect, out)
    return ScriptedCall(out, lines)


def to_m4a(source: Path, out: Path) -> Path:
    """AAC in an MP4 container, encoded with PyAV (sox has no M4A writer)."""
    import av

    with av.open(str(source)) as reader:
        stream = reader.streams.audio[0]
        layout = "stereo" if stream.codec_context.channels >= 2 else "mono"
        rate = stream.codec_context.sample_rate
        with av.open(str(out), mode="w", format="mp4") as writer:
            encoder = writer.add_stream("aac", rate=rate, layout=layout)
            resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate)
            for frame in reader.decode(stream):
                for chunk in resampler.resample(frame):
                    chunk.pts = None
                    for packet in encoder.encode(chunk):
                        writer.mux(packet)
            for packet in encoder.encode(None):
                writer.mux(packet)
    return out


def normalise(text: str) -> list[str]:
    """Words for WER: lower case, no punctuation, hyphenated words split."""
    return re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("-", " ")).split()


def word_error_rate(reference: list[str], hypothesis: list[str]) -> float:
    """(substitutions + deletions + insertions) / reference words, by edit distance."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref_word in enumerate(reference, start=1):
        current = [i] + [0] * len(hypothesis)
        for j, hyp_word in enumerate(hypothesis, start=1):
            current[j] = min(
                previous[j] + 1,
                current[j - 1] + 1,
                previous[j - 1] + (ref_word != hyp_word),
            )
        previous = current
    return previous[-1] / max(1, len(reference))


def rttm(lines: list[ScriptedLine], recording: str, labels: dict[str, str]) -> str:
    return "".join(
        f"SPEAKER {recording} 1 {line.start:.3f} {line.end - line.start:.3f} <NA> <NA> "
        f"{labels[line.speaker]} <NA> <NA>\n"
        for line in lines
    )
