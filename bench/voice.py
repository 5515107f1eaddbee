"""Voice latency: from the end of a spoken turn to the start of the reply's audio, offline.

    .venv/bin/python bench/voice.py [--runs 10] [--browser-runs 5] [--output PATH]

Test speech: espeak-ng (en-us, 150 words a minute) says a 3-, 5- and 10-second sales-call turn;
each is padded as a push-to-talk recording is (0.3 s of quiet room before, the button released
0.6 s after the last word) and encoded as Chromium's MediaRecorder sends it (WebM/Opus, 48 kHz).
The reply is produced by another component (the practice prospect); here it is a fixed reply
of typical length, 26 words in 3 sentences (REPLY below), spoken by espeak-ng.

What counts, on the server, from the moment the recording has arrived: decode it (PyAV), find
the speech (Silero VAD), transcribe it (Whisper tiny.en, faster-whisper), then speak the reply
sentence by sentence through the reply stream (callcoach.voice.reply_stream). "First audio" is
when the first sentence's audio line is ready to send; "total" when the last one is.

Measured in one run, interleaved (every configuration sees the same machine load):
- speech to text configurations, each on every utterance, `--runs` times:
  import: what `callcoach import audio` decodes with (beam 5, word timestamps, faster-whisper's
    own VAD filter, the 30 s window), the starting point;
  shipped: ListeningOptions(): beam 1, no timestamps, VAD trimming of the silence around the
    speech, the encoder window cut to the turn plus 5 s of silence (voice.short_window);
  full window / no trim / beam 5: shipped with one of those choices undone;
  float32: shipped, but the model in float32 instead of int8;
  threads 1 / threads 2: shipped with that many CTranslate2 threads (shipped: CTranslate2's
    default, 4);
- text to speech: the reply at once, and sentence by sentence (first sentence, all);
- end to end with the shipped configuration, warm (the model loaded and used once);
- cold: a fresh process's first turn (import, model load, first transcription), 3 times;
- accuracy: word error rate on `--turns` real conversation turns spoken by espeak-ng; the
  short window's trailing silence chosen on PersuasionForGood turns, the configurations then
  compared on CaSiNo turns, which took no part in the choice (../shared/data);
- with `--browser-runs` > 0, push to talk in headless Chromium with a fake microphone playing
  the utterance (as tests/e2e/test_voice_capture.py): from the button's release to the first
  sentence starting to play, measured in the page. This adds MediaRecorder's flush, the upload,
  base64 and the browser's audio decoding.

Results: bench/results/voice.json. The machine is shared with other work: see the load average.
The test speech is built in bench/voice_parts.py, the browser part is bench/voice_browser.py.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the espeak-ng helpers and the browser test's server

from tests.audio_helpers import normalise, word_error_rate  # noqa: E402

from callcoach.ingest.transcribe import DecodingOptions, load_model  # noqa: E402
from callcoach.voice.errors import VoiceError  # noqa: E402
from callcoach.voice.reply_stream import json_lines, reply_events  # noqa: E402
from callcoach.voice.sentences import split_sentences  # noqa: E402
from callcoach.voice.short_window import ShortWindow, transcribe_in_short_window  # noqa: E402
from callcoach.voice.speech_to_text import ListeningOptions, WhisperSpeechToText  # noqa: E402
from callcoach.voice.text_to_speech import EspeakTextToSpeech  # noqa: E402
from voice_browser import measure_browser  # noqa: E402
from voice_parts import (  # noqa: E402
    LEAD_S,
    RELEASE_S,
    as_browser_recording,
    build_utterance,
    corpus_turns,
    speech_samples,
    summary,
    webm_opus,
)

RESULTS = REPO / "bench" / "results" / "voice.json"
GOAL_S = 1.5  # end of 5 s of speech to the start of the reply's audio
UTTERANCES = {
    3: "The price is too high for our budget, honestly.",
    5: "Could you send me a proposal before our board meeting? We need the numbers soon.",
    10: "We already use another vendor and switching would take months. Could you send me a "
    "proposal before our board meeting on Tuesday, with the price for forty seats please?",
}
REPLY = (
    "I hear you, but we signed with another vendor last spring. What would switching actually "
    "cost us? Send me the numbers and I will take a look."
)
CONFIGS = [
    "import",
    "full window",
    "no trim",
    "shipped",
    "beam 5",
    "float32",
    "threads 1",
    "threads 2",
]
FIT_WINDOWS = [1.0, 3.0, 5.0, 8.0]  # seconds of silence after the turn, chosen on PersuasionForGood


def variant(**changes: Any) -> WhisperSpeechToText:
    return WhisperSpeechToText(options=replace(ListeningOptions(), **changes))


class SpeechToTextRunner:
    """Each configuration of the comparison, timed step by step on one recording."""

    def __init__(self) -> None:
        self.shipped = WhisperSpeechToText()
        self.variants = {
            "full window": variant(short_window=None),
            "no trim": variant(trim_to_speech=False),
            "beam 5": variant(beam_size=5),
            "threads 1": variant(cpu_threads=1),
            "threads 2": variant(cpu_threads=2),
        }
        from faster_whisper import WhisperModel

        # Not the shipped loader on purpose: the one comparison it does not offer.
        self.float32 = WhisperModel(
            str(self.shipped.model_path), device="cpu", compute_type="float32"
        )

    def warm_up(self) -> None:
        for stt in (self.shipped, *self.variants.values()):
            stt.warm_up()
        transcribe_in_short_window(self.float32, np.zeros(16_000, np.float32), ShortWindow(), 1)

    def measure(self, config: str, recording: bytes) -> tuple[dict[str, float], str]:
        started = time.perf_counter()
        stt = self.variants.get(config, self.shipped)
        samples = stt.decode(recording)
        decoded = time.perf_counter()
        if config == "import":
            model = load_model(self.shipped.model_path)
            segments, _ = model.transcribe(samples, **DecodingOptions().kwargs("en"))
            text = " ".join(s.text.strip() for s in segments)
            vad_done = decoded  # inside faster-whisper's transcribe
        else:
            speech = stt.speech(samples)
            vad_done = time.perf_counter()
            if config == "float32":
                text = transcribe_in_short_window(self.float32, speech, ShortWindow(), 1) or ""
            else:
                text = stt.recognise(speech)
        done = time.perf_counter()
        return {
            "decode": decoded - started,
            "vad": vad_done - decoded,
            "whisper": done - vad_done,
            "total": done - started,
        }, text


def import_text(stt: WhisperSpeechToText, recording: bytes) -> str:
    """What `callcoach import audio` would read: beam 5, word timestamps, its VAD filter."""
    model = load_model(stt.model_path)
    segments, _ = model.transcribe(stt.decode(recording), **DecodingOptions().kwargs("en"))
    return " ".join(s.text.strip() for s in segments)


def accuracy(
    turns: list[str], configs: dict[str, Callable[[bytes], str]], workdir: Path
) -> dict[str, dict[str, float]]:
    """Word error rate and median seconds of each configuration on spoken corpus turns."""
    errors: dict[str, list[float]] = {name: [] for name in configs}
    seconds: dict[str, list[float]] = {name: [] for name in configs}
    for number, text in enumerate(turns):
        folder = workdir / f"turn-{id(turns)}-{number}"
        folder.mkdir()
        speech, rate = speech_samples(text, folder)
        recording = webm_opus(as_browser_recording(speech, rate, folder, number))
        for name, transcribe in configs.items():
            started = time.perf_counter()
            try:
                heard = transcribe(recording)
            except VoiceError:
                heard = ""
            seconds[name].append(time.perf_counter() - started)
            errors[name].append(word_error_rate(normalise(text), normalise(heard)))
    return {
        name: {
            "mean_word_error_rate": round(statistics.mean(errors[name]), 3),
            "median_word_error_rate": round(statistics.median(errors[name]), 3),
            "median_seconds": round(statistics.median(seconds[name]), 3),
        }
        for name in configs
    }


def end_to_end(
    stt: WhisperSpeechToText, tts: EspeakTextToSpeech, recording: bytes
) -> dict[str, float]:
    """The shipped pipeline: transcribe, then the reply stream until its first and last audio."""
    started = time.perf_counter()
    heard = stt.transcribe(recording)
    transcribed = time.perf_counter()
    first_audio = None
    for line in json_lines(reply_events(heard, lambda: REPLY, tts)):
        if first_audio is None and line.startswith(b'{"event": "audio"'):
            first_audio = time.perf_counter()
    finished = time.perf_counter()
    assert first_audio is not None
    return {
        "speech_to_text": transcribed - started,
        "to_first_audio": first_audio - started,
        "total": finished - started,
    }


def measure_speech(tts: EspeakTextToSpeech) -> dict[str, float]:
    sentences = split_sentences(REPLY)
    started = time.perf_counter()
    tts.synthesize(REPLY)
    whole = time.perf_counter() - started
    started = time.perf_counter()
    tts.synthesize(sentences[0])
    first = time.perf_counter() - started
    for sentence in sentences[1:]:
        tts.synthesize(sentence)
    return {
        "whole_reply_at_once": whole,
        "first_sentence": first,
        "all_sentences": time.perf_counter() - started,
    }


COLD_SCRIPT = """
import json, sys, time
started = time.perf_counter()
from callcoach.voice.speech_to_text import WhisperSpeechToText
from callcoach.voice.text_to_speech import EspeakTextToSpeech
imported = time.perf_counter()
stt = WhisperSpeechToText()
from callcoach.ingest.transcribe import load_model
load_model(stt.model_path, stt.options.cpu_threads)
loaded = time.perf_counter()
recording = open(sys.argv[1], "rb").read()
stt.transcribe(recording)
first = time.perf_counter()
EspeakTextToSpeech().synthesize("I hear you, but we signed with another vendor last spring.")
spoken = time.perf_counter()
stt.transcribe(recording)
second = time.perf_counter()
print(json.dumps({"import": imported - started, "model_load": loaded - imported,
    "first_transcription": first - loaded, "first_sentence_spoken": spoken - first,
    "second_transcription": second - spoken}))
