"""How far the embedded scorer agrees with people, on two annotated public corpora.

    .venv/bin/python bench/agreement.py                # both corpora, with ablations
    .venv/bin/python bench/agreement.py --quick        # main figures only
    .venv/bin/python bench/agreement.py --quick --corpus persuasionforgood \
        --rubric persuasion-alt.yaml                    # the same data, another author's rubric

For each corpus (PersuasionForGood dev half, CaSiNo) the script imports the annotated
conversations into a fresh SQLite database through the real import service, adds the bench
rubric (bench/rubrics/), scores every call with the real batch runner, and compares the scores
with the human strategy labels that bench/corpora.py maps to each criterion:

- evidence precision: of the evidence quotes behind levels >= 3, the share on labelled turns;
- evidence recall: of the calls where people labelled the behaviour, the share scored >= 3 with
  at least one quote on a labelled turn;
- detection AUC: the criterion's level against "labelled anywhere in the call";
- Spearman: the level against the number of labelled turns;
- outcome: odds ratio of `outcome.won` per level (logistic regression, 95% CI; CaSiNo's two
  perspectives of a dialogue are clustered).

Teaching: the labelled turns of 20 dialogues become confirmed (labelled) and rejected (not
labelled) evidence feedback through the real feedback service; the other dialogues are scored
again and measured. Zero-shot figures are reported on the same held-out dialogues. The zero-shot
weights are fitted on the other corpus (`--zero-shot shipped`: the shipped ones, fitted on both
corpora, so optimistic here). `--teach N`
teaches with N dialogues instead (what more teaching buys; fewer calls are left to measure on),
`--seed` draws other teaching dialogues.

Ablations switch off one part at a time (rubric examples, negative anchors, relative fit,
context, dialogue-act cues, similarity to what sets each criterion's texts apart) to show what
each buys. Results: bench/results/agreement.json (with --rubric: agreement-<rubric>.json; with
--teach N: agreement-teachN-<corpus>.json).

`--select queue|random|both --budget N` measures the teaching queue instead (bench/selection.py):
the figures on held-out dialogues after N answers per criterion chosen by the queue, or at
random, from a scripted answerer that answers from the labels (results:
agreement-select-<select>-<corpora>.json).

`--method logistic|context|setfit` (repeatable) measures ways of learning from the same 20
dialogues of verdicts instead (bench/learning.py), in one process, zero-shot weights fitted on
the other corpus (results: agreement-method-<corpora>[-<rubric>].json).

`--rubric` scores a corpus with another rubric from bench/rubrics/ that uses the same criterion
ids (persuasion-alt.yaml was written independently of persuasion.yaml): how far the figures
depend on who wrote the rubric.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy.stats import spearmanr
from sklearn.metrics import roc_auc_score

from callcoach.domain.access import Scope
from callcoach.domain.scores import CallScore, FeedbackVerdict
from callcoach.scoring.embedded import EmbeddedScorer
from callcoach.scoring.embedded_features import ZeroShotWeights
from callcoach.scoring.registry import ScorerConfig
from callcoach.services.imports.transcripts import import_calls
from callcoach.services.rubrics.catalog import add_rubric_text
from callcoach.services.scoring.runs import score_calls
from callcoach.services.scoring.teaching import record_feedback
from callcoach.store.db import Database
from callcoach.store.uow import Store
from corpora import (
    CORPORA,
    Conversation,
    Corpus,
    corpus_embeddings,
    load_conversations,
    load_rubric,
)

BENCH = Scope.system("benchmark script: the whole organisation it built")
RESULTS = Path(__file__).resolve().parent / "results" / "agreement.json"
TEACH_DIALOGUES = 20
SEED = 7
GOALS = {"evidence_precision": 0.80, "evidence_recall": 0.70, "detection_auc": 0.85}
ABLATIONS: dict[str, dict[str, Any]] = {
    "without examples": {"strip_examples": True},
    "without negative anchors/examples": {"disabled": frozenset({"negatives"})},
    "without relative fit": {"disabled": frozenset({"relative"})},
    "without context": {"disabled": frozenset({"context"})},
    "without dialogue-act cues": {"disabled": frozenset({"acts"})},
    "without distinct similarity": {"disabled": frozenset({"distinct"})},
}


def build_ablated(config: ScorerConfig) -> EmbeddedScorer:
    """Builder for the runner: the embedded scorer with some feature groups switched off, and
    the zero-shot weights the bench chose (`zero_shot`: fitted on the other corpus by default)."""
    zero_shot = config.options.get("zero_shot")
    return EmbeddedScorer(
        disabled_features=frozenset(config.options.get("disabled", ())),
        **({"zero_shot": zero_shot} if zero_shot is not None else {}),
    )


@dataclass
class Bench:
    corpus: Corpus
    store: Store
    conversations: dict[str, Conversation]
    rubric_id: str
    zero_shot: ZeroShotWeights | None = None  # None: the shipped weights


def prepare(corpus: Corpus, workdir: Path, zero_shot: str = "other-corpus") -> Bench:
    conversations = load_conversations(corpus)
    source = workdir / f"{corpus.name}.jsonl"
    with source.open("w", encoding="utf-8") as handle:
        for conv in conversations:
            handle.write(json.dumps(conv.raw) + "\n")
    database = Database(f"sqlite:///{workdir / corpus.name}.db")
    database.migrate()
    store = Store(database)
    report = import_calls(store, [source])
    if not report.ok:
        raise SystemExit(f"import failed: {report.failed}")
    rubric = load_rubric(corpus)
    add_rubric_text(
        store, (Path(__file__).parent / "rubrics" / corpus.rubric_file).read_text(), "bench"
    )
    # Stored embeddings, as after a first scoring run: every variant below reuses them.
    embeddings = corpus_embeddings(conversations)
    model = EmbeddedScorer().embedding_model
    assert model is not None
    with store.unit_of_work() as uow:
        for conv in conversations:
            row = uow.calls.row(conv.call.external_id, scope=BENCH)
            assert row is not None, conv.call.external_id
            uow.embeddings.save(row.id, model, row.content_hash, embeddings[conv.call.external_id])
    weights = None
    if zero_shot == "other-corpus":
        from selection import cross_corpus_weights

        weights = cross_corpus_weights(corpus)
    return Bench(corpus, store, {c.call.external_id: c for c in conversations}, rubric.id, weights)


def set_rubric(bench: Bench, strip_examples: bool) -> None:
    """Store the bench rubric (or a copy without example lines) as the latest version."""
    data = yaml.safe_load(
        (Path(__file__).parent / "rubrics" / bench.corpus.rubric_file).read_text()
    )
    if strip_examples:
        for crit in data["criteria"]:
            crit.pop("examples", None)
    add_rubric_text(bench.store, yaml.safe_dump(data, sort_keys=False), "bench")


def score(bench: Bench, disabled: frozenset[str] = frozenset()) -> dict[str, CallScore]:
    config = ScorerConfig("embedded", {"disabled": sorted(disabled), "zero_shot": bench.zero_shot})
    summary = score_calls(
        bench.store, config, rubric_id=bench.rubric_id, rescore=True, workers=1, build=build_ablated
    )
    if summary.failures:
        raise SystemExit(f"scoring failed: {summary.failures[:3]}")
    if summary.embeddings_computed:
        print(f"  ({summary.embeddings_computed} calls embedded afresh)")
    with bench.store.unit_of_work() as uow:
        scores = list(uow.scores.all(bench.rubric_id, scope=BENCH))
    latest: dict[str, CallScore] = {}
    for s in scores:
        if s.scorer == "embedded" and (
            s.call_id not in latest or s.rubric_version >= latest[s.call_id].rubric_version
        ):
            latest[s.call_id] = s
    return latest


def teach(bench: Bench, dialogues: set[str]) -> int:
    """The teaching dialogues' labelled rep turns become confirmed/rejected evidence feedback."""
    count = 0
    for conv in bench.conversations.values():
        if conv.dialogue not in dialogues:
            continue
        for seg in conv.call.rep_segments:
            for cid, turns in conv.truth.items():
                verdict = (
                    FeedbackVerdict.CONFIRMED if seg.index in turns else FeedbackVerdict.REJECTED
                )
                record_feedback(
                    bench.store,
                    call_id=conv.call.external_id,
                    criterion_id=cid,
                    segment=seg.index,
                    verdict=verdict,
                    rubric_id=bench.rubric_id,
                    rater="bench-teacher",
                )
                count += 1
    return count


