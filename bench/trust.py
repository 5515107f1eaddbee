"""What measuring trust costs, and what it says, on annotated conversations.

A scripted manager judges moments of real annotated dialogues (bench/corpora.py: the corpus's
human labels decide confirm or reject, as `callcoach scorer teach` would record them): on each
call, per criterion, every labelled moment and as many unlabelled rep turns drawn at random. The
calls, their stored embeddings, the bench rubric and the verdicts go into a fresh SQLite store,
and `measure_trust` measures the per-criterion agreement out of fold (5 folds by call). Printed:

- the time of a first measurement (the embeddings stored as scoring stores them, the model
  loaded: what `callcoach scorer trust` costs after new verdicts, less the model's loading), of a read of the cached states (what every page, report and
  command pays), of a measurement when nothing changed (the stamp check), and of a measurement
  after one more verdict;
- the per-criterion figures with their 95% intervals and the state each gets with the default bar.

    nice -n 15 python bench/trust.py --corpus persuasionforgood --calls 40
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from callcoach.domain.access import Scope
from callcoach.domain.scores import FeedbackVerdict
from callcoach.scoring.embedded import EmbeddedScorer
from callcoach.services.scoring.teaching import record_feedback
from callcoach.services.scoring.trust import measure_trust, report_json, trust_report
from callcoach.store.uow import Store
from corpora import CORPORA, load_conversations, load_rubric

RESULTS = Path(__file__).parent / "results" / "trust.json"


def build(
    store: Store, scorer: EmbeddedScorer, corpus_name: str, calls: int, seed: int
) -> tuple[str, int]:
    corpus = CORPORA[corpus_name]
    rubric = load_rubric(corpus)
    conversations = load_conversations(corpus)
    random.Random(seed).shuffle(conversations)
    chosen = conversations[:calls]
    # Stored as scoring stores them: a row per turn, then per quotable sentence of long turns.
    vectors = {c.call.external_id: scorer.embed(c.call) for c in chosen}
    with store.unit_of_work() as uow:
        uow.rubrics.add(rubric, "bench")
        rep, _ = uow.people.ensure_rep("Bench Rep")
        for conv in chosen:
            row, _ = uow.calls.save(conv.call, rep.id, None)
            assert scorer.embedding_model is not None
            matrix = vectors[conv.call.external_id]
            assert matrix is not None
            uow.embeddings.save(row.id, scorer.embedding_model, conv.call.content_hash, matrix)
    rng = random.Random(seed)
    verdicts = 0
    for conv in chosen:
        reps = [s.index for s in conv.call.rep_segments]
        for crit in rubric.criteria:
            shown = sorted(conv.truth.get(crit.id, set()) & set(reps))
            others = [i for i in reps if i not in shown]
            asked = shown + rng.sample(others, min(len(others), max(1, len(shown))))
            for turn in asked:
                record_feedback(
                    store,
                    call_id=conv.call.external_id,
                    criterion_id=crit.id,
                    segment=turn,
                    verdict=FeedbackVerdict.CONFIRMED
                    if turn in shown
                    else FeedbackVerdict.REJECTED,
                    rubric_id=rubric.id,
                    rater="scripted manager",
                )
                verdicts += 1
    return rubric.id, verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="persuasionforgood")
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = Store.from_url(str(Path(folder) / "bench.db"))
        store.migrate()
        scorer = EmbeddedScorer()
        rubric_id, verdicts = build(store, scorer, args.corpus, args.calls, args.seed)
        timings: dict[str, float] = {}
        started = time.perf_counter()
        report = measure_trust(store, rubric_id, scorer=scorer)
        timings["measure_s"] = time.perf_counter() - started
        started = time.perf_counter()
        with store.unit_of_work() as uow:
            trust_report(uow, rubric_id)
        timings["cached_read_s"] = time.perf_counter() - started
        started = time.perf_counter()
        measure_trust(store, rubric_id, scorer=scorer)
        timings["unchanged_s"] = time.perf_counter() - started
        first = report.criteria[0]
        assert first.figures is not None
        with store.unit_of_work() as uow:
            some = uow.teaching.feedback(rubric_id, scope=Scope.system("bench"))[0]
        record_feedback(
            store,
            call_id=some.call_id,
            criterion_id=some.criterion_id,
            segment=some.segment,
            verdict=some.verdict,
            rubric_id=rubric_id,
            rater="another manager",
        )
        started = time.perf_counter()
        measure_trust(store, rubric_id, scorer=scorer)
        timings["after_one_verdict_s"] = time.perf_counter() - started
    result = {
        "command": " ".join(["python bench/trust.py", *sys.argv[1:]]),
        "corpus": args.corpus,
        "calls": args.calls,
        "verdicts": verdicts,
        "timings": {k: round(v, 3) for k, v in timings.items()},
        "report": report_json(report),
    }
    print(f"{args.corpus}: {args.calls} calls, {verdicts} verdicts")
    for name, value in result["timings"].items():
        print(f"  {name:>22}: {value:.3f} s")
    for c in result["report"]["criteria"]:
        f = c["figures"]

        def show(e: dict[str, float | None]) -> str:
            if e["value"] is None:
                return "   -   "
            return f"{e['value']:.2f} [{e['low']:.2f}-{e['high']:.2f}]"

        print(
            f"  {c['criterion']:<28} {c['state']:<12} n={f['judgements']:<4} "
            f"P {show(f['precision'])}  R {show(f['recall'])}  AUC {show(f['auc'])}"
        )
    if not args.no_save:
        RESULTS.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
