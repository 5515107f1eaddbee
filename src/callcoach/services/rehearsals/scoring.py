"""Score a rehearsal attempt with the configured scorer (the engine calls are scored by) on the
review-conversation rubric, and build the coach's debrief from the score and the lines."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from callcoach.analytics.rehearsal_debrief import Citation, Debrief, DebriefItem, build_debrief
from callcoach.analytics.reviews_pack import ReviewPack
from callcoach.domain.calls import Call
from callcoach.domain.rehearsal import RehearsalTurn
from callcoach.domain.review_evidence import EvidenceKind
from callcoach.domain.scores import CallScore, ScoreStatus
from callcoach.scoring.base import ScoringRequest
from callcoach.scoring.registry import ScorerConfig, build_scorer
from callcoach.store.repositories.rubrics import StoredRubric


@dataclass
class ScoredRehearsal:
    score: CallScore
    debrief: Debrief
    self_judgement: str | None

    @property
    def level(self) -> int | None:
        """The weighted overall level, rounded: the attempt's one level for lists and reports."""
        overall = self.score.overall
        return None if overall is None else max(1, min(5, int(overall + 0.5)))

    @property
    def confidence(self) -> float:
        values = [c.confidence for c in self.score.criteria if c.level is not None]
        return sum(values) / len(values) if values else 0.0

    @property
    def rationale(self) -> str:
        if self.score.status is not ScoreStatus.SCORED:
            return self.score.reason or "not scorable"
        return "; ".join(f"{c.criterion_id} {c.level}" for c in self.score.criteria)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": "rehearsal",
            "self_judgement": self.self_judgement,
            "score": score_to_json(self.score),
            "debrief": asdict(self.debrief),
        }


def score_to_json(score: CallScore) -> dict[str, Any]:
    """The per-criterion score; `line` numbers the attempt's lines from 1."""
    return {
        "status": score.status.value,
        "reason": score.reason,
        "overall": score.overall,
        "rubric_version": score.rubric_version,
        "scorer": score.scorer,
        "scorer_version": score.scorer_version,
        "criteria": [
            {
                "criterion_id": c.criterion_id,
                "level": c.level,
                "confidence": c.confidence,
                "rationale": c.rationale,
                "evidence": [{"line": e.segment + 1, "quote": e.quote} for e in c.evidence],
            }
            for c in score.criteria
        ],
    }


def debrief_from_json(data: dict[str, Any]) -> Debrief:
    items = [
        DebriefItem(
            topic=i["topic"],
            text=i["text"],
            cites=[Citation(int(c["line"]), str(c["quote"])) for c in i.get("cites", [])],
            level=i.get("level"),
            good_anchor=i.get("good_anchor"),
            question=i.get("question"),
        )
        for i in data.get("items", [])
    ]
    return Debrief(
        data["opening_question"], data.get("overall"), items, data["scored"], data.get("reason")
    )


def score_rehearsal(
    call: Call,
    rubric: StoredRubric,
    scorer: ScorerConfig,
    turns: list[RehearsalTurn],
    pack: ReviewPack,
    self_judgement: str | None,
) -> ScoredRehearsal:
    engine = build_scorer(scorer)
    score = engine.score(ScoringRequest(call, rubric.rubric, rubric.version))
    moments = [e for e in pack.evidence.values() if e.kind == EvidenceKind.MOMENT.value]
    debrief = build_debrief(score, rubric.rubric, turns, moments)
    judgement = " ".join((self_judgement or "").split())[:2000] or None
    return ScoredRehearsal(score, debrief, judgement)