def _outcome(levels: list[int], won: list[bool], groups: list[str]) -> dict[str, Any]:
    import statsmodels.api as sm

    if len(set(won)) < 2 or len(set(levels)) < 2:
        return {"n": len(won), "odds_ratio_per_level": None, "ci95": None}
    x = sm.add_constant(np.array(levels, dtype=float))
    y = np.array(won, dtype=float)
    try:
        clusters = np.unique(np.array(groups), return_inverse=True)[1]
        fit = sm.Logit(y, x).fit(disp=0, cov_type="cluster", cov_kwds={"groups": clusters})
    except Exception as exc:  # separation or singular design: report, do not crash the bench
        return {"n": len(won), "odds_ratio_per_level": None, "ci95": None, "error": str(exc)}
    low, high = fit.conf_int()[1]
    return {
        "n": len(won),
        "odds_ratio_per_level": round(float(np.exp(fit.params[1])), 3),
        "ci95": [round(float(np.exp(low)), 3), round(float(np.exp(high)), 3)],
        "p_value": round(float(fit.pvalues[1]), 4),
    }


def measure(bench: Bench, scores: dict[str, CallScore], calls: list[str]) -> dict[str, Any]:
    per_criterion: dict[str, Any] = {}
    for cid in bench.corpus.labels:
        quotes = hits = present_calls = found = 0
        levels: list[int] = []
        labelled: list[int] = []
        counts: list[int] = []
        outcome_levels: list[int] = []
        outcome_won: list[bool] = []
        outcome_groups: list[str] = []
        for call_id in calls:
            conv = bench.conversations[call_id]
            score = scores.get(call_id)
            crit = (
                next((c for c in score.criteria if c.criterion_id == cid), None) if score else None
            )
            if crit is None or crit.level is None:
                continue
            truth = conv.truth[cid]
            on_truth = [e.segment in truth for e in crit.evidence]
            if crit.level >= 3:
                quotes += len(on_truth)
                hits += sum(on_truth)
            if truth:
                present_calls += 1
                found += int(crit.level >= 3 and any(on_truth))
            levels.append(crit.level)
            labelled.append(int(bool(truth)))
            counts.append(len(truth))
            if conv.won is not None:
                outcome_levels.append(crit.level)
                outcome_won.append(bool(conv.won))
                outcome_groups.append(conv.dialogue)
        auc = roc_auc_score(labelled, levels) if 0 < sum(labelled) < len(labelled) else None
        rho = spearmanr(levels, counts).statistic if len(set(levels)) > 1 else None
        per_criterion[cid] = {
            "calls": len(levels),
            "calls_with_behaviour": present_calls,
            "evidence_quotes": quotes,
            "evidence_precision": round(hits / quotes, 3) if quotes else None,
            "evidence_recall": round(found / present_calls, 3) if present_calls else None,
            "detection_auc": round(float(auc), 3) if auc is not None else None,
            "spearman_labelled_turns": round(float(rho), 3) if rho is not None else None,
            "mean_level": round(float(np.mean(levels)), 2) if levels else None,
            "outcome_won": _outcome(outcome_levels, outcome_won, outcome_groups),
        }
    return per_criterion


