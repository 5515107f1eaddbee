"""How well the offline practice persona picks what a real person said next (response selection).

    .venv/bin/python bench/practice.py            # both corpora, writes bench/results/practice.json

For each corpus (PersuasionForGood dev half, CaSiNo) the dialogues are split in two halves by a
seeded hash of the dialogue id (CaSiNo's two records of a dialogue stay together): the FIT half
fits the ranker (the ridge map's alpha by 5-fold cross-fitting, then the logistic regression on
out-of-fold features), the REPORT half is where every figure is measured. Nothing of the report
half is used to fit a number.

Protocol (as in response-selection benchmarks, e.g. Ubuntu 1-in-10): every prospect turn that
answers a rep turn in the report half is a query; its candidates are the real turn and 9
distractors, prospect turns of other dialogues of the report half drawn with a fixed seed. The
answering pool for the neighbour features is the report half without the held-out dialogue.
recall@1 / recall@3: how often the real turn ranks first / in the top 3 (ties shared at random,
in expectation). Chance is 0.1 / 0.3. Baselines: TF-IDF cosine between the rep's turn and the
candidate (vectoriser fitted on the fit half), and the MiniLM cosine between the same two.

Also measured on the report half:
- the ranker fitted on the other corpus's fit half (transfer to a new kind of conversation) and
  ablations (features left out, refitted on the fit half);
- consistency: how often the top pick carries a conversation-specific capitalised word of another
  dialogue (a word the corpus capitalises mid-sentence in at most 2 dialogues, absent from the
  held-out one: names of people, places, organisations, also typos) or gives another number for
  something the prospect already quantified, before and after the engine's checks;
- difficulty: how well the outcome-learned resistance direction separates replies humans labelled
  as pushing back from replies labelled as conceding (AUC), and the share of top picks with each
  label at difficulty 1, 2 and 3 (queries and candidates from annotated dialogues);
- the same engine answering as the rep (persona of a rep, issue 17 section 5), ranked with the
  shipped (prospect-fitted) parameters; `--roles rep` measures only that.

The machine is shared with other work; the figures are not timings.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import roc_auc_score

from callcoach.domain.calls import Call, SpeakerRole
from callcoach.roleplay.defaults import DEFAULT_PARAMETERS
from callcoach.roleplay.facts import contradicted
from callcoach.roleplay.features import (
    FEATURES,
    RANKED,
    DialogueVectors,
    ReplyMap,
    candidate_features,
    map_inputs,
    nearest_replies,
)
from callcoach.roleplay.index import ReplyIndex, build_reply_index
from callcoach.roleplay.names import SceneNames, adapt_names
from callcoach.roleplay.parameters import (
    DIFFICULTY_STEP,
    NEIGHBOURS,
    RIDGE_ALPHAS,
    RankingParameters,
    fit_ranking,
)
from callcoach.roleplay.resistance import ResistanceDirection, difficulty_adjusted
from callcoach.scoring.embedding_model import shared_model
from corpora import CORPORA, P4G_OBJECTIONS, Conversation, Corpus, load_conversations

RESULTS = Path(__file__).resolve().parent / "results" / "practice.json"
SEED = 17
CANDIDATES = 10
FOLDS = 5
# Human labels used ONLY to measure difficulty (never to fit): pushing back vs conceding.
RESIST_LABELS = {
    "persuasionforgood": set(P4G_OBJECTIONS),
    "casino": {"self-need", "other-need", "uv-part"},
}
CONCEDE_LABELS = {
    "persuasionforgood": {
        "agree-donation",
        "positive-reaction-to-donation",
        "provide-donation-amount",
        "confirm-donation",
    },
    "casino": {"no-need", "showing-empathy", "promote-coordination"},
}
ABLATIONS = {
    "plus position_gap (dropped: the real reply's gap is 0 by construction)": FEATURES,
    "without mapped": tuple(f for f in RANKED if f != "mapped"),
    "without neighbour features": tuple(f for f in RANKED if not f.startswith("neighbour")),
    "without persona_style and own_repeat": tuple(
        f for f in RANKED if f not in ("persona_style", "own_repeat")
    ),
    "mapped only": ("mapped",),
}
_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*")


def half_of(dialogue: str) -> str:
    digest = hashlib.sha256(f"{SEED}:{dialogue}".encode()).digest()
    return "fit" if digest[0] % 2 == 0 else "report"


def cached_encoder(conversations: list[Conversation]) -> Callable[[list[str]], np.ndarray]:
    """MiniLM vectors of the corpus's texts, computed once and kept on disk between runs."""
    from corpora import corpus_embeddings

    known: dict[str, np.ndarray] = {}
    embeddings = corpus_embeddings(conversations)
    for conv in conversations:
        for seg, vector in zip(conv.call.segments, embeddings[conv.call.external_id], strict=True):
            known[seg.text.strip()] = vector

    def encode(texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            known.update(zip(missing, shared_model().encode_cached(missing), strict=True))
        return np.stack([known[t] for t in texts])

    return encode


@dataclass
class Half:
    """One half of a corpus as a reply index, with each query's dialogue and labels."""

    index: ReplyIndex
    dialogues: list[DialogueVectors]
    labels: list[set[str]]  # human labels of each reply (empty when unannotated)
    annotated: np.ndarray  # bool per reply
    similarities: np.ndarray  # reply x reply


def build_half(
    conversations: list[Conversation],
    encode: Callable[[list[str]], np.ndarray],
    reply_as: SpeakerRole,
) -> Half:
    dialogue_of = {c.call.external_id: c.dialogue for c in conversations}
    calls: list[Call] = [c.call for c in conversations]
    index = build_reply_index(
        calls,
        encode,
        reply_as,
        outcomes={c.call.external_id: c.won for c in conversations if c.won is not None},
        conversation_of=lambda call: dialogue_of[call.external_id],
    )
    raw = {c.call.external_id: c.raw for c in conversations}
    dialogues, labels, annotated = [], [], []
    for row, cand in enumerate(index.candidates):
        own = encode(list(cand.earlier_own)) if cand.earlier_own else np.zeros((0, 384))
        dialogues.append(
            DialogueVectors(
                prompt=index.prompts[row],
                context=index.contexts[row],
                concern=index.previous_own[row],
                own=np.asarray(own, dtype=np.float32),
                position=int(index.positions[row]),
            )
        )
        notes = raw[cand.call_id].get("annotations") or {}
        turn_labels = notes.get("turn_labels") or []
        labels.append(set(turn_labels[cand.segments[0]]) if turn_labels else set())
        annotated.append(bool(turn_labels) and any(turn_labels))
    return Half(
        index,
        dialogues,
        labels,
        np.array(annotated, dtype=bool),
        index.replies @ index.replies.T,
    )


def draw_candidates(half: Half, rng: np.random.Generator, among: np.ndarray) -> list[np.ndarray]:
    """Per query: [the real reply, 9 replies of other dialogues drawn from `among`]."""
    codes = half.index.conversation_codes
    result = []
    for row in range(len(half.index)):
        pool = among[codes[among] != codes[row]]
        result.append(np.concatenate([[row], rng.choice(pool, CANDIDATES - 1, replace=False)]))
    return result


def features_for(
    half: Half, queries: list[int], cands: list[np.ndarray], maps: list[ReplyMap]
) -> np.ndarray:
    rows = []
    for query, candidates, reply_map in zip(queries, cands, maps, strict=True):
        code = half.index.conversation_codes[query]
        neighbours = nearest_replies(
            half.index,
            candidates,
            NEIGHBOURS,
            excluded_codes=np.array([code]),
            similarities=half.similarities[candidates],
        )
        rows.append(
            candidate_features(half.index, candidates, half.dialogues[query], neighbours, reply_map)
        )
    return np.stack(rows)  # queries x candidates x features


def recall(scores: np.ndarray) -> dict[str, float]:
    """scores: queries x candidates, the real reply in column 0; ties shared in expectation."""
    positive = scores[:, :1]
    greater = (scores[:, 1:] > positive).sum(axis=1)
    ties = (scores[:, 1:] == positive).sum(axis=1)
    at = {k: np.clip(k - greater, 0, ties + 1) / (ties + 1) for k in (1, 3)}
    return {"recall@1": round(float(at[1].mean()), 4), "recall@3": round(float(at[3].mean()), 4)}


def ridge_alpha_by_cross_fitting(
    half: Half, cands: list[np.ndarray], folds: np.ndarray
) -> tuple[float, list[ReplyMap], dict[str, float]]:
    inputs = map_inputs(half.index, np.arange(len(half.index)))
    tried: dict[str, float] = {}
    best: tuple[float, float, list[ReplyMap]] | None = None
    grams = [inputs[folds == k].T @ inputs[folds == k] for k in range(FOLDS)]
    crosses = [inputs[folds == k].T @ half.index.replies[folds == k] for k in range(FOLDS)]
    gram, cross = sum(grams), sum(crosses)
    for alpha in RIDGE_ALPHAS:
        maps = [ReplyMap.solve(gram - grams[k], cross - crosses[k], alpha) for k in range(FOLDS)]
        predicted = np.zeros_like(half.index.replies)
        for k in range(FOLDS):
            predicted[folds == k] = maps[k].predict(inputs[folds == k].astype(np.float32))
        scores = np.stack([half.index.replies[c] @ predicted[q] for q, c in enumerate(cands)])
        tried[str(alpha)] = recall(scores)["recall@1"]
        if best is None or tried[str(alpha)] > best[0]:
            best = (tried[str(alpha)], alpha, maps)
    assert best is not None
    return best[1], [best[2][folds[q]] for q in range(len(half.index))], tried


def capitalised_words(text: str) -> set[str]:
    words = set()
    for match in _WORD.finditer(text):
        before = text[: match.start()].rstrip()
        if (
            match.group()[0].isupper()
            and before
            and before[-1] not in ".!?"
            and match.group() != "I"
        ):
            words.add(match.group().lower())
    return words


@dataclass
class CorpusRun:
    corpus: Corpus
    fit: Half
    report: Half
    fit_features: np.ndarray
    report_features: np.ndarray
    report_cands: list[np.ndarray]
    report_maps: list[ReplyMap]
    alpha: float
    alpha_tried: dict[str, float]
    tfidf: TfidfVectorizer
    conversations: list[Conversation]


def prepare(corpus: Corpus, reply_as: SpeakerRole, limit: int | None) -> CorpusRun:
    conversations = load_conversations(corpus, annotated_only=False)
    if limit:  # a quick smoke run on the first dialogues (figures not comparable)
        keep = set(list(dict.fromkeys(c.dialogue for c in conversations))[:limit])
        conversations = [c for c in conversations if c.dialogue in keep]
    encode = cached_encoder(conversations)
    halves = {
        name: build_half(
            [c for c in conversations if half_of(c.dialogue) == name], encode, reply_as
        )
        for name in ("fit", "report")
    }
    fit, report = halves["fit"], halves["report"]
    rng = np.random.default_rng(SEED)
    fit_cands = draw_candidates(fit, rng, np.arange(len(fit.index)))
    folds = np.array(
        [int(hashlib.sha256(c.encode()).hexdigest(), 16) % FOLDS for c in fit.index.conversations]
    )[fit.index.conversation_codes]
    alpha, fit_maps, tried = ridge_alpha_by_cross_fitting(fit, fit_cands, folds)
    fit_features = features_for(fit, list(range(len(fit.index))), fit_cands, fit_maps)
    report_map = ReplyMap.fit_index(fit.index, alpha)
    report_cands = draw_candidates(report, rng, np.arange(len(report.index)))
    report_maps = [report_map] * len(report.index)
    report_features = features_for(
        report, list(range(len(report.index))), report_cands, report_maps
    )
    tfidf = TfidfVectorizer(sublinear_tf=True).fit(
        [c.text for c in fit.index.candidates] + [c.prompt for c in fit.index.candidates]
    )
    return CorpusRun(
        corpus,
        fit,
        report,
        fit_features,
        report_features,
        report_cands,
        report_maps,
        alpha,
        tried,
        tfidf,
        conversations,
    )


def fit_on(
    runs: list[CorpusRun], columns: tuple[str, ...], provenance: dict[str, str], alpha: float
) -> RankingParameters:
    features = np.concatenate([r.fit_features.reshape(-1, len(FEATURES)) for r in runs])
    labels = np.concatenate(
        [np.tile(np.arange(CANDIDATES) == 0, len(r.fit_features)) for r in runs]
    )
    return fit_ranking(features, labels, alpha, provenance, columns)


def ranked(params: RankingParameters, features: np.ndarray) -> np.ndarray:
    flat = params.score(features.reshape(-1, len(FEATURES)))
    return flat.reshape(features.shape[:2])


def tfidf_scores(run: CorpusRun) -> np.ndarray:
    index = run.report.index
    prompts = run.tfidf.transform([c.prompt for c in index.candidates])
    replies = run.tfidf.transform([c.text for c in index.candidates])
    return np.stack(
        [
            (replies[cands] @ prompts[q].T).toarray().ravel()
            for q, cands in enumerate(run.report_cands)
        ]
    )


def consistency(run: CorpusRun, scores: np.ndarray, checks: bool = True) -> dict[str, Any]:
    """Top picks before/after the engine's name and fact checks, on the report half."""
    index = run.report.index
    dialogue_text: dict[str, str] = {}
    spread: Counter[str] = Counter()
    for conv in run.conversations:
        text = " ".join(s.text for s in conv.call.segments)
        dialogue_text[conv.dialogue] = dialogue_text.get(conv.dialogue, "") + " " + text
    for text in dialogue_text.values():
        spread.update({w.lower() for w in _WORD.findall(text)})

    def leaks(row: int, query: int) -> bool:
        held_out = dialogue_text[index.candidates[query].conversation].lower()
        return any(
            spread[w] <= 2 and not re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", held_out)
            for w in capitalised_words(index.candidates[row].text)
        )

    before = {"leak": 0, "contradiction": 0}
    after = {"leak": 0, "contradiction": 0, "real_reply_first": 0.0, "no_reply": 0}
    refused_words: Counter[str] = Counter()
    excluded = Counter()
    for query, cands in enumerate(run.report_cands):
        cand = index.candidates[query]
        stated = list(cand.earlier_own)
        order = np.argsort(-scores[query], kind="stable")
        top = int(cands[order[0]])
        before["leak"] += leaks(top, query)
        before["contradiction"] += bool(contradicted(index.candidates[top].text, stated))
        if not checks:
            continue
        scene = SceneNames(allowed_text=dialogue_text[cand.conversation])
        chosen = None
        for position in order:
            row = int(cands[position])
            if contradicted(index.candidates[row].text, stated):
                excluded["contradicts a number"] += 1
                continue
            adapted = adapt_names(index.candidates[row].text, index.names, scene, cand.conversation)
            if adapted.text is None:
                excluded["names another conversation"] += 1
                refused_words.update(adapted.refused)
                continue
            chosen = row
            break
        if chosen is None:
            after["no_reply"] += 1
            continue
        after["leak"] += leaks(chosen, query)
        after["contradiction"] += bool(contradicted(index.candidates[chosen].text, stated))
        after["real_reply_first"] += chosen == query
    n = len(run.report_cands)
    return {
        "top_pick_mentions_other_dialogue_names": round(before["leak"] / n, 4),
        "top_pick_contradicts_stated_number": round(before["contradiction"] / n, 4),
        "after_checks_mentions_other_dialogue_names": round(after["leak"] / n, 4),
        "after_checks_contradicts_stated_number": round(after["contradiction"] / n, 4),
        "after_checks_recall@1": round(after["real_reply_first"] / n, 4),
        "after_checks_no_reply": after["no_reply"],
        "candidates_excluded_per_query": {k: round(v / n, 3) for k, v in excluded.items()},
        "most_refused_words": refused_words.most_common(15),
    }


def difficulty(run: CorpusRun, params: RankingParameters) -> dict[str, Any]:
    resist, concede = RESIST_LABELS[run.corpus.name], CONCEDE_LABELS[run.corpus.name]
    direction = ResistanceDirection.fit(run.fit.index)
    if direction is None:
        return {"available": False}
    report = run.report
    score = direction.score(report.index.replies)
    is_resist = np.array([bool(lab & resist) and not lab & concede for lab in report.labels])
    is_concede = np.array([bool(lab & concede) and not lab & resist for lab in report.labels])
    auc = roc_auc_score(
        np.r_[np.ones(is_resist.sum()), np.zeros(is_concede.sum())],
        np.r_[score[is_resist], score[is_concede]],
    )
    rng = np.random.default_rng(SEED + 1)
    annotated = np.flatnonzero(report.annotated)
    queries = [int(q) for q in annotated]
    cands = [
        np.concatenate(
            [
                [q],
                rng.choice(
                    annotated[
                        report.index.conversation_codes[annotated]
                        != report.index.conversation_codes[q]
                    ],
                    CANDIDATES - 1,
                    replace=False,
                ),
            ]
        )
        for q in queries
    ]
    features = features_for(report, queries, cands, [run.report_maps[0]] * len(queries))
    relevance = ranked(params, features)
    levels: dict[str, Any] = {}
    for level in (1, 2, 3):
        adjusted = np.stack(
            [
                difficulty_adjusted(relevance[i], score[c], level, DIFFICULTY_STEP)
                for i, c in enumerate(cands)
            ]
        )
        picks = [int(c[np.argmax(adjusted[i])]) for i, c in enumerate(cands)]
        levels[str(level)] = {
            "top_pick_pushes_back": round(float(is_resist[picks].mean()), 4),
            "top_pick_concedes": round(float(is_concede[picks].mean()), 4),
            **recall(adjusted),
        }
    return {
        "available": True,
        "direction_fitted_on": f"outcomes of the fit half ({direction.conversations_won} won, {direction.conversations_lost} lost dialogues)",
        "labels_used_to_measure": {"pushes back": sorted(resist), "concedes": sorted(concede)},
        "resistance_auc_push_back_vs_concede": round(float(auc), 4),
        "labelled_replies": {
            "pushes_back": int(is_resist.sum()),
            "concedes": int(is_concede.sum()),
        },
        "queries": len(queries),
        "per_difficulty": levels,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--limit", type=int, help="only the first N dialogues (smoke run)")
    parser.add_argument(
        "--roles", nargs="+", default=["prospect", "rep"], choices=["prospect", "rep"]
    )
    args = parser.parse_args()
    started = time.perf_counter()
    results: dict[str, Any] = {
        "command": "python bench/practice.py",
        "seed": SEED,
        "candidates": CANDIDATES,
        "split": "dialogues split in halves by sha256(seed:dialogue id); fit on the fit half, every figure on the report half",
        "chance": {"recall@1": 0.1, "recall@3": 0.3},
        "machine": "2 shared cores; not a timing benchmark",
    }
    for role in [SpeakerRole(r) for r in args.roles]:
        runs = {name: prepare(corpus, role, args.limit) for name, corpus in CORPORA.items()}
        alpha = float(np.median([r.alpha for r in runs.values()]))
        provenance = {
            "weights": f"logistic regression (C=1) on the fit halves of {', '.join(runs)} ({role} replies), bench/practice.py seed {SEED}",
            "ridge_alpha": f"median of the per-corpus alphas chosen by 5-fold cross-fitted recall@1 on the fit halves: {[r.alpha for r in runs.values()]}",
        }
        shipped = fit_on(list(runs.values()), RANKED, provenance, alpha)
        section: dict[str, Any] = {}
        if role is SpeakerRole.PROSPECT:
            results["parameters"] = {**shipped.as_json(), "provenance": provenance}
        else:
            # A persona of a rep ranks with the prospect ranker's shipped numbers.
            shipped = DEFAULT_PARAMETERS
        for name, run in runs.items():
            other = next(r for n, r in runs.items() if n != name)
            own = fit_on([run], RANKED, {}, run.alpha)
            baseline = tfidf_scores(run)
            figures: dict[str, Any] = {
                "queries": len(run.report.index),
                "fit_half_queries": len(run.fit.index),
                "ridge_alpha_cross_fitted_recall@1": run.alpha_tried,
                "model (shipped: fit halves of both corpora)": recall(
                    ranked(shipped, run.report_features)
                ),
                "model fitted on this corpus's fit half": recall(ranked(own, run.report_features)),
                f"model fitted on {other.corpus.name}'s fit half only": recall(
                    ranked(fit_on([other], RANKED, {}, other.alpha), run.report_features)
                ),
                "baseline: TF-IDF cosine (rep turn, reply)": recall(baseline),
                "baseline: MiniLM cosine (rep turn, reply)": recall(
                    run.report_features[:, :, FEATURES.index("reply_prompt")]
                ),
                "chance": {"recall@1": 0.1, "recall@3": 0.3},
                "ablations (fitted on this corpus's fit half)": {
                    label: recall(ranked(fit_on([run], cols, {}, run.alpha), run.report_features))
                    for label, cols in ABLATIONS.items()
                },
            }
            if role is SpeakerRole.PROSPECT:
                figures["consistency (shipped model)"] = consistency(
                    run, ranked(shipped, run.report_features)
                )
                figures["consistency (TF-IDF baseline, before checks)"] = {
                    "top_pick_mentions_other_dialogue_names": consistency(run, baseline, False)[
                        "top_pick_mentions_other_dialogue_names"
                    ]
                }
                figures["difficulty"] = difficulty(run, shipped)
            section[name] = figures
            print(f"\n{role} replies, {name}: {len(run.report.index)} report queries")
            for label, value in figures.items():
                if isinstance(value, dict) and "recall@1" in value:
                    print(f"  {label:55s} R@1 {value['recall@1']:.3f}  R@3 {value['recall@3']:.3f}")
        results["prospect" if role is SpeakerRole.PROSPECT else "rep persona"] = section
        results["seconds"] = round(time.perf_counter() - started, 1)
        args.output.write_text(json.dumps(results, indent=2) + "\n")  # after each role
    results["seconds"] = round(time.perf_counter() - started, 1)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {args.output}")


if __name__ == "__main__":
    main()
