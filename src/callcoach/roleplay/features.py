"""What the ranker sees about one candidate reply, given the dialogue so far.

The ranker never looks at a candidate's own origin (its own prompt, context or conversation):
in the benchmark the true next turn's origin IS the dialogue being answered, so any such feature
would find it trivially. Where the rule "replies that answered turns like this one" needs the
origin, it is asked of the candidate's neighbours instead: the replies most like this candidate
in OTHER conversations, and how much the turns they answered resemble the turn being answered
(a kernel estimate). Retrieval (`retrieve`) is where a candidate's own prompt counts.

Features, each a cosine of unit vectors unless said otherwise:

- reply_prompt: the reply against the turn it would answer;
- mapped: the reply against a learned prediction of the reply from (turn, context, concern):
  a ridge map fitted on the index's own (prompt -> reply) pairs (`ReplyMap`);
- neighbour_prompt / neighbour_context: the mean similarity of the turn being answered (and of
  its context) to the prompts (contexts) that the candidate's nearest replies answered;
- reply_concern: the reply against the scenario's concern;
- persona_style / own_repeat: the reply against the mean / the closest of the persona's own
  earlier lines (people sound like themselves, and rarely say the same thing twice);
- reply_context: the reply against the dialogue's recent context;
- position_gap: |log(1 + candidate position) - log(1 + position being answered)|;
- reply_length: log(1 + words).

`RANKED` is what the shipped ranker uses: position_gap is computed but left out, because in the
benchmark the real reply's position is by construction the one being answered (its gap is
exactly 0), which lifts recall@1 from about 0.4 to about 0.8 without saying anything about the
words; bench/practice.py reports it as an ablation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from callcoach.roleplay.index import ReplyIndex, mean_direction

FEATURES = (
    "reply_prompt",
    "mapped",
    "neighbour_prompt",
    "neighbour_context",
    "reply_concern",
    "persona_style",
    "own_repeat",
    "reply_context",
    "position_gap",
    "reply_length",
)
RANKED = tuple(f for f in FEATURES if f != "position_gap")


@dataclass(frozen=True)
class DialogueVectors:
    """The dialogue at the moment a reply is wanted, encoded."""

    prompt: np.ndarray  # the turn to answer
    context: np.ndarray  # mean direction of the turns before it (zeros when none)
    concern: np.ndarray  # the scenario's concern (zeros when none)
    own: np.ndarray  # the persona's earlier lines, one row each (may be empty)
    position: int  # the reply's position among the conversation's turns

    def map_input(self) -> np.ndarray:
        return np.concatenate([self.prompt, self.context, self.concern])


@dataclass(frozen=True)
class ReplyMap:
    """A ridge map from (prompt, context, concern) to the reply's embedding."""

    weights: np.ndarray  # (3d, d)

    @classmethod
    def fit(cls, inputs: np.ndarray, replies: np.ndarray, alpha: float) -> ReplyMap:
        return cls.solve(inputs.T @ inputs, inputs.T.astype(np.float64) @ replies, alpha)

    @classmethod
    def solve(cls, gram: np.ndarray, cross: np.ndarray, alpha: float) -> ReplyMap:
        """From X'X and X'Y (so cross-fitting can reuse them across folds and alphas)."""
        weights = np.linalg.solve(gram + alpha * np.eye(len(gram), dtype=np.float64), cross)
        return cls(np.asarray(weights, dtype=np.float32))

    @classmethod
    def fit_index(cls, index: ReplyIndex, alpha: float, rows: np.ndarray | None = None) -> ReplyMap:
        chosen = np.arange(len(index)) if rows is None else rows
        return cls.fit(map_inputs(index, chosen), index.replies[chosen], alpha)

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        predicted = inputs @ self.weights
        norms = np.linalg.norm(predicted, axis=-1, keepdims=True)
        return np.asarray(predicted / np.maximum(norms, 1e-12), dtype=np.float32)


def map_inputs(index: ReplyIndex, rows: np.ndarray) -> np.ndarray:
    """The ReplyMap inputs of indexed replies: their own prompt, context and previous line."""
    return np.concatenate(
        [index.prompts[rows], index.contexts[rows], index.previous_own[rows]], axis=1
    ).astype(np.float64)