def _goals_met(per_criterion: dict[str, Any]) -> dict[str, bool]:
    return {
        cid: all((m.get(k) or 0) >= goal for k, goal in GOALS.items())
        for cid, m in per_criterion.items()
    }


def print_table(title: str, per_criterion: dict[str, Any]) -> None:
    print(f"\n{title}")
    print(
        f"  {'criterion':20} {'prec':>5} {'recall':>6} {'AUC':>5} {'rho':>5} {'quotes':>6} {'OR(won)':>8}  95% CI"
    )
    for cid, m in per_criterion.items():
        out = m["outcome_won"]
        ci = out.get("ci95")

        def f(v: Any) -> str:
            return "  -  " if v is None else f"{v:.2f}"

        print(
            f"  {cid:20} {f(m['evidence_precision']):>5} {f(m['evidence_recall']):>6} "
            f"{f(m['detection_auc']):>5} {f(m['spearman_labelled_turns']):>5} "
            f"{m['evidence_quotes']:>6} {f(out.get('odds_ratio_per_level')):>8}  "
            f"{'' if ci is None else f'[{ci[0]:.2f}, {ci[1]:.2f}]'}"
        )


def run_corpus(
    corpus: Corpus,
    workdir: Path,
    ablations: bool,
    seed: int = SEED,
    teach_dialogues: int = TEACH_DIALOGUES,
    zero_shot: str = "other-corpus",
) -> dict[str, Any]:
    started = time.perf_counter()
    bench = prepare(corpus, workdir, zero_shot)
    dialogues = sorted({c.dialogue for c in bench.conversations.values()})
    if not 0 < teach_dialogues < len(dialogues):
        raise SystemExit(
            f"--teach must be between 1 and {len(dialogues) - 1} for {corpus.name} "
            f"({len(dialogues)} annotated dialogues)"
        )
    teaching = set(random.Random(seed).sample(dialogues, teach_dialogues))
    every = sorted(bench.conversations)
    held_out = [c for c in every if bench.conversations[c].dialogue not in teaching]
    result: dict[str, Any] = {
        "corpus": corpus.file,
        "rubric": f"bench/rubrics/{corpus.rubric_file}",
        "label_mapping": {
            cid: {"rep_turn_labels": sorted(m.on_turn), "after_other_party_labels": sorted(m.after)}
            for cid, m in corpus.labels.items()
        },
        "zero_shot_weights_fitted_on": "shipped (both bench corpora)"
        if bench.zero_shot is None
        else bench.zero_shot.fitted_on,
        "annotated_calls": len(every),
        "dialogues": len(dialogues),
        "teaching_dialogues": sorted(teaching),
        "held_out_calls": len(held_out),
    }
    zero = score(bench)
    result["zero_shot_all_calls"] = measure(bench, zero, every)
    result["zero_shot_held_out"] = measure(bench, zero, held_out)
    print_table(
        f"{corpus.name}: zero-shot, all {len(every)} annotated calls", result["zero_shot_all_calls"]
    )
    print_table(
        f"{corpus.name}: zero-shot, {len(held_out)} held-out calls", result["zero_shot_held_out"]
    )
    if ablations:
        result["ablations_held_out"] = {}
        for name, variant in ABLATIONS.items():
            set_rubric(bench, bool(variant.get("strip_examples")))
            scores = score(bench, variant.get("disabled", frozenset()))
            result["ablations_held_out"][name] = measure(bench, scores, held_out)
            print_table(
                f"{corpus.name}: {name} (zero-shot, held out)", result["ablations_held_out"][name]
            )
        set_rubric(bench, False)
    result["feedback_items"] = teach(bench, teaching)
    taught = score(bench)
    result["taught_held_out"] = measure(bench, taught, held_out)
    print_table(
        f"{corpus.name}: after teaching with {teach_dialogues} dialogues "
        f"({result['feedback_items']} feedback items), {len(held_out)} held-out calls",
        result["taught_held_out"],
    )
    result["goals_met_taught"] = _goals_met(result["taught_held_out"])
    result["goals_met_zero_shot"] = _goals_met(result["zero_shot_held_out"])
    result["seconds"] = round(time.perf_counter() - started, 1)
    bench.store.close()
    return result


