"""What each way of learning from verdicts buys (bench/agreement.py --method ...).

The same teaching as the published "20 dialogues of verdicts" figures: the rep turns of 20
annotated dialogues drawn with seed 7 (agreement.py's draw), each confirmed for the criteria
people labelled on it and rejected for the others, as `scorer feedback` records them; every
figure is measured on the other dialogues with agreement.py's `measure` (evidence precision,
recall, detection AUC per call), plus turn-level figures (AUC and average precision of the
likelihood of every held-out rep turn against its labels), which move less with the presence bar.
The zero-shot weights are fitted on the other corpus (selection.cross_corpus_weights): no figure
is measured on data that fitted them.

Methods:

- logistic: today's teaching correction (scoring/embedded_teaching.py: an offset logistic
  regression per criterion on the turn, the other party's turn before it, their words, the
  generic features, the position in the call and the nearest labelled turns).
- context: the same, reading also the other party's next turn (its embedding, words and nearest
  labelled replies): the answer a question drew, the pledge after an ask. `EmbeddedScorer(
  reads_replies=True)`; stored embeddings already hold that turn, so no encoding is added.
- setfit: contrastive fine-tuning of the sentence encoder on the verdicts (the SetFit recipe:
  pairs of turns confirmed for the same criterion are pulled together, a confirmed and a rejected
  turn of a criterion pushed apart; CosineSimilarityLoss, sentence-transformers' own module,
  plain PyTorch loop), then every call is encoded again with the tuned encoder (as a background
  job would refresh stored vectors) and scored with today's teaching on the tuned vectors.
  Bounded for a 2-core machine: `SETFIT_PAIRS` pairs per criterion, one epoch, batch 16.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

from callcoach.scoring.base import RubricGuidance
from callcoach.scoring.embedded import EmbeddedScorer, _sentence_texts
from callcoach.scoring.embedding_model import EmbeddingModel, bundled_model_path
from corpora import Corpus, load_conversations, load_rubric
from selection import (
    Answer,
    Setup,
    cross_corpus_weights,
    guidance_of,
    score_calls,
    scripted_answer,
    with_sentences,
)

METHODS = ("logistic", "context", "setfit")
SETFIT_PAIRS = 160  # per criterion: half pairs of confirmed turns, half confirmed vs rejected
SETFIT_EPOCHS = 1
SETFIT_BATCH = 16
SETFIT_SEED = 1
SETFIT_MAX_TOKENS = 128


def prepare_split(corpus: Corpus, seed: int, teach_dialogues: int) -> Setup:
    """agreement.py's split: `teach_dialogues` dialogues drawn with `seed`, the rest held out."""
    from callcoach.services.scoring.teaching import _layout

    conversations = load_conversations(corpus)
    dialogues = sorted({c.dialogue for c in conversations})
    teaching = set(random.Random(seed).sample(dialogues, teach_dialogues))
    by_id = {c.call.external_id: c for c in conversations}
    return Setup(
        corpus=corpus,
        conversations=by_id,
        rubric=load_rubric(corpus),
        scorer=EmbeddedScorer(zero_shot=cross_corpus_weights(corpus)),
        embeddings=with_sentences(conversations),
        pool=sorted(i for i, c in by_id.items() if c.dialogue in teaching),
        held_out=sorted(i for i, c in by_id.items() if c.dialogue not in teaching),
        layouts={i: _layout(c.call) for i, c in by_id.items()},
    )


def every_verdict(setup: Setup) -> list[Answer]:
    """Every rep turn of the teaching dialogues, confirmed or rejected for every criterion."""
    return [
        scripted_answer(setup, call_id, seg.index, cid)
        for call_id in setup.pool
        for seg in setup.conversations[call_id].call.rep_segments
        for cid in setup.corpus.labels
    ]


def turn_figures(setup: Setup, guidance: RubricGuidance) -> dict[str, dict[str, Any]]:
    """Per criterion: AUC and average precision of every held-out rep turn's likelihood."""
    scores: dict[str, list[float]] = {cid: [] for cid in setup.corpus.labels}
    truth: dict[str, list[int]] = {cid: [] for cid in setup.corpus.labels}
    for call_id in setup.held_out:
        conv = setup.conversations[call_id]
        judged = setup.scorer.judge_turns(
            conv.call, setup.rubric, setup.embeddings[call_id], guidance
        )
        for cid in setup.corpus.labels:
            judgement = judged[cid]
            scores[cid] += judgement.likelihood.tolist()
            truth[cid] += [int(seg in conv.truth[cid]) for seg in judgement.segments]
    result = {}
    for cid in setup.corpus.labels:
        y, p = truth[cid], scores[cid]
        both = 0 < sum(y) < len(y)
        result[cid] = {
            "turns": len(y),
            "positive_turns": sum(y),
            "turn_auc": round(float(roc_auc_score(y, p)), 3) if both else None,
            "turn_ap": round(float(average_precision_score(y, p)), 3) if both else None,
        }
    return result


