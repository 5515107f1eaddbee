"""Teaching queue versus random picks: what N answers per criterion buy (bench/agreement.py --select).

A scripted answerer plays the manager: asked whether a rep turn is a moment of a criterion, it
answers from the corpus's human labels (bench/corpora.py maps labels to criteria), exactly as
`callcoach scorer teach` records a confirmed or rejected verdict. The annotated dialogues are
split once (seed 7) into a teaching pool, where questions may be asked, and held-out dialogues,
where the figures are measured with agreement.py's `measure` (evidence precision, recall,
detection AUC), so no figure is measured on a call that was asked about.

- queue: scoring/teaching_queue.py picks each criterion's next moments from the pool, ranked by
  the scorer taught with the answers so far; the pool is re-judged after 10, 20, 30, 40, 50
  answers per criterion and every 25 after (in a product, after each teaching refit).
- random: each criterion's N moments drawn uniformly from the pool's rep turns (3 seeds).

The zero-shot weights are fitted on the other corpus (bench/meta_weights.py's fit): the figures
on one corpus never come from weights fitted on its own labels.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from callcoach.domain.calls import Call
from callcoach.domain.rubric import Rubric
from callcoach.domain.scores import CallScore
from callcoach.scoring import teaching_queue
from callcoach.scoring.base import LabelledTurn, RubricGuidance, ScoringRequest
from callcoach.scoring.embedded import EmbeddedScorer, _sentence_texts
from callcoach.scoring.embedded_features import ZeroShotWeights
from callcoach.scoring.embedding_model import shared_model
from callcoach.scoring.teaching_queue import Candidate, select_moments
from callcoach.services.scoring.teaching import _labelled, _layout
from corpora import (
    CACHE,
    CORPORA,
    Conversation,
    Corpus,
    corpus_embeddings,
    load_conversations,
    load_rubric,
)

BUDGETS = (50, 100, 200, 400)
FIRST_REFITS = (10, 20, 30, 40, 50)
REFIT_EVERY = 25  # after 50 answers per criterion, the pool is re-judged every 25
POOL_SHARE = 0.5
SPLIT_SEED = 7
RANDOM_SEEDS = (1, 2, 3)


def cross_corpus_weights(corpus: Corpus) -> ZeroShotWeights:
    """Zero-shot weights fitted on every bench corpus but `corpus` (meta_weights.py's fit)."""
    from meta_weights import fit, labelled_features

    others = [c for name, c in CORPORA.items() if name != corpus.name]
    data = [d for other in others for d in labelled_features(other).values()]
    (center, spread), model = fit(data)
    return ZeroShotWeights(
        center.astype(np.float32),
        spread.astype(np.float32),
        model.coef_[0].astype(np.float32),
        float(model.intercept_[0]),
        "+".join(o.name for o in others),
    )


def with_sentences(conversations: list[Conversation]) -> dict[str, np.ndarray]:
    """Each call's stored rows as the scorer stores them: segments, then the sentences of long
    rep turns (cached on disk like corpus_embeddings: a re-run encodes nothing)."""
    segments = corpus_embeddings(conversations)
    per_call = {c.call.external_id: _sentence_texts(c.call) for c in conversations}
    texts = sorted({t for ts in per_call.values() for t in ts})
    digest = hashlib.sha256("\x1e".join(texts).encode()).hexdigest()[:16]
    path = CACHE / f"sentences-{digest}.npy"
    if path.exists():
        matrix = np.load(path)
    else:
        matrix = shared_model().encode(texts) if texts else np.zeros((0, 384), np.float32)
        np.save(path, matrix)
    row = {t: i for i, t in enumerate(texts)}
    return {
        call_id: np.vstack([segments[call_id], matrix[[row[t] for t in ts]]])
        if ts
        else segments[call_id]
        for call_id, ts in per_call.items()
    }


@dataclass
class Setup:
    corpus: Corpus
    conversations: dict[str, Conversation]
    rubric: Rubric
    scorer: EmbeddedScorer
    embeddings: dict[str, np.ndarray]
    pool: list[str]
    held_out: list[str]
    layouts: dict[str, Any]


def prepare(
    corpus: Corpus, pool_dialogues_max: int | None = None, held_out_dialogues_max: int | None = None
) -> Setup:
    """Half the dialogues (seed 7) are the teaching pool, the rest held out; on a busy machine
    either may be capped to a random subset of its dialogues (the results say so)."""
    conversations = load_conversations(corpus)
    embeddings = with_sentences(conversations)
    dialogues = sorted({c.dialogue for c in conversations})
    rng = random.Random(SPLIT_SEED)
    pool_list = rng.sample(dialogues, int(len(dialogues) * POOL_SHARE))
    rest = [d for d in dialogues if d not in set(pool_list)]
    if pool_dialogues_max is not None:
        pool_list = rng.sample(pool_list, min(pool_dialogues_max, len(pool_list)))
    if held_out_dialogues_max is not None:
        rest = rng.sample(rest, min(held_out_dialogues_max, len(rest)))
    pool_dialogues, held_dialogues = set(pool_list), set(rest)
    by_id = {c.call.external_id: c for c in conversations}
    scorer = EmbeddedScorer(zero_shot=cross_corpus_weights(corpus))
    return Setup(
        corpus=corpus,
        conversations=by_id,
        rubric=load_rubric(corpus),
        scorer=scorer,
        embeddings=embeddings,
        pool=sorted(i for i, c in by_id.items() if c.dialogue in pool_dialogues),
        held_out=sorted(i for i, c in by_id.items() if c.dialogue in held_dialogues),
        layouts={i: _layout(c.call) for i, c in by_id.items()},
    )


@dataclass(frozen=True)
class Answer:
    """What `callcoach scorer teach` records: a confirmed (True) or rejected verdict."""

    call_id: str
    segment: int
    criterion_id: str
    verdict: bool
    text: str


def scripted_answer(setup: Setup, call_id: str, segment: int, criterion_id: str) -> Answer:
    conv = setup.conversations[call_id]
    return Answer(
        call_id,
        segment,
        criterion_id,
        segment in conv.truth[criterion_id],
        conv.call.segments[segment].text,
    )


def guidance_of(setup: Setup, answers: list[Answer]) -> RubricGuidance:
    """The answers as the feedback service hands them to the scorer (services/scoring/teaching)."""
    examples: list[LabelledTurn] = []
    for a in answers:
        call: Call = setup.conversations[a.call_id].call
        source = "confirmed" if a.verdict else "rejected"
        turn = _labelled(
            call, setup.layouts[a.call_id], a.criterion_id, a.segment, a.verdict, source
        )
        if turn is not None:
            examples.append(turn)
    return RubricGuidance(rubric_id=setup.rubric.id, examples=examples)


def score_calls(setup: Setup, calls: list[str], guidance: RubricGuidance) -> dict[str, CallScore]:
    result = {}
    for call_id in calls:
        request = ScoringRequest(
            setup.conversations[call_id].call, setup.rubric, 1, setup.embeddings[call_id], guidance
        )
        result[call_id] = setup.scorer.score(request)
    return result


def pool_candidates(setup: Setup, guidance: RubricGuidance) -> dict[str, list[Candidate]]:
    """Per criterion, every rep turn of the pool with the taught scorer's likelihood."""
    result: dict[str, list[Candidate]] = {cid: [] for cid in setup.corpus.labels}
    for call_id in setup.pool:
        conv = setup.conversations[call_id]
        judged = setup.scorer.judge_turns(
            conv.call, setup.rubric, setup.embeddings[call_id], guidance
        )
        for cid, judgement in judged.items():
            for segment, p in zip(judgement.segments, judgement.likelihood.tolist(), strict=True):
                result[cid].append(
                    Candidate(
                        call_id,
                        cid,
                        segment,
                        float(p),
                        judgement.present,
                        conv.raw.get("rep"),
                        conv.call.segments[segment].text,
                    )
                )
    return result


Measure = Any  # agreement.measure(setup, scores, calls) -> per-criterion figures


def run_queue(
    setup: Setup, budgets: tuple[int, ...], measure: Measure, refit_every: int = REFIT_EVERY
) -> dict[str, Any]:
    answers: list[Answer] = []
    curve: dict[str, Any] = {}
    guidance = RubricGuidance(rubric_id=setup.rubric.id)
    candidates = pool_candidates(setup, guidance)
    refits = [*FIRST_REFITS, *range(50 + refit_every, max(budgets) + 1, refit_every)]
    steps = sorted({*[r for r in refits if r <= max(budgets)], *budgets})
    for step in steps:
        for cid in setup.corpus.labels:
            own = [a for a in answers if a.criterion_id == cid]
            confirmed = sum(a.verdict for a in own)
            picks = select_moments(
                candidates[cid],
                step - len(own),
                judged={(a.call_id, cid, a.segment) for a in own},
                counts={cid: (confirmed, len(own) - confirmed)},
                judged_texts={cid: [a.text for a in own]},
            )
            answers.extend(scripted_answer(setup, p.call_id, p.segment, cid) for p in picks)
        guidance = guidance_of(setup, answers)
        if step in budgets:
            scores = score_calls(setup, setup.held_out, guidance)
            curve[str(step)] = _with_counts(measure(setup, scores, setup.held_out), answers)
            print(f"  queue N={step}: {_brief(curve[str(step)])}", flush=True)
        if step != steps[-1]:
            candidates = pool_candidates(setup, guidance)
    return curve


def run_random(
    setup: Setup, budgets: tuple[int, ...], measure: Measure, seed: int
) -> dict[str, Any]:
    rng = random.Random(seed)
    turns = [
        (call_id, seg.index)
        for call_id in setup.pool
        for seg in setup.conversations[call_id].call.rep_segments
    ]
    orders = {cid: rng.sample(turns, min(len(turns), max(budgets))) for cid in setup.corpus.labels}
    curve: dict[str, Any] = {}
    for budget in budgets:
        answers = [
            scripted_answer(setup, call_id, segment, cid)
            for cid, order in orders.items()
            for call_id, segment in order[:budget]
        ]
        scores = score_calls(setup, setup.held_out, guidance_of(setup, answers))
        curve[str(budget)] = _with_counts(measure(setup, scores, setup.held_out), answers)
        print(f"  random seed {seed} N={budget}: {_brief(curve[str(budget)])}", flush=True)
    return curve


def _with_counts(per_criterion: dict[str, Any], answers: list[Answer]) -> dict[str, Any]:
    for cid, figures in per_criterion.items():
        own = [a for a in answers if a.criterion_id == cid]
        figures["answers"] = len(own)
        figures["confirmed"] = sum(a.verdict is True for a in own)
        figures.pop("outcome_won", None)
    return per_criterion


def _brief(per_criterion: dict[str, Any]) -> str:
    def f(v: Any) -> str:
        return "-" if v is None else f"{v:.2f}"

    return "; ".join(
        f"{cid} P{f(m['evidence_precision'])} R{f(m['evidence_recall'])} "
        f"A{f(m['detection_auc'])} +{m['confirmed']}"
        for cid, m in per_criterion.items()
    )


FIGURES = ("evidence_precision", "evidence_recall", "detection_auc")


def summarise(
    queue: dict[str, Any], randoms: list[dict[str, Any]], goals: dict[str, float]
) -> dict[str, Any]:
    """Criteria meeting the bar per budget, and where the queue with N/2 answers matches random
    with N (each figure at least random's mean over seeds)."""

    def meets(m: dict[str, Any]) -> bool:
        return all((m.get(k) or 0) >= goal for k, goal in goals.items())

    def mean(budget: str, cid: str, key: str) -> float:
        """Mean over the seeds that have the figure (no quote at level >= 3: no precision);
        0 when none has it."""
        values = [v for r in randoms if (v := r[budget][cid].get(key)) is not None]
        return float(np.mean(values)) if values else 0.0

    budgets = sorted(queue, key=int)
    result: dict[str, Any] = {"bar_met": {}, "queue_half_vs_random": {}}
    for budget in budgets:
        result["bar_met"][budget] = {
            "queue": sorted(cid for cid, m in queue[budget].items() if meets(m)),
            "random_per_seed": [
                sorted(cid for cid, m in r[budget].items() if meets(m)) for r in randoms
            ],
        }
    for budget in budgets:
        half = str(int(budget) // 2)
        if half not in queue:
            continue
        per = {}
        for cid in queue[half]:
            per[cid] = {
                key: {
                    "queue_half": queue[half][cid].get(key),
                    "random_mean": round(mean(budget, cid, key), 3),
                }
                for key in FIGURES
            }
            per[cid]["matched"] = all(
                (queue[half][cid].get(key) or 0.0) >= mean(budget, cid, key) for key in FIGURES
            )
            per[cid]["auc_matched"] = (queue[half][cid].get("detection_auc") or 0.0) >= mean(
                budget, cid, "detection_auc"
            )
        result["queue_half_vs_random"][budget] = per
    return result


def run_selection(
    corpus: Corpus,
    select: str,
    budgets: tuple[int, ...],
    measure: Measure,
    goals: dict[str, float],
    seeds: tuple[int, ...] = RANDOM_SEEDS,
    refit_every: int = REFIT_EVERY,
    pool_dialogues_max: int | None = None,
    held_out_dialogues_max: int | None = None,
) -> dict[str, Any]:
    started = time.perf_counter()
    setup = prepare(corpus, pool_dialogues_max, held_out_dialogues_max)
    result: dict[str, Any] = {
        "corpus": corpus.file,
        "rubric": f"bench/rubrics/{corpus.rubric_file}",
        "zero_shot_weights_fitted_on": setup.scorer._zero_shot.fitted_on,
        "pool_calls": len(setup.pool),
        "pool_rep_turns": sum(len(setup.conversations[c].call.rep_segments) for c in setup.pool),
        "held_out_calls": len(setup.held_out),
        "split_seed": SPLIT_SEED,
        "pool_dialogues_max": pool_dialogues_max,
        "held_out_dialogues_max": held_out_dialogues_max,
        "refit_every": refit_every,
        "queue_constants": {
            k: getattr(teaching_queue, k)
            for k in (
                "DECAY_CALL",
                "DECAY_REP",
                "RARE_SHARE",
                "SEEK_POSITIVES",
                "BALANCE",
                "RANDOM_SHARE",
            )
        },
    }
    zero = score_calls(setup, setup.held_out, RubricGuidance(rubric_id=setup.rubric.id))
    result["zero_shot_held_out"] = _with_counts(measure(setup, zero, setup.held_out), [])
    print(f"{corpus.name} zero-shot: {_brief(result['zero_shot_held_out'])}", flush=True)
    if select in ("queue", "both"):
        result["queue"] = run_queue(setup, budgets, measure, refit_every)
    if select in ("random", "both"):
        result["random_seeds"] = list(seeds)
        result["random"] = [run_random(setup, budgets, measure, s) for s in seeds]
    if select == "both":
        result["summary"] = summarise(result["queue"], result["random"], goals)
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def markdown(result: dict[str, Any], goals: dict[str, float]) -> str:
    """The learning curves as docs/scoring.md tables (P / R / AUC per criterion and budget;
    random: mean over seeds; bold: the bar met)."""

    def cell(m: dict[str, Any]) -> str:
        values = [m.get(k) for k in FIGURES]
        text = " / ".join("-" if v is None else f"{v:.2f}" for v in values)
        met = all((v or 0) >= goals[k] for k, v in zip(FIGURES, values, strict=True))
        return f"**{text}**" if met else text

    def mean_of(runs: list[dict[str, Any]], cid: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for k in FIGURES:
            values = [v for r in runs if (v := r[cid].get(k)) is not None]
            result[k] = float(np.mean(values)) if values else None
        return result

    budgets = sorted(result["queue"], key=int)
    head = "| criterion | zero-shot | " + " | ".join(f"queue {b} | random {b}" for b in budgets)
    lines = [head + " |", "|---" * (2 + 2 * len(budgets)) + "|"]
    for cid, zero in result["zero_shot_held_out"].items():
        row = [cid, cell(zero)]
        for b in budgets:
            row += [
                cell(result["queue"][b][cid]),
                cell(mean_of([r[b] for r in result["random"]], cid)),
            ]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def combine(queue_file: Path, random_file: Path, output: Path) -> dict[str, Any]:
    """One results file from a `--select queue` and a `--select random` run of the same corpus
    and budgets, run side by side (two processes), with the summary `--select both` writes."""
    queue_run, random_run = (json.loads(f.read_text()) for f in (queue_file, random_file))
    combined: dict[str, Any] = {
        "commands": [queue_run["command"], random_run["command"]],
        **{k: queue_run[k] for k in ("scorer", "goals", "budgets")},
        "corpora": {},
    }
    for name, queue_part in queue_run["corpora"].items():
        random_part = random_run["corpora"][name]
        part = {**queue_part, **{k: random_part[k] for k in ("random", "random_seeds")}}
        part["seconds"] = {"queue": queue_part["seconds"], "random": random_part["seconds"]}
        part["summary"] = summarise(part["queue"], part["random"], queue_run["goals"])
        combined["corpora"][name] = part
    output.write_text(json.dumps(combined, indent=2) + "\n")
    return combined


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Combine or print teaching-queue results.")
    parser.add_argument("files", type=Path, nargs="+", help="queue.json random.json, or one file")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    if len(args.files) == 2 and args.output:
        data = combine(args.files[0], args.files[1], args.output)
    else:
        data = json.loads(args.files[0].read_text())
        if args.output:  # the summary again, with this script's rules
            for part in data["corpora"].values():
                if "queue" in part and "random" in part:
                    part["summary"] = summarise(part["queue"], part["random"], data["goals"])
            args.output.write_text(json.dumps(data, indent=2) + "\n")
    for corpus_name, part in data["corpora"].items():
        print(f"\n**{corpus_name}**\n")
        print(markdown(part, data["goals"]))
        print(json.dumps(part.get("summary", {}), indent=1)[:3000])
