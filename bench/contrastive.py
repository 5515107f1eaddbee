"""Does contrastive fine-tuning of the encoder on the team's verdicts (the SetFit approach) teach the
scorer more than the logistic correction alone, for the same verdicts?

    nice -n 15 .venv/bin/python bench/contrastive.py --corpus persuasionforgood --budget 200
    nice -n 15 .venv/bin/python bench/contrastive.py --corpus casino --rubric negotiation-alt.yaml

The teaching pool and held-out dialogues are bench/selection.py's (split seed 7); N answers per
criterion are drawn at random from the pool (seed 1) and answered from the labels. Then:

- baseline: the embedded scorer (MiniLM as shipped) taught with those answers, as today;
- contrastive: MiniLM fine-tuned on pairs of the answered turns (two confirmed turns of a
  criterion: similar, 1; a confirmed and a rejected one: dissimilar, 0; cosine-similarity loss,
  SetFit's recipe, with sentence-transformers on PyTorch), every text re-encoded with it, and the
  scorer taught with the same answers on the new vectors.

Both on the held-out dialogues, with zero-shot weights fitted on the other corpus. Prints and
writes per-criterion figures and the time each step took on this machine (bench/results/
contrastive-<corpus>[-<rubric>].json).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from agreement import GOALS, measure
from callcoach.scoring.embedded import EmbeddedScorer, _sentence_texts
from callcoach.scoring.embedding_model import (
    EmbeddingModel,
    bundled_model_path,
    load_sentence_transformer,
)
from corpora import CORPORA
from selection import (
    Answer,
    Setup,
    guidance_of,
    prepare,
    score_calls,
    scripted_answer,
)

RESULTS = Path(__file__).resolve().parent / "results"
PAIRS_PER_ANSWER = 4  # SetFit draws 2 x num_iterations pairs per example; 4 keeps 2 cores busy
MAX_PAIRS = 3000
EPOCHS = 1
BATCH = 16
LEARNING_RATE = 2e-5


def random_answers(setup: Setup, budget: int, seed: int) -> list[Answer]:
    rng = random.Random(seed)
    turns = [(c, s.index) for c in setup.pool for s in setup.conversations[c].call.rep_segments]
    return [
        scripted_answer(setup, call_id, segment, cid)
        for cid in setup.corpus.labels
        for call_id, segment in rng.sample(turns, min(budget, len(turns)))
    ]


def pairs(answers: list[Answer], seed: int) -> list[tuple[str, str, float]]:
    """SetFit's pairs, per criterion: a confirmed turn with another confirmed one (1.0) and with
    a rejected one (0.0), balanced."""
    rng = random.Random(seed)
    result: list[tuple[str, str, float]] = []
    criteria = sorted({a.criterion_id for a in answers})
    for cid in criteria:
        pos = [a.text for a in answers if a.criterion_id == cid and a.verdict and a.text]
        neg = [a.text for a in answers if a.criterion_id == cid and not a.verdict and a.text]
        if len(pos) < 2 or not neg:
            continue
        for _ in range(PAIRS_PER_ANSWER * len(pos)):
            anchor = rng.choice(pos)
            result.append((anchor, rng.choice(pos), 1.0))
            result.append((anchor, rng.choice(neg), 0.0))
    rng.shuffle(result)
    return result[:MAX_PAIRS]


def fine_tune(examples: list[tuple[str, str, float]], out: Path, seed: int) -> float:
    """Cosine-similarity loss on the pairs; the model saved to `out`. Returns seconds."""
    import torch

    started = time.perf_counter()
    torch.manual_seed(seed)
    model = load_sentence_transformer(bundled_model_path())
    model.train()
    optimiser = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE)

    def embed(texts: list[str]) -> Any:
        features = model.tokenize(texts)
        output = model(features)["sentence_embedding"]
        return torch.nn.functional.normalize(output, dim=1)

    for _ in range(EPOCHS):
        for start in range(0, len(examples), BATCH):
            batch = examples[start : start + BATCH]
            left = embed([a for a, _, _ in batch])
            right = embed([b for _, b, _ in batch])
            target = torch.tensor([y for _, _, y in batch], dtype=torch.float32)
            loss = torch.nn.functional.mse_loss((left * right).sum(dim=1), target)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    model.eval()
    model.save(str(out))
    return time.perf_counter() - started


def reencode(setup: Setup, model: EmbeddingModel) -> float:
    """Every call's rows (segments, then long turns' sentences) with the fine-tuned model."""
    started = time.perf_counter()
    for call_id, conv in setup.conversations.items():
        texts = [s.text for s in conv.call.segments] + _sentence_texts(conv.call)
        setup.embeddings[call_id] = model.encode_cached(texts)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=sorted(CORPORA), required=True)
    parser.add_argument("--rubric", help="Another rubric file in bench/rubrics/ (same ids).")
    parser.add_argument("--budget", type=int, default=200, help="Answers per criterion.")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    corpus = CORPORA[args.corpus]
    if args.rubric:
        corpus = replace(corpus, rubric_file=args.rubric)
    setup = prepare(corpus)
    answers = random_answers(setup, args.budget, args.seed)
    guidance = guidance_of(setup, answers)
    started = time.perf_counter()
    baseline = measure(setup, score_calls(setup, setup.held_out, guidance), setup.held_out)
    baseline_seconds = time.perf_counter() - started
    examples = pairs(answers, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        tuned_seconds = fine_tune(examples, Path(tmp) / "tuned", args.seed)
        model = EmbeddingModel(str(Path(tmp) / "tuned"), backend="torch")
        encode_seconds = reencode(setup, model)
        setup.scorer = EmbeddedScorer(model=model, zero_shot=setup.scorer._zero_shot)
        started = time.perf_counter()
        tuned = measure(setup, score_calls(setup, setup.held_out, guidance), setup.held_out)
        tuned_score_seconds = time.perf_counter() - started
    result: dict[str, Any] = {
        "command": "python " + " ".join(["bench/contrastive.py", *sys.argv[1:]]),
        "corpus": corpus.file,
        "rubric": f"bench/rubrics/{corpus.rubric_file}",
        "zero_shot_weights_fitted_on": setup.scorer._zero_shot.fitted_on,
        "answers_per_criterion": args.budget,
        "seed": args.seed,
        "pairs": len(examples),
        "held_out_calls": len(setup.held_out),
        "goals": GOALS,
        "seconds": {
            "fine_tune": round(tuned_seconds, 1),
            "re_encode_all_calls": round(encode_seconds, 1),
            "score_held_out_baseline": round(baseline_seconds, 1),
            "score_held_out_tuned": round(tuned_score_seconds, 1),
        },
        "per_criterion": {},
    }
    for cid in corpus.labels:
        row = {}
        for key in ("evidence_precision", "evidence_recall", "detection_auc"):
            row[key] = {"logistic": baseline[cid][key], "contrastive": tuned[cid][key]}
        result["per_criterion"][cid] = row
        print(
            f"{cid:20} "
            + "  ".join(f"{k[:9]} {v['logistic']} -> {v['contrastive']}" for k, v in row.items())
        )
    print(json.dumps(result["seconds"]))
    stem = f"contrastive-{args.corpus}" + (f"-{Path(args.rubric).stem}" if args.rubric else "")
    (RESULTS / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote bench/results/{stem}.json")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
