"""Scoring a practice attempt on the scenario's criterion, by the same scorer as real calls.

The attempt becomes a transcript the scorer reads like a call: the context lines (the rep's
lines from the real call as a third party, so they can never be quoted as the practice's
evidence), the prospect's line at the moment, then the attempt's turns. The scorer is the one
real calls are scored with (`CALLCOACH_SCORER`), with what managers taught it
(`load_guidance`), prepared as a scoring run prepares it. Only the scenario's criterion is kept,
and only evidence quoted from the practitioner's own lines. The result is stored on the attempt
only: practice scores never enter real-call runs or scorecards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from callcoach.domain.calls import Call, Segment, SpeakerRole
from callcoach.domain.practice import (
    Attempt,
    AttemptScore,
    AttemptStatus,
    PracticeEvidence,
    Scenario,
    TurnSpeaker,
)
from callcoach.domain.scores import ScoreStatus
from callcoach.scoring.base import Scorer, ScoringRequest
from callcoach.scoring.registry import ScorerConfig, build_scorer
from callcoach.services.common import NotFoundError
from callcoach.services.scoring.runs import _prepare
from callcoach.services.scoring.summary import ScoringSummary
from callcoach.services.scoring.teaching import load_guidance
from callcoach.store.uow import Store

CONTEXT_SPEAKER = "earlier in the real call"


def practice_call(scenario: Scenario, attempt: Attempt) -> tuple[Call, dict[int, int]]:
    """The attempt as a call, and segment index -> the attempt's turn index (practitioner's)."""
    segments: list[Segment] = []
    turn_of: dict[int, int] = {}
    persona = scenario.persona.name or "Prospect"

    def add(speaker: str, role: SpeakerRole, text: str) -> int:
        segments.append(Segment(len(segments), speaker, role, text))
        return len(segments) - 1

    for line in scenario.context:
        if line.speaker is TurnSpeaker.PRACTITIONER:
            add(CONTEXT_SPEAKER, SpeakerRole.OTHER, line.text)
        else:
            add(persona, SpeakerRole.PROSPECT, line.text)
    add(persona, SpeakerRole.PROSPECT, scenario.opening_line)
    for turn in attempt.turns:
        if turn.speaker is TurnSpeaker.PRACTITIONER:
            turn_of[add(scenario.rep, SpeakerRole.REP, turn.text)] = turn.index
        else:
            add(persona, SpeakerRole.PROSPECT, turn.text)
    call = Call(
        external_id=f"practice-{attempt.session_id}-{attempt.number}",
        segments=segments,
        rep=scenario.rep,
        account=scenario.persona.company,
    )
    return call, turn_of


@dataclass(frozen=True)
class AttemptResult:
    status: AttemptStatus
    score: AttemptScore | None
    reason: str | None = None  # why it could not be scored


@dataclass
class PracticeScorer:
    """The configured scorer, built and prepared once per process (like a scoring run's)."""

    store: Store
    config: ScorerConfig
    _scorers: dict[str, tuple[Scorer, Any]] = field(default_factory=dict, init=False)
    build: Callable[[ScorerConfig], Scorer] = build_scorer

    def _scorer_for(self, rubric_id: str) -> tuple[Scorer, Any]:
        if rubric_id not in self._scorers:
            scorer = self.build(self.config)
            guidance = load_guidance(self.store, rubric_id)
            with self.store.unit_of_work() as uow:
                stored = uow.rubrics.latest(rubric_id)
            if stored is None:
                raise NotFoundError(f"no rubric {rubric_id!r}")
            summary = ScoringSummary(rubric_id, stored.version, scorer.name, scorer.version)
            _prepare(self.store, scorer, stored, guidance, summary)
            self._scorers[rubric_id] = (scorer, guidance)
        return self._scorers[rubric_id]

    def score(self, scenario: Scenario, attempt: Attempt) -> AttemptResult:
        with self.store.unit_of_work() as uow:
            stored = uow.rubrics.version(scenario.rubric_id, scenario.rubric_version)
        if stored is None:
            raise NotFoundError(
                f"rubric {scenario.rubric_id!r} version {scenario.rubric_version} is gone"
            )
        scorer, guidance = self._scorer_for(scenario.rubric_id)
        call, turn_of = practice_call(scenario, attempt)
        result = scorer.score(
            ScoringRequest(call, stored.rubric, stored.version, guidance=guidance)
        )
        if result.status is not ScoreStatus.SCORED:
            reason = result.reason or "the scorer could not judge it"
            return AttemptResult(AttemptStatus.NOT_SCORABLE, None, reason)
        crit = next(
            (c for c in result.criteria if c.criterion_id == scenario.goal.criterion_id), None
        )
        if crit is None:
            return AttemptResult(
                AttemptStatus.NOT_SCORABLE, None, "the scorer gave no level on the criterion"
            )
        texts = {t.index: t.text for t in attempt.turns}
        evidence = tuple(
            PracticeEvidence(turn_of[e.segment], e.quote)
            for e in crit.evidence
            if e.segment in turn_of and e.quote.strip() and e.quote in texts[turn_of[e.segment]]
        )
        score = AttemptScore(
            criterion_id=crit.criterion_id,
            level=crit.level,
            confidence=crit.confidence,
            rationale=crit.rationale,
            evidence=evidence,
            scorer=result.scorer,
            scorer_version=result.scorer_version,
        )
        return AttemptResult(AttemptStatus.SCORED, score)
