"""A deterministic scorer for tests: same call, same scores, with real verbatim evidence.

Like httpx's MockTransport beside its transports: it implements the Scorer protocol exactly, so
the batch runner, storage, exports and analytics can be tested without loading a model.
"""

from __future__ import annotations

import hashlib

import numpy as np

from callcoach.domain.calls import Call
from callcoach.domain.scores import CallScore, CriterionScore, ScoreStatus
from callcoach.scoring.base import ScoringRequest, unscorable_reason
from callcoach.scoring.evidence import whole_segment


class FakeScorer:
    name = "fake"
    version = "1"

    @property
    def embedding_model(self) -> str | None:
        return None

    def embed(self, call: Call) -> np.ndarray | None:
        return None

    def score(self, request: ScoringRequest) -> CallScore:
        call, rubric = request.call, request.rubric
        reason = unscorable_reason(call)
        base = CallScore(
            call_id=call.external_id,
            rubric_id=rubric.id,
            rubric_version=request.rubric_version,
            scorer=self.name,
            scorer_version=self.version,
            status=ScoreStatus.NOT_SCORABLE if reason else ScoreStatus.SCORED,
            reason=reason,
        )
        if reason:
            return base
        rep_turns = call.rep_segments
        for crit in rubric.criteria:
            digest = hashlib.sha256(f"{call.content_hash}:{crit.id}".encode()).digest()
            level = 1 + digest[0] % 5
            segment = rep_turns[digest[1] % len(rep_turns)].index
            base.criteria.append(
                CriterionScore(
                    criterion_id=crit.id,
                    level=level,
                    confidence=0.5,
                    rationale=f"fake scorer: level {level} ({crit.anchors[level]})",
                    evidence=[whole_segment(call, segment)],
                )
            )
        base.overall = rubric.weighted_overall({c.criterion_id: c.level for c in base.criteria})
        return base
