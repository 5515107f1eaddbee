"""Candidate segments per criterion, for the LLM scorer's evidence-first mode.

The embedded scorer ranks the rep turns by how likely each shows the criterion; the best
`per_criterion` turns are returned together with their context (the other party's turn just
before, which an objection reply or a pricing move needs to be judged), so the LLM sees a few
short windows instead of the whole transcript.
"""

from __future__ import annotations

import numpy as np

from callcoach.domain.calls import Call
from callcoach.domain.rubric import Rubric
from callcoach.scoring.base import RubricGuidance
from callcoach.scoring.embedded import EmbeddedScorer
from callcoach.scoring.embedded_features import previous_other_turn


def select_candidates(
    call: Call,
    rubric: Rubric,
    embeddings: np.ndarray | None,
    scorer: EmbeddedScorer | None = None,
    per_criterion: int = 3,
    guidance: RubricGuidance | None = None,
) -> dict[str, list[int]]:
    """Per criterion id, sorted segment indexes: the likeliest rep turns and their context."""
    scorer = scorer or EmbeddedScorer()
    judgements = scorer.judge_turns(call, rubric, embeddings, guidance)
    result: dict[str, list[int]] = {}
    for crit in rubric.criteria:
        picked: set[int] = set()
        for segment, _ in judgements[crit.id].ranked()[: max(per_criterion, 0)]:
            picked.add(segment)
            before = previous_other_turn(call, segment)
            if before is not None:
                picked.add(before)
        result[crit.id] = sorted(picked)
    return result
