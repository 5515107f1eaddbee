"""Transcription time of the audio import pipeline against plain faster-whisper, in one run.

    .venv/bin/python bench/transcription.py [--minutes 3] [--rounds 3]

Synthesises a stereo sales call with espeak-ng and sox (rep on the left channel, prospect on
the right, about `--minutes` long), then measures on this machine, in this run, alternating:

1. plain faster-whisper: the same model object, the same decoding options (word timestamps,
   voice-activity filter), `decode_audio(split_stereo=True)` and one `transcribe` per channel,
   consuming every segment. This is the least any two-speaker transcription has to do;
2. the pipeline alone (`read_recording`): decode, split, transcribe each channel, drop
   crosstalk, merge by time into speaker turns;
3. the whole import (`import_audio`): hashing the file, the pipeline, matching the rep and
   storing the call in a fresh SQLite database.

Also measured once, for reference: plain faster-whisper on the mono downmix (one pass, no
speakers). Reported: median seconds of each, the ratios (2)/(1) and (3)/(1) (goal: at most
1.10), and the real-time factor (processing seconds per second of audio) of each.
Results: bench/results/transcription.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the espeak-ng/sox call builder lives with the tests

from tests.audio_helpers import SALES_CALL, stereo_call  # noqa: E402

from callcoach.ingest.recording import RecordingLayout, read_recording  # noqa: E402
from callcoach.ingest.transcribe import DecodingOptions, Transcriber, load_model  # noqa: E402
from callcoach.services.imports.audio import AudioImportOptions, import_audio  # noqa: E402
from callcoach.store.db import Database  # noqa: E402
from callcoach.store.uow import Store  # noqa: E402

RESULTS = REPO / "bench" / "results" / "transcription.json"
GOAL = 1.10


def build_call(workdir: Path, minutes: float) -> tuple[Path, float]:
    """A stereo call of about `minutes`: the sales script, repeated with varied numbers."""
    script: list[tuple[str, str]] = []
    round_number = 0
    # Each pass of the script is about 33 seconds of speech and pauses.
    while len(script) / len(SALES_CALL) * 33 < minutes * 60:
        round_number += 1
        for speaker, text in SALES_CALL:
            script.append((speaker, text.replace("40", str(20 + 7 * round_number))))
    call = stereo_call(workdir, "bench-call", script)
    return call.path, call.lines[-1].end


def plain_faster_whisper(path: Path, model: Any, options: DecodingOptions) -> int:
    from faster_whisper import decode_audio

    words = 0
    for channel in decode_audio(str(path), split_stereo=True):
        segments, _ = model.transcribe(channel, **options.kwargs("en"))
        words += sum(len(s.words or ()) for s in segments)
    return words


def plain_mono(path: Path, model: Any, options: DecodingOptions) -> int:
    from faster_whisper import decode_audio

    segments, _ = model.transcribe(decode_audio(str(path)), **options.kwargs("en"))
    return sum(len(s.words or ()) for s in segments)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=3.0, help="length of the call")
    parser.add_argument("--rounds", type=int, default=3, help="alternating measurements")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    load_start = os.getloadavg()

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        audio, speech_end = build_call(workdir, args.minutes)
        transcriber = Transcriber()
        model = load_model(transcriber.model_path, transcriber.cpu_threads)
        options = transcriber.options
        from callcoach.ingest.audio import decode

        duration = decode(audio).duration_s
        plain_mono(audio, model, options)  # warm-up: first-call allocations, VAD model load
        timings: dict[str, list[float]] = {"plain": [], "pipeline": [], "import": []}
        words: dict[str, int] = {}
        for round_number in range(args.rounds):
            started = time.perf_counter()
            words["plain"] = plain_faster_whisper(audio, model, options)
            timings["plain"].append(time.perf_counter() - started)

            started = time.perf_counter()
            parsed = read_recording(
                audio, transcriber, RecordingLayout(), external_id="bench", audio_hash="-"
            )
            timings["pipeline"].append(time.perf_counter() - started)
            words["pipeline"] = sum(len(t.text.split()) for t in parsed.turns)

            database = Database(str(workdir / f"bench-{round_number}.db"))
            database.migrate()
            store = Store(database)
            started = time.perf_counter()
            report = import_audio(store, [audio], AudioImportOptions(rep="Dana"), transcriber)
            timings["import"].append(time.perf_counter() - started)
            store.close()
            assert report.ok, report.files
        started = time.perf_counter()
        words["plain_mono"] = plain_mono(audio, model, options)
        mono_seconds = time.perf_counter() - started

    median = {name: statistics.median(values) for name, values in timings.items()}
    result = {
        "command": "python " + " ".join(["bench/transcription.py", *sys.argv[1:]]),
        "model": transcriber.model_name,
        "compute_type": "int8",
        "cpu_threads": transcriber.cpu_threads or "default",
        "cores": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in load_start],
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "audio_seconds": round(duration, 2),
        "speech_ends_at": round(speech_end, 2),
        "rounds": args.rounds,
        "seconds": {name: [round(v, 3) for v in values] for name, values in timings.items()},
        "median_seconds": {name: round(v, 3) for name, v in median.items()},
        "plain_mono_seconds": round(mono_seconds, 3),
        "words": words,
        "ratio_pipeline_to_plain": round(median["pipeline"] / median["plain"], 3),
        "ratio_import_to_plain": round(median["import"] / median["plain"], 3),
        "goal_ratio_at_most": GOAL,
        "real_time_factor": {
            name: round(v / duration, 4)
            for name, v in {**median, "plain_mono": mono_seconds}.items()
        },
        "audio_seconds_per_second_import": round(duration / median["import"], 2),
    }
    result["meets_goal"] = (
        max(result["ratio_pipeline_to_plain"], result["ratio_import_to_plain"]) <= GOAL
    )
    print(json.dumps(result, indent=2))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