"""


def measure_cold(recording: bytes, workdir: Path, times: int = 3) -> list[dict[str, float]]:
    path = workdir / "cold.webm"
    path.write_bytes(recording)
    results = []
    for _ in range(times):
        output = subprocess.run(
            [sys.executable, "-c", COLD_SCRIPT, str(path)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ},
        )
        results.append(json.loads(output.stdout.strip().splitlines()[-1]))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="repetitions per measurement")
    parser.add_argument("--browser-runs", type=int, default=5, help="0 skips the browser")
    parser.add_argument("--turns", type=int, default=40, help="corpus turns per accuracy set")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    load_start = os.getloadavg()
    progress: Callable[[str], None] = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        utterances = [build_utterance(n, text, workdir) for n, text in UTTERANCES.items()]
        progress("cold starts (fresh processes)...")
        cold = measure_cold(utterances[1].recording, workdir)
        runner = SpeechToTextRunner()
        tts = EspeakTextToSpeech()
        runner.warm_up()
        tts.warm_up()
        steps: dict[str, dict[int, dict[str, list[float]]]] = {
            c: {u.nominal_s: {} for u in utterances} for c in CONFIGS
        }
        texts: dict[str, dict[int, str]] = {c: {} for c in CONFIGS}
        pipeline: dict[int, dict[str, list[float]]] = {u.nominal_s: {} for u in utterances}
        speech: dict[str, list[float]] = {}
        for number in range(args.runs):
            progress(f"run {number + 1}/{args.runs}")
            for utterance in utterances:
                for config in CONFIGS:
                    timings, text = runner.measure(config, utterance.recording)
                    texts[config][utterance.nominal_s] = text
                    for step, seconds in timings.items():
                        steps[config][utterance.nominal_s].setdefault(step, []).append(seconds)
                for step, seconds in end_to_end(runner.shipped, tts, utterance.recording).items():
                    pipeline[utterance.nominal_s].setdefault(step, []).append(seconds)
            for step, seconds in measure_speech(tts).items():
                speech.setdefault(step, []).append(seconds)
        progress("accuracy on corpus turns...")
        fit_turns = corpus_turns(args.data / "persuasionforgood-dev.jsonl", args.turns)
        report_turns = corpus_turns(args.data / "casino.jsonl", args.turns)
        full = runner.variants["full window"]
        by_window = {
            f"silence after {s:g} s": variant(short_window=ShortWindow(silence_after_s=s))
            for s in FIT_WINDOWS
        }
        fit = accuracy(
            fit_turns,
            {"full window": full.transcribe}
            | {name: stt.transcribe for name, stt in by_window.items()},
            workdir,
        )
        report = accuracy(
            report_turns,
            {
                "import": lambda recording: import_text(runner.shipped, recording),
                "full window": full.transcribe,
                "beam 5": runner.variants["beam 5"].transcribe,
                "shipped": runner.shipped.transcribe,
            },
            workdir,
        )
        fit_choice = min(
            FIT_WINDOWS, key=lambda s: fit[f"silence after {s:g} s"]["mean_word_error_rate"]
        )
        if fit_choice != ShortWindow().silence_after_s:
            progress(f"the fit prefers {fit_choice} s of silence; ShortWindow has another value")
        browser = {}
        if args.browser_runs > 0:
            progress("push to talk in Chromium...")
            browser = measure_browser(utterances, runner.shipped, tts, REPLY, args.browser_runs)

    speech_to_text = {
        config: {
            f"{n}s": {
                "seconds": {step: summary(values) for step, values in by_step.items()},
                "word_error_rate": round(
                    word_error_rate(normalise(UTTERANCES[n]), normalise(texts[config][n])), 3
                ),
                "text": texts[config][n],
            }
            for n, by_step in by_length.items()
        }
        for config, by_length in steps.items()
    }
    shipped_total = {n: statistics.median(steps["shipped"][n]["total"]) for n in UTTERANCES}
    ratios = {
        config: {
            f"{n}s": round(statistics.median(steps[config][n]["total"]) / shipped_total[n], 2)
            for n in UTTERANCES
        }
        for config in CONFIGS
    }
    end_to_end_figures = {
        f"{u.nominal_s}s": {
            "speech_seconds": u.speech_s,
            "recording_seconds": round(u.speech_s + LEAD_S + RELEASE_S, 2),
            **{step: summary(values) for step, values in pipeline[u.nominal_s].items()},
        }
        for u in utterances
    }
    five = end_to_end_figures["5s"]["to_first_audio"]
    result = {
        "command": "python " + " ".join(["bench/voice.py", *sys.argv[1:]]),
        "machine": f"{os.cpu_count()} cores, shared with other helpers' work (see load average)",
        "shipped_options": {
            "beam_size": ListeningOptions().beam_size,
            "cpu_threads": ListeningOptions().cpu_threads or "CTranslate2 default (4)",
            "silence_after_s": ShortWindow().silence_after_s,
            "compute_type": "int8",
        },
        "load_average_at_start": [round(x, 2) for x in load_start],
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "runs": args.runs,
        "speech": "espeak-ng en-us at 150 words a minute; WebM/Opus 48 kHz as MediaRecorder "
        f"sends it; {LEAD_S} s of room noise before the speech and {RELEASE_S} s after it",
        "utterances": {
            f"{u.nominal_s}s": {"text": u.text, "speech_seconds": u.speech_s} for u in utterances
        },
        "reply": {
            "text": REPLY,
            "words": len(REPLY.split()),
            "sentences": len(split_sentences(REPLY)),
            "note": "fixed: the reply is made by another component (the practice prospect), "
            "not timed here",
        },
        "end_to_end_shipped": end_to_end_figures,
        "goal": f"to_first_audio median under {GOAL_S} s for 5 s of speech",
        "meets_goal": five["median"] < GOAL_S,
        "speech_to_text_by_configuration": speech_to_text,
        "speech_to_text_total_relative_to_shipped": ratios,
        "text_to_speech_seconds": {step: summary(values) for step, values in speech.items()},
        "accuracy": {
            "speech": "corpus turns of 6-40 words (seed 1) spoken by espeak-ng as above",
            "window_chosen_on_persuasionforgood": {
                "turns": len(fit_turns),
                **fit,
                "best_silence_after_s": fit_choice,
                "shipped_silence_after_s": ShortWindow().silence_after_s,
            },
            "measured_on_casino": {"turns": len(report_turns), **report},
        },
        "cold_first_turn_in_a_fresh_process": cold,
        "browser_push_to_talk": browser,
    }
    print(json.dumps(result, indent=2))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
