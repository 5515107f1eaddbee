"""The two annotated bench corpora, their rubrics, and which human labels each criterion means.

The mapping from rubric criteria to human strategy labels lives here, in the bench, not in the
product: the scorer never sees these labels. Only turns of the rep (the persuader, or the
negotiator whose perspective the record takes) count.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from callcoach.domain.calls import Call, Segment, SpeakerRole
from callcoach.domain.rubric import Rubric, check_rubric
from callcoach.scoring.embedding_model import shared_model

BENCH = Path(__file__).resolve().parent
# ../shared/data beside the checkout; a git worktree elsewhere names it in CALLCOACH_BENCH_DATA.
DATA = Path(os.environ.get("CALLCOACH_BENCH_DATA") or BENCH.parent.parent / "shared" / "data")
CACHE = Path("/tmp/callcoach-bench-cache")

# PersuasionForGood: persuadee acts that make the persuader's next turn a response to hesitation.
P4G_OBJECTIONS = frozenset(
    {"negative-reaction-to-donation", "disagree-donation", "disagree-donation-more"}
)


@dataclass(frozen=True)
class CriterionLabels:
    """Human labels that mean the criterion is shown on a rep turn.

    `on_turn`: labels of the rep turn itself. `after`: labels of the other party's turn just
    before (objection handling is a reply to an objection, whatever the reply's own labels).
    """

    on_turn: frozenset[str] = frozenset()
    after: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Corpus:
    name: str
    file: str
    rubric_file: str
    labels: dict[str, CriterionLabels]
    dialogue_key: str  # annotation meta key naming the dialogue (CaSiNo: 2 records per dialogue)


PERSUASION = Corpus(
    name="persuasionforgood",
    file="persuasionforgood-dev.jsonl",
    rubric_file="persuasion.yaml",
    labels={
        "discovery": CriterionLabels(
            frozenset(
                {"personal-related-inquiry", "task-related-inquiry", "source-related-inquiry"}
            )
        ),
        "credibility": CriterionLabels(frozenset({"credibility-appeal"})),
        "value_appeal": CriterionLabels(
            frozenset({"logical-appeal", "emotion-appeal", "personal-story"})
        ),
        "close_attempt": CriterionLabels(
            frozenset(
                {
                    "proposition-of-donation",
                    "ask-donation-amount",
                    "foot-in-the-door",
                    "ask-donate-more",
                }
            )
        ),
        "objection_handling": CriterionLabels(after=P4G_OBJECTIONS),
    },
    dialogue_key="dialogue_id",
)

NEGOTIATION = Corpus(
    name="casino",
    file="casino.jsonl",
    rubric_file="negotiation.yaml",
    labels={
        "rapport": CriterionLabels(frozenset({"small-talk", "showing-empathy"})),
        "discovery": CriterionLabels(frozenset({"elicit-pref"})),
        "own_case": CriterionLabels(frozenset({"self-need", "other-need"})),
        "collaboration": CriterionLabels(frozenset({"promote-coordination", "vouch-fair"})),
        "downplaying": CriterionLabels(frozenset({"no-need"})),
    },
    dialogue_key="dialogue_id",
)

CORPORA = {c.name: c for c in (PERSUASION, NEGOTIATION)}


@dataclass
class Conversation:
    """One annotated record: the raw JSON, the call as the scorer sees it, and the truth."""

    raw: dict[str, Any]
    call: Call
    dialogue: str
    won: bool | None
    truth: dict[str, set[int]] = field(default_factory=dict)  # criterion -> labelled rep turns


def load_rubric(corpus: Corpus) -> Rubric:
    import yaml

    check = check_rubric(yaml.safe_load((BENCH / "rubrics" / corpus.rubric_file).read_text()))
    if check.rubric is None:
        raise SystemExit(f"bench rubric {corpus.rubric_file} is invalid: {check.errors}")
    return check.rubric


def _to_call(raw: dict[str, Any]) -> Call:
    rep = raw["rep_speaker"]
    return Call(
        external_id=raw["call_id"],
        segments=[
            Segment(
                index=i,
                speaker=t["speaker"],
                role=SpeakerRole.REP if t["speaker"] == rep else SpeakerRole.PROSPECT,
                text=t["text"],
                start=t.get("start"),
                end=t.get("end"),
            )
            for i, t in enumerate(raw["turns"])
        ],
    )


def truth_of(raw: dict[str, Any], corpus: Corpus) -> dict[str, set[int]]:
    labels = raw["annotations"]["turn_labels"]
    rep = raw["rep_speaker"]
    turns = raw["turns"]
    truth: dict[str, set[int]] = {cid: set() for cid in corpus.labels}
    for i, turn in enumerate(turns):
        if turn["speaker"] != rep:
            continue
        before = next((j for j in range(i - 1, -1, -1) if turns[j]["speaker"] != rep), None)
        for cid, wanted in corpus.labels.items():
            if wanted.on_turn & set(labels[i]) or (
                before is not None and wanted.after & set(labels[before])
            ):
                truth[cid].add(i)
    return truth


def is_annotated(raw: dict[str, Any]) -> bool:
    annotations = raw.get("annotations") or {}
    labels = annotations.get("turn_labels")
    return bool(labels) and any(labels)


def load_conversations(corpus: Corpus, annotated_only: bool = True) -> list[Conversation]:
    result = []
    with (DATA / corpus.file).open(encoding="utf-8") as handle:
        for line in handle:
            raw = json.loads(line)
            annotated = is_annotated(raw)
            if annotated_only and not annotated:
                continue
            meta = (raw.get("annotations") or {}).get("meta") or {}
            result.append(
                Conversation(
                    raw=raw,
                    call=_to_call(raw),
                    dialogue=str(meta.get(corpus.dialogue_key, raw["call_id"])),
                    won=(raw.get("outcome") or {}).get("won"),
                    truth=truth_of(raw, corpus) if annotated else {},
                )
            )
    return result


def corpus_embeddings(conversations: list[Conversation]) -> dict[str, np.ndarray]:
    """Segment embeddings per call, cached on disk between bench runs (same texts, same file)."""
    texts = sorted({s.text for c in conversations for s in c.call.segments})
    digest = hashlib.sha256("\x1e".join(texts).encode()).hexdigest()[:16]
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"{digest}.npy"
    if path.exists():
        matrix = np.load(path)
    else:
        matrix = shared_model().encode(texts)
        np.save(path, matrix)
    row = {t: i for i, t in enumerate(texts)}
    return {
        c.call.external_id: matrix[[row[s.text] for s in c.call.segments]] for c in conversations
    }