def setfit_encoder(setup: Setup, answers: list[Answer], workdir: Path) -> tuple[Path, float]:
    """MiniLM fine-tuned contrastively on the verdicts; returns its directory and seconds."""
    import torch
    from sentence_transformers import SentenceTransformer, losses

    started = time.perf_counter()
    torch.manual_seed(SETFIT_SEED)
    rng = random.Random(SETFIT_SEED)
    pairs: list[tuple[str, str, float]] = []
    for cid in setup.corpus.labels:
        positives = sorted({a.text for a in answers if a.criterion_id == cid and a.verdict})
        negatives = sorted({a.text for a in answers if a.criterion_id == cid and not a.verdict})
        if len(positives) < 2 or not negatives:
            continue
        half = SETFIT_PAIRS // 2
        pairs += [(*rng.sample(positives, 2), 1.0) for _ in range(half)]  # type: ignore[misc]
        pairs += [(rng.choice(positives), rng.choice(negatives), 0.0) for _ in range(half)]
    rng.shuffle(pairs)
    model = SentenceTransformer(str(bundled_model_path()), device="cpu")
    model.max_seq_length = SETFIT_MAX_TOKENS
    loss = losses.CosineSimilarityLoss(model)
    optimiser = torch.optim.AdamW(model.parameters(), lr=2e-5)
    model.train()
    for _ in range(SETFIT_EPOCHS):
        for start in range(0, len(pairs), SETFIT_BATCH):
            chunk = pairs[start : start + SETFIT_BATCH]
            left = model.preprocess([a for a, _, _ in chunk])
            right = model.preprocess([b for _, b, _ in chunk])
            labels = torch.tensor([y for _, _, y in chunk], dtype=torch.float32)
            optimiser.zero_grad()
            value = loss([left, right], labels)
            value.backward()
            optimiser.step()
    model.eval()
    print(
        f"  fine-tuned on {len(pairs)} pairs in {time.perf_counter() - started:.0f} s", flush=True
    )
    out = workdir / f"setfit-{setup.corpus.name}"
    model.save(str(out))
    return out, time.perf_counter() - started


def setfit_setup(setup: Setup, encoder: Path) -> tuple[Setup, float]:
    """Every call encoded again with the tuned encoder (segments and quotable sentences), as a
    background job refreshing stored vectors would. On PyTorch in float32: the product's ONNX
    export of a tuned model did not pass its check against PyTorch (lowest probe cosine 0.83 <
    0.9999, on the PersuasionForGood run), so it cannot run on the default OpenVINO backend as
    it stands; bfloat16 autocast is off so the vectors are the tuned model's own."""
    os.environ["CALLCOACH_EMBEDDING_PRECISION"] = "float32"
    started = time.perf_counter()
    model = EmbeddingModel(str(encoder), backend="torch")
    embeddings = {}
    for call_id, conv in setup.conversations.items():
        texts = [s.text for s in conv.call.segments] + _sentence_texts(conv.call)
        embeddings[call_id] = model.encode_cached(texts)
    scorer = EmbeddedScorer(model=model, zero_shot=setup.scorer._zero_shot)
    return replace(setup, scorer=scorer, embeddings=embeddings), time.perf_counter() - started


