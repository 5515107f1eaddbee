"""The embedded scorer: offline, no key, any rubric, every level backed by verbatim quotes.

How a call is scored (details in docs/scoring.md):

1. Every segment is embedded once with the bundled MiniLM model (or the stored embeddings are
   reused); the rubric's anchors, examples and descriptions are embedded once per version.
2. Every rep turn gets, per criterion, the log-odds that it shows the criterion: generic features
   (anchor contrast, fit relative to the other criteria, the other party's turn just before,
   dialogue-act cues compared with the criterion's examples) weighed by fixed zero-shot weights,
   then corrected by what managers taught for that criterion (confirmed/rejected evidence).
3. The strongest turns become the evidence (verbatim segment text, speaker, timing); the level
   comes from how strongly and how often the behaviour is shown (calibration.py), through the
   mapping fitted on managers' ratings when there is one. The rationale quotes the anchor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from callcoach.domain.calls import Call
from callcoach.domain.rubric import Criterion, Rubric
from callcoach.domain.scores import CallScore, CriterionScore, Evidence, ScoreStatus
from callcoach.scoring.base import RubricGuidance, ScoringRequest, unscorable_reason
from callcoach.scoring.calibration import (
    PRESENT,
    EvidenceStrength,
    LevelMapping,
    ladder_level,
)
from callcoach.scoring.embedded_features import (
    call_turn_batch,
    previous_other_turn,
    turn_features,
    without,
    zero_shot_logit,
)
from callcoach.scoring.embedded_rubric import PrototypeCache
from callcoach.scoring.embedded_teaching import TeachingCache
from callcoach.scoring.embedding_model import EmbeddingModel, shared_model
from callcoach.scoring.evidence import whole_segment

MAX_EVIDENCE = 3
SECOND_EVIDENCE_RATIO = 0.8  # a further quote must be nearly as likely as the strongest
QUOTE_CHARS = 300


@dataclass(frozen=True)
class TurnJudgement:
    """Per criterion: the rep turns judged and the likelihood that each shows the criterion."""

    segments: list[int]
    likelihood: np.ndarray

    def ranked(self) -> list[tuple[int, float]]:
        order = sorted(range(len(self.segments)), key=lambda i: (-self.likelihood[i], i))
        return [(self.segments[i], float(self.likelihood[i])) for i in order]

    def strength(self) -> EvidenceStrength:
        if not self.segments:
            return EvidenceStrength(0.0, 0)
        return EvidenceStrength(
            strongest=float(self.likelihood.max()),
            shown=int((self.likelihood >= PRESENT).sum()),
        )


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -30, 30))), dtype=np.float32)


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


class EmbeddedScorer:
    name = "embedded"
    version = "1"

    def __init__(
        self,
        model_path: str | None = None,
        model: EmbeddingModel | None = None,
        disabled_features: frozenset[str] = frozenset(),
    ) -> None:
        """`disabled_features` (groups of embedded_features.FEATURE_GROUPS) is for ablations."""
        self._model = model or shared_model(model_path)
        self._disabled = frozenset(disabled_features)
        self._prototypes = PrototypeCache()
        self._teaching = TeachingCache(disabled=self._disabled)

    @property
    def embedding_model(self) -> str | None:
        return self._model.name

    def embed(self, call: Call) -> np.ndarray | None:
        return self._model.encode([s.text for s in call.segments])

    def _embeddings(self, call: Call, stored: np.ndarray | None) -> np.ndarray:
        if stored is not None and stored.ndim == 2 and stored.shape[0] == len(call.segments):
            return np.asarray(stored, dtype=np.float32)
        return self._model.encode([s.text for s in call.segments])

    def judge_turns(
        self,
        call: Call,
        rubric: Rubric,
        embeddings: np.ndarray | None = None,
        guidance: RubricGuidance | None = None,
    ) -> dict[str, TurnJudgement]:
        """Likelihood, per criterion, that each rep turn shows it (the scorer's raw evidence)."""
        vectors = self._embeddings(call, embeddings)
        reps = [s.index for s in call.rep_segments]
        prototypes = self._prototypes.get(rubric, self._model)
        if not reps:
            return {c.id: TurnJudgement([], np.zeros(0, np.float32)) for c in rubric.criteria}
        batch = call_turn_batch(call, vectors, reps)
        features = {
            cid: without(f, self._disabled) for cid, f in turn_features(batch, prototypes).items()
        }
        teaching = self._teaching.get(guidance, prototypes, self._model)
        result: dict[str, TurnJudgement] = {}
        for crit in rubric.criteria:
            logits = zero_shot_logit(features[crit.id])
            taught = teaching.get(crit.id)
            if taught is not None:
                logits = taught.logits(batch.vectors, batch.contexts, features[crit.id], logits)
            result[crit.id] = TurnJudgement(reps, _sigmoid(logits))
        return result

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
        calibration = request.guidance.calibration if request.guidance else None
        mapping = LevelMapping.from_params(calibration)
        for crit in rubric.criteria:
            result.criteria.append(self._criterion_score(call, crit, judgements[crit.id], mapping))
        result.overall = rubric.weighted_overall({c.criterion_id: c.level for c in result.criteria})
        return result

    def _criterion_score(
        self, call: Call, crit: Criterion, judgement: TurnJudgement, mapping: LevelMapping | None
    ) -> CriterionScore:
        strength = judgement.strength()
        level = mapping.level(crit.id, strength) if mapping else ladder_level(strength)
        ranked = judgement.ranked()
        present = level >= 3
        if present:
            top = ranked[0][1]
            chosen = [
                (seg, p)
                for seg, p in ranked[:MAX_EVIDENCE]
                if p >= PRESENT and p >= SECOND_EVIDENCE_RATIO * top
            ] or ranked[:1]
        else:
            chosen = ranked[:2]  # the closest moments, to show what came nearest
        evidence = [whole_segment(call, seg, QUOTE_CHARS) for seg, _ in chosen]
        likelihoods = [p for _, p in chosen]
        if present:
            confidence = float(np.mean(likelihoods))
        else:
            confidence = 1.0 - (likelihoods[0] if likelihoods else 0.0)
        return CriterionScore(
            criterion_id=crit.id,
            level=level,
            confidence=round(min(max(confidence, 0.05), 0.99), 3),
            rationale=self._rationale(call, crit, level, strength, evidence, likelihoods),
            evidence=evidence,
        )

    @staticmethod
    def _rationale(
        call: Call,
        crit: Criterion,
        level: int,
        strength: EvidenceStrength,
        evidence: list[Evidence],
        likelihoods: list[float],
    ) -> str:
        anchor = f'Level {level} anchor: "{crit.anchors[level]}"'
        if not evidence:
            return f"{anchor}. No rep turn to judge."
        first = evidence[0]
        context = ""
        before = previous_other_turn(call, first.segment)
        if before is not None:
            context = f', replying to "{_short(call.segments[before].text, 70)}"'
        if level >= 3:
            times = "once" if strength.shown <= 1 else f"in {strength.shown} rep turns"
            return (
                f"{anchor}. Shown {times}; strongest at segment {first.segment}"
                f"{context} (likelihood {likelihoods[0]:.2f})."
            )
        missing = "Not shown" if level == 1 else "Only hinted at, not clearly shown"
        return (
            f"{anchor}. {missing}: no rep turn clearly does what the criterion asks "
            f"({_short(crit.description, 120)}). Closest moment: segment {first.segment}"
            f"{context} (likelihood {likelihoods[0]:.2f})."
        )