def nearest_replies(
    index: ReplyIndex,
    rows: np.ndarray,
    count: int,
    excluded_codes: np.ndarray | None = None,
    similarities: np.ndarray | None = None,
) -> np.ndarray:
    """For each candidate row, its `count` most similar replies from other conversations.

    Rows of the candidate's own conversation and of `excluded_codes` never count. -1 pads
    when fewer are left. `similarities`: the rows' similarities to every reply, when the caller
    has them already (the benchmark computes them once for all queries).
    """
    sims = (
        np.array(similarities, dtype=np.float32, copy=True)
        if similarities is not None
        else index.replies[rows] @ index.replies.T
    )
    sims[index.conversation_codes[rows][:, None] == index.conversation_codes[None, :]] = -np.inf
    if excluded_codes is not None and len(excluded_codes):
        sims[:, np.isin(index.conversation_codes, excluded_codes)] = -np.inf
    count = min(count, sims.shape[1])
    if count == 0:
        return np.full((len(rows), 0), -1, dtype=np.int64)
    top = np.argpartition(-sims, count - 1, axis=1)[:, :count]
    top = np.where(np.take_along_axis(sims, top, axis=1) == -np.inf, -1, top)
    return np.asarray(top, dtype=np.int64)


def _neighbour_mean(matrix: np.ndarray, neighbours: np.ndarray, vector: np.ndarray) -> np.ndarray:
    if neighbours.shape[1] == 0:
        return np.zeros(len(neighbours), dtype=np.float32)
    sims = matrix @ vector
    valid = neighbours >= 0
    values = np.where(valid, sims[np.maximum(neighbours, 0)], 0.0)
    return np.asarray(values.sum(axis=1) / np.maximum(valid.sum(axis=1), 1), dtype=np.float32)


def candidate_features(
    index: ReplyIndex,
    rows: np.ndarray,
    dialogue: DialogueVectors,
    neighbours: np.ndarray,
    reply_map: ReplyMap,
) -> np.ndarray:
    """One row of FEATURES per candidate row; `neighbours` from `nearest_replies`."""
    replies = index.replies[rows]
    mapped = reply_map.predict(dialogue.map_input()[None, :].astype(np.float32))[0]
    if len(dialogue.own):
        own_sims = replies @ dialogue.own.T
        style = replies @ mean_direction(dialogue.own)
        repeat = own_sims.max(axis=1)
    else:
        style = repeat = np.zeros(len(rows), dtype=np.float32)
    words = np.array([len(index.candidates[r].text.split()) for r in rows], dtype=np.float32)
    columns = [
        replies @ dialogue.prompt,
        replies @ mapped,
        _neighbour_mean(index.prompts, neighbours, dialogue.prompt),
        _neighbour_mean(index.contexts, neighbours, dialogue.context),
        replies @ dialogue.concern,
        style,
        repeat,
        replies @ dialogue.context,
        np.abs(np.log1p(index.positions[rows]) - np.log1p(dialogue.position)),
        np.log1p(words),
    ]
    return np.stack([np.asarray(c, dtype=np.float32) for c in columns], axis=1)


def concern_match(index: ReplyIndex, concern: np.ndarray) -> np.ndarray:
    """Per candidate: how close its conversation's replier lines come to the concern."""
    best = np.full(len(index.conversations), -1.0, dtype=np.float32)
    if not np.any(concern) or len(index.concern_lines) == 0:
        return np.zeros(len(index), dtype=np.float32)
    sims = index.concern_lines @ concern
    known = index.concern_line_codes >= 0
    np.maximum.at(best, index.concern_line_codes[known], sims[known])
    return np.asarray(best[index.conversation_codes], dtype=np.float32)


def retrieve(
    index: ReplyIndex, dialogue: DialogueVectors, count: int, excluded_codes: np.ndarray
) -> np.ndarray:
    """The candidate rows worth ranking: replies to turns like this one, about this concern.

    Score: the similarity of the turn being answered to the turn each reply answered, plus
    how close the reply's conversation came to the scenario's concern (equal weights: a
    retrieval stage that only has to keep good replies in the top `count`).
    """
    score = index.prompts @ dialogue.prompt + concern_match(index, dialogue.concern)
    if len(excluded_codes):
        score[np.isin(index.conversation_codes, excluded_codes)] = -np.inf
    allowed = int(np.isfinite(score).sum())
    count = min(count, allowed)
    if count == 0:
        return np.zeros(0, dtype=np.int64)
    top = np.argpartition(-score, count - 1)[:count]
    return np.asarray(top[np.argsort(-score[top])], dtype=np.int64)