def run_methods(
    corpus: Corpus,
    methods: tuple[str, ...],
    measure: Any,
    seed: int,
    teach_dialogues: int,
) -> dict[str, Any]:
    setup = prepare_split(corpus, seed, teach_dialogues)
    answers = every_verdict(setup)
    guidance = guidance_of(setup, answers)
    empty = RubricGuidance(rubric_id=setup.rubric.id)
    result: dict[str, Any] = {
        "corpus": corpus.file,
        "rubric": f"bench/rubrics/{corpus.rubric_file}",
        "zero_shot_weights_fitted_on": setup.scorer._zero_shot.fitted_on,
        "teaching_calls": len(setup.pool),
        "verdicts": len(answers),
        "confirmed": sum(a.verdict for a in answers),
        "held_out_calls": len(setup.held_out),
        "zero_shot": _figures(setup, empty, measure),
        "methods": {},
    }
    print(f"{corpus.name} zero-shot: {_brief(result['zero_shot'])}", flush=True)
    workdir = tempfile.TemporaryDirectory()
    for method in methods:
        cost: dict[str, float] = {}
        variant = setup
        if method == "context":
            variant = replace(
                setup, scorer=EmbeddedScorer(zero_shot=setup.scorer._zero_shot, reads_replies=True)
            )
        elif method == "setfit":
            tmp = Path(workdir.name)
            encoder, cost["fine_tune_seconds"] = setfit_encoder(setup, answers, tmp)
            variant, cost["re_encode_seconds"] = setfit_setup(setup, encoder)
            cost["re_encoded_texts"] = sum(len(e) for e in variant.embeddings.values())
        elif method != "logistic":
            raise SystemExit(f"unknown method {method!r}; known: {', '.join(METHODS)}")
        started = time.perf_counter()
        variant.scorer.prepare(variant.rubric, guidance)
        cost["fit_seconds"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        figures = _figures(variant, guidance, measure)
        cost["score_seconds_per_call"] = round(
            (time.perf_counter() - started) / len(setup.held_out) / 2, 4
        )  # two passes (scores, turn likelihoods); per call, one pass
        figures["cost"] = {k: round(v, 4) for k, v in cost.items()}
        result["methods"][method] = figures
        print(f"{corpus.name} {method}: {_brief(figures)} {figures['cost']}", flush=True)
    workdir.cleanup()
    return result


def _figures(setup: Setup, guidance: RubricGuidance, measure: Any) -> dict[str, Any]:
    scores = score_calls(setup, setup.held_out, guidance)
    per_call = measure(setup, scores, setup.held_out)
    per_turn = turn_figures(setup, guidance)
    for cid, figures in per_call.items():
        figures.pop("outcome_won", None)
        figures.update(per_turn[cid])
    return {"per_criterion": per_call}


def _brief(figures: dict[str, Any]) -> str:
    def f(v: Any) -> str:
        return "-" if v is None else f"{v:.2f}"

    return "; ".join(
        f"{cid} P{f(m['evidence_precision'])} R{f(m['evidence_recall'])} "
        f"A{f(m['detection_auc'])} tA{f(m['turn_auc'])} AP{f(m['turn_ap'])}"
        for cid, m in figures["per_criterion"].items()
    )


def summary(result: dict[str, Any]) -> dict[str, Any]:
    """Per method and criterion, the change over logistic (P, R, call AUC, turn AUC, turn AP)."""
    base = result["methods"].get("logistic")
    if base is None:
        return {}
    keys = ("evidence_precision", "evidence_recall", "detection_auc", "turn_auc", "turn_ap")
    out: dict[str, Any] = {}
    for method, figures in result["methods"].items():
        if method == "logistic":
            continue
        out[method] = {
            cid: {
                k: None
                if m.get(k) is None or base["per_criterion"][cid].get(k) is None
                else round(m[k] - base["per_criterion"][cid][k], 3)
                for k in keys
            }
            for cid, m in figures["per_criterion"].items()
        }
        out[method]["mean"] = {
            k: round(
                float(np.mean([v[k] for c, v in out[method].items() if v.get(k) is not None])), 3
            )
            for k in keys
        }
    return out


def markdown(files: list[Path]) -> str:
    """docs/scoring.md's table: per corpus, rubric and criterion, P / R / AUC (turn AUC) of each
    method, from agreement-method-*.json files."""
    import json

    def cell(m: dict[str, Any]) -> str:
        values = [m.get(k) for k in ("evidence_precision", "evidence_recall", "detection_auc")]
        text = " / ".join("-" if v is None else f"{v:.2f}" for v in values)
        turn = m.get("turn_auc")
        return text + ("" if turn is None else f" ({turn:.2f})")

    runs = [json.loads(f.read_text()) for f in files]
    methods = list(
        dict.fromkeys(m for r in runs for p in r["corpora"].values() for m in p["methods"])
    )
    lines = [
        "| corpus, rubric | criterion | zero-shot | " + " | ".join(methods) + " |",
        "|---" * (3 + len(methods)) + "|",
    ]
    for run in runs:
        for name, part in run["corpora"].items():
            label = f"{name}, {Path(part['rubric']).stem}"
            for cid, zero in part["zero_shot"]["per_criterion"].items():
                row = [label, cid, cell(zero)]
                row += [
                    cell(part["methods"][m]["per_criterion"][cid]) if m in part["methods"] else ""
                    for m in methods
                ]
                lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    print(markdown([Path(a) for a in sys.argv[1:]]))
