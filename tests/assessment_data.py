"""Building small, fully known stores for the assessment tests (through the repositories)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from callcoach.domain.access import Scope
from callcoach.domain.calls import Call, Deal, DealOutcome, Rep, Segment, SpeakerRole
from callcoach.domain.rubric import Rubric, check_rubric
from callcoach.domain.scores import CallScore, CriterionScore, Evidence, HumanRating, ScoreStatus
from callcoach.store.uow import Store

EVERYONE = Scope.system("test: read the whole organisation")

CRITERIA = {
    "urgency_creation": 25,
    "discovery": 25,
    "objection_handling": 20,
    "close_attempt": 20,
    "process_adherence": 10,
}


def rubric_document(
    weights: dict[str, float] | None = None, rubric_id: str = "test-rubric"
) -> dict[str, Any]:
    weights = weights or CRITERIA
    return {
        "id": rubric_id,
        "name": "Test rubric",
        "criteria": [
            {
                "id": crit,
                "name": crit.replace("_", " ").capitalize(),
                "weight": weight,
                "description": f"How well the rep does {crit}.",
                "anchors": {level: f"{crit} level {level} behaviour" for level in range(1, 6)},
            }
            for crit, weight in weights.items()
        ],
    }


def make_rubric(weights: dict[str, float] | None = None, rubric_id: str = "test-rubric") -> Rubric:
    check = check_rubric(rubric_document(weights, rubric_id))
    assert check.rubric is not None, check.errors
    return check.rubric


def segments_for(call_id: str, timed: bool = True) -> list[Segment]:
    lines = [
        ("Prospect", SpeakerRole.PROSPECT, "We have been looking at options for a while now."),
        ("Rep", SpeakerRole.REP, f"What does it cost you each month on {call_id}? Tell me more."),
        ("Prospect", SpeakerRole.PROSPECT, "Probably a few thousand in lost time, honestly."),
        ("Rep", SpeakerRole.REP, f"Let us talk about next steps for {call_id} then."),
    ]
    result = []
    clock = 0.0
    for index, (speaker, role, text) in enumerate(lines):
        start, end = clock, clock + 10.0
        result.append(
            Segment(
                index=index,
                speaker=speaker,
                role=role,
                text=text,
                start=start if timed else None,
                end=end if timed else None,
            )
        )
        clock = end + 1.0
    return result


class World:
    """A store filled step by step: reps, a rubric, calls, machine scores, ratings, deals."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def rubric(
        self, weights: dict[str, float] | None = None, rubric_id: str = "test-rubric"
    ) -> Rubric:
        rubric = make_rubric(weights, rubric_id)
        with self.store.unit_of_work() as uow:
            uow.rubrics.add(rubric)
        return rubric

    def rep(self, name: str, team: str | None = "East", manager: str | None = "Maria") -> None:
        with self.store.unit_of_work() as uow:
            uow.people.upsert_rep(Rep(name=name, team=team, manager=manager))

    def deal(
        self, deal_id: str, outcome: str, rep: str | None = None, close: date | None = None
    ) -> None:
        with self.store.unit_of_work() as uow:
            rep_id = uow.people.rep_row(rep).id if rep else None  # type: ignore[union-attr]
            uow.deals.upsert(
                Deal(
                    external_id=deal_id,
                    outcome=DealOutcome(outcome),
                    close_date=close,
                    account=f"{deal_id} Inc",
                ),
                rep_id,
                "test",
            )

    def call(
        self,
        call_id: str,
        rep: str,
        when: datetime,
        deal: str | None = None,
        timed: bool = True,
        segments: list[Segment] | None = None,
    ) -> None:
        with self.store.unit_of_work() as uow:
            rep_row, _ = uow.people.ensure_rep(rep)
            deal_id = uow.deals.ensure(deal).id if deal else None
            call = Call(
                external_id=call_id,
                segments=segments or segments_for(call_id, timed),
                rep=rep,
                date=when,
                account=f"Account of {call_id}",
            )
            uow.calls.save(call, rep_row.id, deal_id)

    def score(
        self,
        call_id: str,
        levels: dict[str, int | None],
        scorer: str = "fake",
        rubric_id: str = "test-rubric",
        version: int | None = None,
        confidence: float = 0.7,
    ) -> None:
        with self.store.unit_of_work() as uow:
            stored = (
                uow.rubrics.version(rubric_id, version)
                if version
                else uow.rubrics.latest(rubric_id)
            )
            assert stored is not None
            call = uow.calls.get(call_id, scope=EVERYONE)
            row = uow.calls.row(call_id, scope=EVERYONE)
            assert call is not None and row is not None
            rep_seg = call.segments[1]
            criteria = [
                CriterionScore(
                    criterion_id=crit,
                    level=level,
                    confidence=confidence,
                    rationale=f"{crit} at {level}",
                    evidence=[
                        Evidence(
                            segment=1,
                            quote=rep_seg.text,
                            speaker=rep_seg.speaker,
                            start=rep_seg.start,
                            end=rep_seg.end,
                        )
                    ],
                )
                for crit, level in levels.items()
            ]
            score = CallScore(
                call_id=call_id,
                rubric_id=rubric_id,
                rubric_version=stored.version,
                scorer=scorer,
                scorer_version="1",
                status=ScoreStatus.SCORED,
                criteria=criteria,
                overall=stored.rubric.weighted_overall(dict(levels)),
            )
            uow.scores.save(score, row.id, stored.version_pk)

    def rating(
        self,
        call_id: str,
        rater: str,
        criterion: str,
        level: int,
        source: str = "import",
        rubric_id: str = "test-rubric",
        created: datetime | None = None,
    ) -> None:
        with self.store.unit_of_work() as uow:
            row = uow.calls.row(call_id, scope=EVERYONE)
            rubric_row = uow.rubrics.rubric_row(rubric_id)
            assert row is not None and rubric_row is not None
            uow.scores.save_rating(
                HumanRating(
                    call_id=call_id,
                    rater=rater,
                    criterion_id=criterion,
                    level=level,
                    rubric_id=rubric_id,
                    source=source,
                    created_at=created,
                ),
                row.id,
                rubric_row.id,
            )
