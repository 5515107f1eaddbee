"""Scoring throughput of the embedded scorer, measured in one run against raw MiniLM encoding.

    .venv/bin/python bench/throughput.py [--calls 8] [--turns 350]

Generates 30-minute calls (about 350 turns each, timed), imports them into a fresh SQLite
database and measures, on this machine, in this run:

1. raw encoding: the bundled MiniLM encoding every segment text of every call (the floor any
   embedding scorer has to pay);
2. a first scoring run through the real batch runner (embeds each call once, scores every
   criterion, stores embeddings and scores), call by call, alternating with (1);
3. re-scoring every call after a rubric edit (a new rubric version), which reuses the stored
   embeddings;
4. re-scoring every call after a manager taught the scorer (on every call and criterion, the
   first quote confirmed and another rep turn rejected): the teaching model is fitted once, then
   every call is judged with it, from the stored embeddings.

Goals: throughput of (2) at least 0.8 of (1); (3) at least 50x faster than (2). (4) has no goal
of its own; it is what a re-score costs once people have taught the scorer.
Results: bench/results/throughput.json.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from callcoach.domain.access import Scope
from callcoach.domain.scores import FeedbackVerdict
from callcoach.scoring.embedding_model import shared_model
from callcoach.scoring.registry import ScorerConfig
from callcoach.services.imports.transcripts import import_calls
from callcoach.services.rubrics.catalog import add_rubric_text, rubric_yaml, template_text
from callcoach.services.scoring.runs import CallSelection, score_calls
from callcoach.services.scoring.teaching import record_feedback
from callcoach.store.db import Database
from callcoach.store.uow import Store

BENCH = Scope.system("benchmark script: the whole organisation it built")

RESULTS = Path(__file__).resolve().parent / "results" / "throughput.json"
RUBRIC = "one-call-close"

_OPENERS = ["So", "Well", "Okay", "Right", "And", "Honestly", "Actually", "Great", "Sure", "Yes"]
_REP = [
    "what does your team use today to {verb} the {thing}",
    "we help companies like yours {verb} their {thing} in about {n} weeks",
    "how many people on your side would {verb} the {thing} every day",
    "the pricing is {n} dollars per seat per month with annual billing",
    "would it make sense to set up a pilot with your {role} next {day}",
    "customers usually see a {n} percent drop in time spent on the {thing}",
    "can we agree on a next step before we hang up today",
    "I hear you that the {thing} is a concern, can you tell me more about it",
    "if we could {verb} the {thing} by the end of the quarter would that matter to your {role}",
    "let me share what another {role} told us after they switched",
]
_PROSPECT = [
    "we mostly {verb} the {thing} by hand in spreadsheets",
    "our {role} would need to sign off on anything over {n} thousand",
    "that sounds expensive compared to what we pay now",
    "I'm not sure we have the time to {verb} a new {thing} this quarter",
    "about {n} people touch the {thing} every week",
    "can you send me something in writing that I can forward to my {role}",
    "we tried a tool like this before and nobody used it",
    "yes that would help, {day} works for me",
]
_FILL = {
    "verb": ["track", "manage", "report on", "automate", "review", "clean up", "forecast"],
    "thing": ["pipeline", "invoices", "onboarding", "support tickets", "renewals", "inventory"],
    "role": ["CFO", "operations lead", "IT team", "head of sales", "procurement", "director"],
    "day": ["Tuesday", "Thursday", "week", "Monday morning", "Friday afternoon"],
}


def _line(rng: random.Random, templates: list[str]) -> str:
    parts = []
    for _ in range(rng.choice([1, 1, 2, 2, 3])):
        template = rng.choice(templates)
        text = template.format(n=rng.randint(2, 90), **{k: rng.choice(v) for k, v in _FILL.items()})
        parts.append(f"{rng.choice(_OPENERS)}, {text}.")
    return " ".join(parts)


def generate_calls(count: int, turns: int, seed: int = 11) -> list[dict[str, Any]]:
    """Calls of `turns` alternating turns over 30 minutes, as conversation JSON Lines records."""
    rng = random.Random(seed)
    calls = []
    for number in range(count):
        clock = 0.0
        records = []
        step = 1800.0 / turns
        for index in range(turns):
            rep = index % 2 == 0
            text = _line(rng, _REP if rep else _PROSPECT)
            records.append(
                {
                    "speaker": "rep" if rep else "prospect",
                    "text": text,
                    "start": round(clock, 2),
                    "end": round(clock + step * 0.9, 2),
                }
            )
            clock += step
        calls.append(
            {
                "call_id": f"bench-30min-{number:03d}",
                "rep": "Bench Rep",
                "date": f"2026-01-{number % 28 + 1:02d}T10:00:00",
                "rep_speaker": "rep",
                "turns": records,
            }
        )
    return calls


def teach(store: Store, calls: list[dict[str, Any]]) -> int:
    """A manager's verdicts: each call's first quote per criterion confirmed, and the rep turn
    furthest from it rejected. Returns how many verdicts were recorded."""
    with store.unit_of_work() as uow:
        scores = [s for s in uow.scores.all(RUBRIC, scope=BENCH) if s.criteria]
    latest = {s.call_id: s for s in sorted(scores, key=lambda s: s.rubric_version)}
    reps = {
        c["call_id"]: [i for i, t in enumerate(c["turns"]) if t["speaker"] == c["rep_speaker"]]
        for c in calls
    }
    count = 0
    for call_id, score in latest.items():
        for criterion in score.criteria:
            if not criterion.evidence:
                continue
            quoted = criterion.evidence[0].segment
            other = max(reps[call_id], key=lambda i: abs(i - quoted))
            for segment, verdict in (
                (quoted, FeedbackVerdict.CONFIRMED),
                (other, FeedbackVerdict.REJECTED),
            ):
                record_feedback(
                    store,
                    call_id=call_id,
                    criterion_id=criterion.criterion_id,
                    segment=segment,
                    verdict=verdict,
                    rubric_id=RUBRIC,
                    rater="bench-manager",
                )
                count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=8)
    parser.add_argument("--turns", type=int, default=350)
    parser.add_argument(
        "--no-text-reuse",
        action="store_true",
        help="Empty the model's text cache before each call is scored: no sentence is served "
        "from an earlier call (these calls are built from templates, so some sentences repeat; "
        "real calls repeat far fewer).",
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    calls = generate_calls(args.calls, args.turns)
    texts = [t["text"] for c in calls for t in c["turns"]]
    model = shared_model()
    model.encode(texts[:64])  # load the weights and warm up before any clock starts

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "calls.jsonl"
        source.write_text("".join(json.dumps(c) + "\n" for c in calls))
        database = Database(f"sqlite:///{tmp}/bench.db")
        database.migrate()
        store = Store(database)
        assert import_calls(store, [source]).ok
        original = add_rubric_text(store, template_text(RUBRIC), "template").stored.rubric

        # The machine is shared: raw encoding and scoring alternate call by call (in both
        # orders) so that load from other processes hits both measurements alike.
        config = ScorerConfig("embedded")
        raw = scoring = 0.0
        for number, call in enumerate(calls):
            call_texts = [t["text"] for t in call["turns"]]
            for step in (0, 1) if number % 2 == 0 else (1, 0):
                if step == 0:
                    started = time.perf_counter()
                    model.encode(call_texts)
                    raw += time.perf_counter() - started
                else:
                    if args.no_text_reuse:
                        model.forget_texts()
                    selection = CallSelection(call_ids=(call["call_id"],))
                    done = score_calls(
                        store, config, rubric_id=RUBRIC, selection=selection, workers=1
                    )
                    assert done.scored == 1, done
                    scoring += done.seconds

        # A rubric edit: a reworded anchor makes a new version; every call is scored again.
        data = original.canonical()
        anchors = data["criteria"][0]["anchors"]
        top = next(k for k in anchors if str(k) == "5")
        anchors[top] = anchors[top] + " (edited)"
        edited = add_rubric_text(store, rubric_yaml(original.model_validate(data)), "edit")
        assert edited.is_new_version
        again = score_calls(store, config, rubric_id=RUBRIC, workers=1)
        assert again.scored == len(calls) and again.embeddings_reused == len(calls), again

        verdicts = teach(store, calls)
        taught = score_calls(store, config, rubric_id=RUBRIC, rescore=True, workers=1)
        assert taught.scored == len(calls) and taught.embeddings_reused == len(calls), taught
        store.close()

    sentences = len(texts)
    result = {
        "command": "python " + " ".join(["bench/throughput.py", *sys.argv[1:]]),
        "calls": len(calls),
        "turns_per_call": args.turns,
        "sentences": sentences,
        "text_reuse_across_calls": not args.no_text_reuse,
        "raw_encoding_seconds": round(raw, 3),
        "raw_encoding_sentences_per_second": round(sentences / raw, 1),
        "first_scoring_seconds": round(scoring, 3),
        "first_scoring_sentences_per_second": round(sentences / scoring, 1),
        "throughput_ratio_to_raw_encoding": round(raw / scoring, 3),
        "rescoring_after_rubric_edit_seconds": round(again.seconds, 3),
        "rescoring_speedup": round(scoring / again.seconds, 1),
        "embeddings_reused_on_rescoring": again.embeddings_reused,
        "teaching_verdicts": verdicts,
        "rescoring_after_teaching_seconds": round(taught.seconds, 3),
        "rescoring_after_teaching_speedup": round(scoring / taught.seconds, 1),
        "goals": {"throughput_ratio_to_raw_encoding": 0.8, "rescoring_speedup": 50},
    }
    print(
        f"{len(calls)} calls x {args.turns} turns ({sentences} sentences)\n"
        f"raw MiniLM encoding:        {raw:7.2f} s  ({sentences / raw:6.1f} sentences/s)\n"
        f"first scoring run:          {scoring:7.2f} s  "
        f"({sentences / scoring:6.1f} sentences/s) -> ratio {raw / scoring:.2f} "
        "(goal >= 0.8)\n"
        f"re-score after rubric edit: {again.seconds:7.2f} s  -> "
        f"{scoring / again.seconds:.0f}x faster (goal >= 50x)\n"
        f"re-score after teaching:    {taught.seconds:7.2f} s  -> "
        f"{scoring / taught.seconds:.0f}x faster ({verdicts} verdicts)"
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
