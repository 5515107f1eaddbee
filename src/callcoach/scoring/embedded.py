"""The embedded scorer: offline, no key, any rubric, every level backed by verbatim quotes.

How a call is scored (details in docs/scoring.md):

1. Every segment is embedded once with the bundled MiniLM model (or the stored embeddings are
   reused); the rubric's anchors, examples and descriptions are embedded once per version.
2. Every rep turn gets, per criterion, the log-odds that it is a moment of the criterion: generic
   features (anchor contrast, fit relative to the other criteria, the other party's turn just
   before, dialogue-act cues compared with the criterion's examples) weighed by fixed zero-shot
   weights, then corrected by what people taught for that criterion (confirmed/rejected
   evidence, rated moments), and its rung on the criterion's level ladder (embedded_levels.py).
3. The level comes from how strongly and how often the criterion is shown and from the rung its
   strongest moments reach (calibration.py), through the mapping fitted on managers' ratings
   when there is one. The evidence is the strongest moments, each quoted at the sentence that
   carries it (embedded_quotes.py), with speaker, timing and where it falls in the call; the
   rationale quotes the anchor of the level given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import groupby
from typing import Any

import numpy as np

from callcoach.domain.calls import Call
from callcoach.domain.rubric import Criterion, Rubric
from callcoach.domain.scores import CallScore, CriterionScore, Evidence, ScoreStatus
from callcoach.scoring.base import RubricGuidance, ScoringRequest, unscorable_reason
from callcoach.scoring.calibration import (
    PRESENT,
    PRESENT_TAUGHT,
    EvidenceStrength,
    LevelMapping,
    ladder_level,
)
from callcoach.scoring.embedded_features import (
    DEFAULT_ZERO_SHOT,
    TurnBatch,
    ZeroShotWeights,
    call_turn_batch,
    texts_batch,
    turn_features,
    without,
    zero_shot_logit,
)
from callcoach.scoring.embedded_levels import call_quality, ladder_rungs
from callcoach.scoring.embedded_quotes import (
    Span,
    best_span,
    needs_split,
    quote_evidence,
    sentence_spans,
)
from callcoach.scoring.embedded_rationale import rationale, too_thin
from callcoach.scoring.embedded_rubric import PrototypeCache, RubricPrototypes
from callcoach.scoring.embedded_teaching import FittedTeaching, TeachingCache
from callcoach.scoring.embedding_model import EmbeddingModel, shared_model

MAX_EVIDENCE = 3
SECOND_EVIDENCE_RATIO = 0.8  # a further quote must be nearly as likely as the strongest
SENTENCE_SHARE = 0.5  # a long turn's log-odds: this share from its best sentence, the rest whole


@dataclass(frozen=True)
class TurnJudgement:
    """Per criterion: the rep turns judged, how likely each is a moment of it, and its rung."""

    segments: list[int]
    likelihood: np.ndarray
    rungs: np.ndarray | None = None  # ladder rung (1-5) of each turn
    logits: np.ndarray | None = None
    rated_rungs: int = 0  # managers' rated moments on the criterion's ladder
    present: float = PRESENT  # the likelihood from which a turn shows the criterion
    # Long turns: their sentences (spans) and each sentence's log-odds, to quote the best one.
    sentences: dict[int, tuple[list[Span], np.ndarray]] | None = None

    def ranked(self) -> list[tuple[int, float]]:
        order = sorted(range(len(self.segments)), key=lambda i: (-self.likelihood[i], i))
        return [(self.segments[i], float(self.likelihood[i])) for i in order]

    def rung_of(self, segment: int) -> float | None:
        if self.rungs is None:
            return None
        return float(self.rungs[self.segments.index(segment)])

    def strength(self) -> EvidenceStrength:
        if not self.segments:
            return EvidenceStrength(0.0, 0, present=self.present)
        quality = None
        if self.rungs is not None:
            logits = self.logits if self.logits is not None else _logit(self.likelihood)
            quality = call_quality(logits, self.rungs)
        return EvidenceStrength(
            strongest=float(self.likelihood.max()),
            shown=int((self.likelihood >= self.present).sum()),
            quality=quality,
            mass=float(self.likelihood.sum()),
            rated_rungs=self.rated_rungs,
            present=self.present,
        )

    def quote_span(self, call: Call, segment: int) -> Span | None:
        """The sentence(s) of a long turn that carry the criterion; None: quote it whole."""
        found = (self.sentences or {}).get(segment)
        if found is None:
            return None
        spans, logits = found
        return best_span(call.segments[segment].text, spans, logits)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -30, 30))), dtype=np.float32)


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    return np.asarray(np.log(q / (1 - q)), dtype=np.float32)


class EmbeddedScorer:
    name = "embedded"
    version = "2.2"

    def __init__(
        self,
        model_path: str | None = None,
        model: EmbeddingModel | None = None,
        disabled_features: frozenset[str] = frozenset(),
        backend: str | None = None,
        model_cache: str | None = None,
        zero_shot: ZeroShotWeights = DEFAULT_ZERO_SHOT,
        reads_replies: bool = False,
        precision: str | None = None,
    ) -> None:
        """`disabled_features` (groups of embedded_features.FEATURE_GROUPS) is for ablations,
        `zero_shot` for weights fitted elsewhere (the bench fits them on the other corpus),
        `reads_replies` lets the teaching models read the other party's next turn too;
        `backend`, `model_cache` and `precision` choose how the embedding model runs
        (embedding_model.py)."""
        self._model = model or shared_model(model_path, backend, model_cache, precision)
        self._disabled = frozenset(disabled_features)
        self._prototypes = PrototypeCache()
        self._zero_shot = zero_shot
        self._teaching = TeachingCache(
            disabled=self._disabled, zero_shot=zero_shot, reads_replies=reads_replies
        )
        self._reads_replies = reads_replies
        # A criterion's ladder with its rated moments, stacked once per fitted teaching (not per
        # batch: the rated moments of a taught rubric run to thousands of rows).
        self._ladders: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}

    @property
    def embedding_model(self) -> str | None:
        return self._model.name

    def embed(self, call: Call) -> np.ndarray | None:
        """One row per segment, then one per sentence of each long rep turn (the quotable
        sentences, in order): stored, they spare a re-score any encoding at all."""
        # Cached per text: stock phrases and back-channels repeat across calls.
        texts = [s.text for s in call.segments] + _sentence_texts(call)
        return self._model.encode_cached(texts)

    def remember_embeddings(self, call: Call, embeddings: np.ndarray) -> None:
        """Stored embeddings of a call: its texts need not be encoded again in this process."""
        self._segment_rows(call, embeddings)

    def _segment_rows(self, call: Call, stored: np.ndarray | None) -> np.ndarray | None:
        """The segment rows of a stored matrix (its sentence rows go to the text cache), or
        None when it does not fit the call."""
        count = len(call.segments)
        if stored is None or stored.ndim != 2 or stored.shape[0] < count:
            return None
        rows = np.asarray(stored, dtype=np.float32)
        texts = [s.text for s in call.segments]
        if rows.shape[0] > count:
            sentences = _sentence_texts(call)
            if len(sentences) == rows.shape[0] - count:  # else: split by other rules, ignored
                texts += sentences
            rows = rows[: len(texts)]
        self._model.remember(texts, rows)
        return rows[:count]

    def prepare(self, rubric: Rubric, guidance: RubricGuidance | None) -> None:
        """Encode the rubric and fit what people taught, once, before a run scores its calls."""
        prototypes = self._prototypes.get(rubric, self._model)
        self._teaching.get(guidance, prototypes, self._model)

    def export_prepared(self) -> dict[str, Any]:
        """What `prepare` built, for worker processes (picklable numpy arrays and dataclasses)."""
        return {"prototypes": self._prototypes.items(), "teaching": self._teaching.items()}

    def adopt_prepared(self, prepared: dict[str, Any]) -> None:
        self._prototypes.adopt(prepared.get("prototypes") or {})
        self._teaching.adopt(prepared.get("teaching") or {})

    def _embeddings(self, call: Call, stored: np.ndarray | None) -> np.ndarray:
        """The segment rows: from the stored matrix when it fits the call, else encoded now."""
        rows = self._segment_rows(call, stored)
        if rows is not None:
            return rows
        embedded = self.embed(call)
        assert embedded is not None
        return embedded[: len(call.segments)]

    def _judge_batch(
        self,
        batch: TurnBatch,
        prototypes: RubricPrototypes,
        teaching: FittedTeaching,
        criteria: list[str],
        adjust: dict[str, Callable[[np.ndarray], np.ndarray]] | None = None,
        with_rungs: bool = True,
    ) -> dict[str, tuple[np.ndarray, np.ndarray, int, float]]:
        """Log-odds and ladder rungs of every row of `batch`, per criterion, with how many of
        the ladder's texts are rated moments and the presence bar for its log-odds.

        `adjust[criterion]` changes the log-odds before turns people judged get their verdict.
        """
        features = turn_features(batch, prototypes)
        similarities = (
            teaching.reference.similarities(batch.vectors, batch.contexts, batch.replies)
            if teaching.criteria
            else ()
        )
        words = teaching.reference.word_columns(batch) if teaching.criteria else None
        result: dict[str, tuple[np.ndarray, np.ndarray, int, float]] = {}
        for cid in criteria:
            own = without(features[cid], self._disabled, self._zero_shot)
            logits = zero_shot_logit(own, self._zero_shot)
            change = (adjust or {}).get(cid)
            proto = prototypes.criteria[cid]
            ladder, levels = proto.ladder, proto.ladder_levels
            taught = teaching.criteria.get(cid)
            if taught is not None:
                logits = taught.logits(
                    similarities,
                    batch.vectors,
                    batch.contexts,
                    own,
                    logits,
                    batch.positions,
                    change,
                    words,
                    batch.replies,
                )
                if len(taught.ladder):
                    ladder, levels = self._taught_ladder(cid, proto, taught)
            elif change is not None:
                logits = change(logits)
            rated = len(taught.ladder) if taught is not None else 0
            present = PRESENT_TAUGHT if taught is not None and taught.model is not None else PRESENT
            rungs = (
                ladder_rungs(batch.vectors, ladder, levels)
                if with_rungs
                else np.zeros(0, dtype=np.float32)
            )
            result[cid] = (logits, rungs, rated, present)
        return result

    def _taught_ladder(self, cid: str, proto: Any, taught: Any) -> tuple[np.ndarray, np.ndarray]:
        """The rubric's ladder for `cid` followed by the rated moments' rungs, built once for
        these prototypes and this teaching."""
        kept = self._ladders.get(cid)
        if kept is not None and kept[0] is proto.ladder and kept[1] is taught.ladder:
            return kept[2], kept[3]
        ladder = np.vstack([proto.ladder, taught.ladder])
        levels = np.concatenate([proto.ladder_levels, taught.ladder_levels])
        self._ladders[cid] = (proto.ladder, taught.ladder, ladder, levels)
        return ladder, levels

    def judge_turns(
        self,
        call: Call,
        rubric: Rubric,
        embeddings: np.ndarray | None = None,
        guidance: RubricGuidance | None = None,
    ) -> dict[str, TurnJudgement]:
        """Per criterion, how likely each rep turn is a moment of it, and its ladder rung.

        A long turn is judged whole and sentence by sentence: one sentence of a long pitch is
        often the whole moment ("we are rated four stars by Charity Navigator"), and a mean of
        the two log-odds keeps what the rest of the turn says about it.
        """
        vectors = self._embeddings(call, embeddings)
        reps = [s.index for s in call.rep_segments]
        if not reps:
            empty = np.zeros(0, np.float32)
            return {c.id: TurnJudgement([], empty, empty, empty) for c in rubric.criteria}
        prototypes = self._prototypes.get(rubric, self._model)
        teaching = self._teaching.get(guidance, prototypes, self._model)
        criteria = list(rubric.criterion_ids)
        batch = call_turn_batch(call, vectors, reps, self._reads_replies)
        where = {seg: i for i, seg in enumerate(reps)}
        rows = _sentence_rows(call)
        by_sentence = self._judge_sentences(
            call, batch, where, rows, prototypes, teaching, criteria
        )
        # Each long turn's sentences: its spans and where its rows run in `rows`.
        groups = []
        for seg, group in groupby(range(len(rows)), key=lambda row: rows[row][0]):
            members = list(group)
            start, end = members[0], members[-1] + 1
            groups.append((seg, [span for _, span in rows[start:end]], start, end))
        sentences = {
            cid: {seg: (spans, by_sentence[cid][start:end]) for seg, spans, start, end in groups}
            for cid in criteria
        }
        adjust = {cid: _mix_sentences(where, sentences[cid]) for cid in criteria if rows}
        judged = self._judge_batch(batch, prototypes, teaching, criteria, adjust)
        return {
            cid: TurnJudgement(
                reps, _sigmoid(logits), rungs, logits, rated, present, sentences[cid]
            )
            for cid, (logits, rungs, rated, present) in judged.items()
        }

    def _judge_sentences(
        self,
        call: Call,
        turns: TurnBatch,
        where: dict[int, int],
        rows: list[tuple[int, Span]],
        prototypes: RubricPrototypes,
        teaching: FittedTeaching,
        criteria: list[str],
    ) -> dict[str, np.ndarray]:
        """Log-odds of each (segment, sentence) row, with its turn's context and position (rows
        of `turns`, the rep turns' batch), per criterion."""
        if not rows:
            return {}
        texts = [call.segments[seg].text[span.start : span.end] for seg, span in rows]
        of_turn = [where[seg] for seg, _ in rows]
        batch = texts_batch(
            texts,
            self._model.encode_cached(texts),
            turns.contexts[of_turn],
            None if turns.positions is None else turns.positions[of_turn],
            [turns.context_texts[i] for i in of_turn],
            None if turns.replies is None else turns.replies[of_turn],
            [turns.reply_texts[i] for i in of_turn],
        )
        judged = self._judge_batch(batch, prototypes, teaching, criteria, with_rungs=False)
        return {cid: logits for cid, (logits, *_rest) in judged.items()}

    def score(self, request: ScoringRequest) -> CallScore:
        call, rubric = request.call, request.rubric
        reason = unscorable_reason(call)
        result = CallScore(
            call_id=call.external_id,
            rubric_id=rubric.id,
            rubric_version=request.rubric_version,
            scorer=self.name,
            scorer_version=self.version,
            status=ScoreStatus.NOT_SCORABLE if reason else ScoreStatus.SCORED,
            reason=reason,
        )
        if reason:
            return result
        judgements = self.judge_turns(call, rubric, request.embeddings, request.guidance)
        mapping = LevelMapping.from_params(
            request.guidance.calibration if request.guidance else None
        )
        chosen: dict[str, tuple[int, list[tuple[int, float]]]] = {}
        for crit in rubric.criteria:
            strength = judgements[crit.id].strength()
            level = mapping.level(crit.id, strength) if mapping else ladder_level(strength)
            chosen[crit.id] = (level, self._moments(judgements[crit.id], level))
        for crit in rubric.criteria:
            level, moments = chosen[crit.id]
            judgement = judgements[crit.id]
            evidence = [
                quote_evidence(call, seg, judgement.quote_span(call, seg)) for seg, _ in moments
            ]
            result.criteria.append(
                self._criterion_score(call, crit, judgements[crit.id], level, moments, evidence)
            )
        result.overall = rubric.weighted_overall({c.criterion_id: c.level for c in result.criteria})
        return result

    @staticmethod
    def _moments(judgement: TurnJudgement, level: int) -> list[tuple[int, float]]:
        ranked = judgement.ranked()
        if level < 3:
            return ranked[:2]  # the closest moments, to show what came nearest
        top = ranked[0][1]
        return [
            (seg, p)
            for seg, p in ranked[:MAX_EVIDENCE]
            if p >= judgement.present and p >= SECOND_EVIDENCE_RATIO * top
        ] or ranked[:1]

    def _criterion_score(
        self,
        call: Call,
        crit: Criterion,
        judgement: TurnJudgement,
        level: int,
        moments: list[tuple[int, float]],
        evidence: list[Evidence],
    ) -> CriterionScore:
        strength = judgement.strength()
        thin = too_thin(call, crit, strength)
        if thin is not None:
            return thin
        likelihoods = [p for _, p in moments]
        evidence = [
            replace(
                item,
                likelihood=round(p, 3),
                reads_like=None
                if (rung := judgement.rung_of(item.segment)) is None
                else round(rung, 2),
            )
            for item, (_, p) in zip(evidence, moments, strict=True)
        ]
        if level >= 3:
            confidence = float(np.mean(likelihoods))
        elif strength.strongest >= strength.present:
            # Shown, but the way a low anchor describes: as sure as the moment is clear.
            confidence = likelihoods[0]
        else:
            confidence = 1.0 - (likelihoods[0] if likelihoods else 0.0)
        return CriterionScore(
            criterion_id=crit.id,
            level=level,
            confidence=round(min(max(confidence, 0.05), 0.99), 3),
            rationale=rationale(call, crit, level, strength, evidence),
            evidence=evidence,
        )


def _mix_sentences(
    where: dict[int, int], sentences: dict[int, tuple[list[Span], np.ndarray]]
) -> Callable[[np.ndarray], np.ndarray]:
    """A long turn's log-odds: SENTENCE_SHARE from its best sentence, the rest from it whole."""

    def mix(logits: np.ndarray) -> np.ndarray:
        result = np.array(logits, dtype=np.float32)
        for seg, (_, own) in sentences.items():
            row = where[seg]
            result[row] = (1 - SENTENCE_SHARE) * result[row] + SENTENCE_SHARE * float(own.max())
        return result

    return mix


def _sentence_rows(call: Call) -> list[tuple[int, Span]]:
    """(segment, sentence span) of every rep turn long enough to be quoted in part, in order."""
    return [
        (seg.index, span)
        for seg in call.rep_segments
        if needs_split(seg.text)
        for span in sentence_spans(seg.text)
    ]


def _sentence_texts(call: Call) -> list[str]:
    """The sentences of `_sentence_rows`, as text."""
    return [call.segments[seg].text[span.start : span.end] for seg, span in _sentence_rows(call)]