def _with_rubric(names: list[str], rubric: str | None, prefix: str) -> tuple[dict[str, Any], str]:
    """The corpora asked for (each read with `rubric` instead of its own when given) and the
    results file's stem: the prefix, the corpora and the rubric's name."""
    corpora = {n: replace(CORPORA[n], rubric_file=rubric) if rubric else CORPORA[n] for n in names}
    stem = f"{prefix}-{'-'.join(names)}" + (f"-{Path(rubric).stem}" if rubric else "")
    return corpora, stem


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Skip the ablations.")
    parser.add_argument("--corpus", choices=sorted(CORPORA), action="append")
    parser.add_argument(
        "--rubric",
        help="A rubric file in bench/rubrics/ to use instead of the corpus's own (same criterion "
        "ids); needs exactly one --corpus.",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=SEED,
        help="Draw of the teaching dialogues (the published figures use 7).",
    )
    parser.add_argument(
        "--teach",
        type=int,
        default=TEACH_DIALOGUES,
        help="How many dialogues teach the scorer (the published figures use 20; more shows "
        "what more teaching buys, on fewer held-out calls).",
    )
    parser.add_argument(
        "--select",
        choices=("queue", "random", "both"),
        help="Measure the teaching queue against random picks instead (bench/selection.py).",
    )
    parser.add_argument(
        "--budget",
        type=int,
        action="append",
        help="With --select: answers per criterion to measure after (repeatable; default 50, "
        "100, 200, 400).",
    )
    parser.add_argument(
        "--refit-every",
        type=int,
        default=25,
        help="With --select queue: re-judge the pool every this many answers after the first 50.",
    )
    parser.add_argument(
        "--random-seeds", type=int, default=3, help="With --select random: draws (seeds 1..n)."
    )
    parser.add_argument(
        "--pool-dialogues", type=int, help="With --select: cap the teaching pool's dialogues."
    )
    parser.add_argument(
        "--held-out-dialogues", type=int, help="With --select: cap the held-out dialogues."
    )
    parser.add_argument(
        "--method",
        choices=("logistic", "context", "setfit"),
        action="append",
        help="Measure this way of learning from the verdicts (repeatable; bench/learning.py).",
    )
    parser.add_argument(
        "--zero-shot",
        choices=("other-corpus", "shipped"),
        default="other-corpus",
        help="Zero-shot weights: fitted on the other corpus (default: no figure is measured on "
        "data that fitted them), or the shipped ones (fitted on both corpora: optimistic).",
    )
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    names = args.corpus or sorted(CORPORA)
    corpora = {name: CORPORA[name] for name in names}
    output = args.output or RESULTS
    if args.method:
        from learning import run_methods, summary

        corpora, stem = _with_rubric(names, args.rubric, "agreement-method")
        methods: dict[str, Any] = {
            "command": "python " + " ".join(["bench/agreement.py", *sys.argv[1:]]),
            "scorer": f"embedded v{EmbeddedScorer.version}",
            "goals": GOALS,
            "seed": args.seed,
            "teach_dialogues": args.teach,
            "corpora": {},
        }
        for name, corpus in corpora.items():
            part = run_methods(corpus, tuple(args.method), measure, args.seed, args.teach)
            part["change_over_logistic"] = summary(part)
            methods["corpora"][name] = part
        output = args.output or RESULTS.with_name(f"{stem}.json")
        output.write_text(json.dumps(methods, indent=2) + "\n")
        print(f"\nwrote {output}")
        return
    if args.select:
        from selection import BUDGETS, run_selection

        budgets = tuple(sorted(set(args.budget or BUDGETS)))
        if min(budgets) < 1:
            parser.error("--budget must be at least 1")
        corpora, stem = _with_rubric(names, args.rubric, f"agreement-select-{args.select}")
        selected: dict[str, Any] = {
            "command": "python " + " ".join(["bench/agreement.py", *sys.argv[1:]]),
            "scorer": f"embedded v{EmbeddedScorer.version}",
            "goals": GOALS,
            "budgets": list(budgets),
            "corpora": {
                name: run_selection(
                    corpus,
                    args.select,
                    budgets,
                    measure,
                    GOALS,
                    tuple(range(1, args.random_seeds + 1)),
                    args.refit_every,
                    args.pool_dialogues,
                    args.held_out_dialogues,
                )
                for name, corpus in corpora.items()
            },
        }
        output = args.output or RESULTS.with_name(f"{stem}.json")
        output.write_text(json.dumps(selected, indent=2) + "\n")
        print(f"\nwrote {output}")
        return
    if args.rubric:
        if len(names) != 1:
            parser.error("--rubric needs exactly one --corpus")
        if not (Path(__file__).parent / "rubrics" / args.rubric).is_file():
            parser.error(f"no rubric file bench/rubrics/{args.rubric}")
        corpora = {name: replace(CORPORA[name], rubric_file=args.rubric) for name in names}
        output = args.output or RESULTS.with_name(f"agreement-{Path(args.rubric).stem}.json")
    elif args.teach != TEACH_DIALOGUES:
        output = args.output or RESULTS.with_name(
            f"agreement-teach{args.teach}-{'-'.join(names)}.json"
        )
    results: dict[str, Any] = {
        "command": "python " + " ".join(["bench/agreement.py", *sys.argv[1:]]),
        "scorer": f"embedded v{EmbeddedScorer.version}",
        "goals": GOALS,
        "seed": args.seed,
        "teach_dialogues": args.teach,
        "corpora": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        for name, corpus in corpora.items():
            results["corpora"][name] = run_corpus(
                corpus, Path(tmp), not args.quick, args.seed, args.teach, args.zero_shot
            )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {output}")


if __name__ == "__main__":
    main()
