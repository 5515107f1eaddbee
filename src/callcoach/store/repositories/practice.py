"""Practice scenarios, sessions, attempts and turns.

Every read takes the viewer's `Scope` as a required keyword and applies it in the SQL, as for
calls: a scenario or session of a rep outside the scope is exactly like one that does not exist.
A rep's scope also never reads a review rehearsal (a scenario of kind "rehearsal" is the
manager's preparation for a review of that rep, not the rep's practice).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from callcoach.domain.access import Scope
from callcoach.domain.practice import (
    Attempt,
    AttemptScore,
    AttemptStatus,
    ContextLine,
    Goal,
    OriginalMoment,
    Persona,
    PracticeSession,
    Scenario,
    ScenarioKind,
    SessionStatus,
    Turn,
    TurnSpeaker,
    TurnVia,
)
from callcoach.store.models import (
    CallRow,
    PracticeAttemptRow,
    PracticeScenarioRow,
    PracticeSessionRow,
    PracticeTurnRow,
    RepRow,
    RubricRow,
)
from callcoach.store.repositories.calls import now_utc
from callcoach.store.repositories.practice_reads import (
    AttemptRecord,
    PracticeMoments,
    PracticeReports,
    StrongMoment,
    scoped_practice,
)

# What a manager may change on a scenario (issue 17: "editable by the manager").
EDITABLE_FIELDS = frozenset(
    {"title", "persona", "context", "opening_line", "goal", "difficulty", "turn_limit"}
)


@dataclass(frozen=True)
class SessionSummary:
    id: int
    scenario_id: int
    scenario_title: str
    criterion_id: str
    rep: str
    started_by: str
    status: SessionStatus
    attempts: int
    best_level: int | None
    last_level: int | None
    created_at: datetime
    finished_at: datetime | None


class PracticeRepository(PracticeReports):
    UNSCOPED: ClassVar[dict[str, str]] = {
        "add_attempt": "a write: the service checks the viewer may act on the scenario or session first",
        "add_turn": "a write: the service checks the viewer may act on the scenario or session first",
        "create_scenario": "a write: the service checks the viewer may act on the scenario or session first",
        "create_session": "a write: the service checks the viewer may act on the scenario or session first",
        "discard_attempt": "a write: the service checks the viewer may act on the scenario or session first",
        "end_attempt": "a write: the service checks the viewer may act on the scenario or session first",
        "finish_session": "a write: the service checks the viewer may act on the scenario or session first",
        "save_debrief": "a write: the service checks the viewer may act on the scenario or session first",
        "save_score": "a write: the service checks the viewer may act on the scenario or session first",
        "update_scenario": "a write: the service checks the viewer may act on the scenario or session first",
    }

    def __init__(self, session: Session) -> None:
        self.session = session

    # scenarios -----------------------------------------------------------------------------
    def create_scenario(
        self,
        scenario: Scenario,
        *,
        rep_pk: int,
        rubric_pk: int,
        source_call_pk: int | None,
        review_id: int | None = None,
        at: datetime | None = None,
    ) -> int:
        scenario.check()
        row = PracticeScenarioRow(
            kind=scenario.kind.value,
            rep_id=rep_pk,
            title=scenario.title,
            persona=scenario.persona.to_json(),
            context=[line.to_json() for line in scenario.context],
            opening_line=scenario.opening_line,
            goal=scenario.goal.to_json(),
            criterion_id=scenario.goal.criterion_id,
            rubric_id=rubric_pk,
            rubric_version=scenario.rubric_version,
            difficulty=scenario.difficulty,
            turn_limit=scenario.turn_limit,
            source_call_id=source_call_pk,
            source_segment=scenario.original.segment,
            original_level=scenario.original.level,
            original_quote=scenario.original.quote,
            review_id=review_id,
            origin=dict(scenario.origin),
            created_by=scenario.created_by,
            created_at=at or now_utc(),
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def _scenario_query(self, scope: Scope) -> Any:
        query = (
            select(PracticeScenarioRow, RepRow.name, RubricRow.slug, CallRow.external_id)
            .join(RepRow, RepRow.id == PracticeScenarioRow.rep_id)
            .join(RubricRow, RubricRow.id == PracticeScenarioRow.rubric_id)
            .outerjoin(CallRow, CallRow.id == PracticeScenarioRow.source_call_id)
        )
        return scoped_practice(query, PracticeScenarioRow.rep_id, PracticeScenarioRow.kind, scope)

    @staticmethod
    def _to_scenario(row: PracticeScenarioRow, rep: str, rubric: str, call: str | None) -> Scenario:
        return Scenario(
            id=row.id,
            kind=ScenarioKind(row.kind),
            rep=rep,
            title=row.title,
            persona=Persona.from_json(dict(row.persona)),
            context=tuple(ContextLine.from_json(dict(c)) for c in row.context),
            opening_line=row.opening_line,
            goal=Goal.from_json(dict(row.goal)),
            rubric_id=rubric,
            rubric_version=row.rubric_version,
            difficulty=row.difficulty,
            turn_limit=row.turn_limit,
            original=OriginalMoment(
                call, row.source_segment, row.original_level, row.original_quote
            ),
            origin=dict(row.origin or {}),
            created_by=row.created_by,
            created_at=row.created_at,
            updated_by=row.updated_by,
            updated_at=row.updated_at,
        )

    def scenario(self, scenario_id: int, *, scope: Scope) -> Scenario | None:
        row = self.session.execute(
            self._scenario_query(scope).where(PracticeScenarioRow.id == scenario_id)
        ).first()
        return self._to_scenario(*row) if row else None

    def scenario_rep_pk(self, scenario_id: int, *, scope: Scope) -> int | None:
        query = select(PracticeScenarioRow.rep_id).where(PracticeScenarioRow.id == scenario_id)
        query = scoped_practice(query, PracticeScenarioRow.rep_id, PracticeScenarioRow.kind, scope)
        found: int | None = self.session.scalar(query)
        return found

    def scenario_review_id(self, scenario_id: int, *, scope: Scope) -> int | None:
        query = select(PracticeScenarioRow.review_id).where(PracticeScenarioRow.id == scenario_id)
        query = scoped_practice(query, PracticeScenarioRow.rep_id, PracticeScenarioRow.kind, scope)
        found: int | None = self.session.scalar(query)
        return found

    def scenarios(
        self,
        *,
        scope: Scope,
        rep_pks: Sequence[int] | None = None,
        criterion_id: str | None = None,
        kind: ScenarioKind | None = None,
        review_id: int | None = None,
    ) -> list[Scenario]:
        """Newest first."""
        query = self._scenario_query(scope)
        if rep_pks is not None:
            query = query.where(PracticeScenarioRow.rep_id.in_(list(rep_pks)))
        if criterion_id is not None:
            query = query.where(PracticeScenarioRow.criterion_id == criterion_id)
        if kind is not None:
            query = query.where(PracticeScenarioRow.kind == kind.value)
        if review_id is not None:
            query = query.where(PracticeScenarioRow.review_id == review_id)
        query = query.order_by(PracticeScenarioRow.created_at.desc(), PracticeScenarioRow.id.desc())
        return [self._to_scenario(*row) for row in self.session.execute(query)]

    def update_scenario(self, scenario_id: int, changes: dict[str, Any], by: str) -> None:
        """Apply checked edits (`EDITABLE_FIELDS`, values already in their stored JSON form)."""
        unknown = set(changes) - EDITABLE_FIELDS
        if unknown:
            raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
        values = dict(changes)
        if "goal" in values:
            values["criterion_id"] = values["goal"]["criterion_id"]
        self.session.execute(
            update(PracticeScenarioRow)
            .where(PracticeScenarioRow.id == scenario_id)
            .values(**values, updated_by=by, updated_at=now_utc())
        )

    # sessions ------------------------------------------------------------------------------
    # Writes stamp the time they happen; `at` is for a history written after the fact (the
    # demo's practice history, services/demo/practice.py).
    def create_session(
        self, scenario_id: int, rep_pk: int, started_by: str, at: datetime | None = None
    ) -> int:
        row = PracticeSessionRow(
            scenario_id=scenario_id,
            rep_id=rep_pk,
            started_by=started_by,
            status=SessionStatus.OPEN.value,
            created_at=at or now_utc(),
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def _session_query(self, scope: Scope) -> Any:
        query = (
            select(PracticeSessionRow, RepRow.name)
            .join(PracticeScenarioRow, PracticeScenarioRow.id == PracticeSessionRow.scenario_id)
            .join(RepRow, RepRow.id == PracticeSessionRow.rep_id)
        )
        return scoped_practice(query, PracticeSessionRow.rep_id, PracticeScenarioRow.kind, scope)

    def session_of(self, session_id: int, *, scope: Scope) -> PracticeSession | None:
        """The session with every attempt and turn, oldest first."""
        found = self.session.execute(
            self._session_query(scope).where(PracticeSessionRow.id == session_id)
        ).first()
        if found is None:
            return None
        row, rep = found
        attempts = list(
            self.session.scalars(
                select(PracticeAttemptRow)
                .where(PracticeAttemptRow.session_id == session_id)
                .order_by(PracticeAttemptRow.number)
            )
        )
        turns: dict[int, list[Turn]] = {a.id: [] for a in attempts}
        if attempts:
            for t in self.session.scalars(
                select(PracticeTurnRow)
                .where(PracticeTurnRow.attempt_id.in_([a.id for a in attempts]))
                .order_by(PracticeTurnRow.attempt_id, PracticeTurnRow.idx)
            ):
                turns[t.attempt_id].append(
                    Turn(
                        t.idx,
                        TurnSpeaker(t.speaker),
                        t.text,
                        TurnVia(t.via),
                        dict(t.source) if t.source else None,
                        t.created_at,
                    )
                )
        return PracticeSession(
            id=row.id,
            scenario_id=row.scenario_id,
            rep=rep,
            started_by=row.started_by,
            status=SessionStatus(row.status),
            attempts=tuple(
                Attempt(
                    id=a.id,
                    session_id=a.session_id,
                    number=a.number,
                    status=AttemptStatus(a.status),
                    turns=tuple(turns[a.id]),
                    score=AttemptScore.from_json(dict(a.score)) if a.score else None,
                    debrief=dict(a.debrief or {}),
                    started_at=a.started_at,
                    ended_at=a.ended_at,
                )
                for a in attempts
            ),
            created_at=row.created_at,
            finished_at=row.finished_at,
        )

    def sessions(
        self,
        *,
        scope: Scope,
        scenario_id: int | None = None,
        rep_pks: Sequence[int] | None = None,
    ) -> list[SessionSummary]:
        """Newest first, with their attempt counts and levels."""
        attempts = (
            select(
                PracticeAttemptRow.session_id.label("session_id"),
                func.count(PracticeAttemptRow.id).label("attempts"),
                func.max(PracticeAttemptRow.level).label("best"),
                func.max(PracticeAttemptRow.number).label("last_number"),
            )
            .group_by(PracticeAttemptRow.session_id)
            .subquery()
        )
        last = (
            select(PracticeAttemptRow.level)
            .where(
                PracticeAttemptRow.session_id == PracticeSessionRow.id,
                PracticeAttemptRow.number == attempts.c.last_number,
            )
            .scalar_subquery()
        )
        query = (
            select(
                PracticeSessionRow,
                RepRow.name,
                PracticeScenarioRow.title,
                PracticeScenarioRow.criterion_id,
                attempts.c.attempts,
                attempts.c.best,
                last,
            )
            .join(PracticeScenarioRow, PracticeScenarioRow.id == PracticeSessionRow.scenario_id)
            .join(RepRow, RepRow.id == PracticeSessionRow.rep_id)
            .outerjoin(attempts, attempts.c.session_id == PracticeSessionRow.id)
        )
        query = scoped_practice(query, PracticeSessionRow.rep_id, PracticeScenarioRow.kind, scope)
        if scenario_id is not None:
            query = query.where(PracticeSessionRow.scenario_id == scenario_id)
        if rep_pks is not None:
            query = query.where(PracticeSessionRow.rep_id.in_(list(rep_pks)))
        query = query.order_by(PracticeSessionRow.created_at.desc(), PracticeSessionRow.id.desc())
        return [
            SessionSummary(
                id=row.id,
                scenario_id=row.scenario_id,
                scenario_title=title,
                criterion_id=criterion,
                rep=rep,
                started_by=row.started_by,
                status=SessionStatus(row.status),
                attempts=int(count or 0),
                best_level=best,
                last_level=last_level,
                created_at=row.created_at,
                finished_at=row.finished_at,
            )
            for row, rep, title, criterion, count, best, last_level in self.session.execute(query)
        ]

    def finish_session(self, session_id: int, at: datetime | None = None) -> None:
        self.session.execute(
            update(PracticeSessionRow)
            .where(PracticeSessionRow.id == session_id)
            .values(status=SessionStatus.FINISHED.value, finished_at=at or now_utc())
        )

    # attempts and turns --------------------------------------------------------------------
    def add_attempt(self, session_id: int, at: datetime | None = None) -> tuple[int, int]:
        """A new attempt (the next number): (attempt id, number)."""
        latest = self.session.scalar(
            select(func.max(PracticeAttemptRow.number)).where(
                PracticeAttemptRow.session_id == session_id
            )
        )
        number = int(latest or 0) + 1
        row = PracticeAttemptRow(
            session_id=session_id,
            number=number,
            status=AttemptStatus.IN_PROGRESS.value,
            debrief={},
            started_at=at or now_utc(),
        )
        self.session.add(row)
        self.session.flush()
        return row.id, number

    def add_turn(
        self,
        attempt_id: int,
        speaker: TurnSpeaker,
        text: str,
        via: TurnVia = TurnVia.TEXT,
        source: dict[str, Any] | None = None,
        at: datetime | None = None,
    ) -> int:
        latest = self.session.scalar(
            select(func.max(PracticeTurnRow.idx)).where(PracticeTurnRow.attempt_id == attempt_id)
        )
        index = 0 if latest is None else int(latest) + 1
        self.session.add(
            PracticeTurnRow(
                attempt_id=attempt_id,
                idx=index,
                speaker=speaker.value,
                text=text,
                via=via.value,
                source=source,
                created_at=at or now_utc(),
            )
        )
        self.session.flush()
        return index

    def discard_attempt(self, attempt_id: int) -> None:
        """Delete an attempt with its turns (one never started, when the session finishes)."""
        self.session.execute(delete(PracticeAttemptRow).where(PracticeAttemptRow.id == attempt_id))

    def end_attempt(self, attempt_id: int, at: datetime | None = None) -> None:
        self.session.execute(
            update(PracticeAttemptRow)
            .where(PracticeAttemptRow.id == attempt_id)
            .values(status=AttemptStatus.ENDED.value, ended_at=at or now_utc())
        )

    def save_score(
        self,
        attempt_id: int,
        status: AttemptStatus,
        score: AttemptScore | None,
        at: datetime | None = None,
    ) -> None:
        self.session.execute(
            update(PracticeAttemptRow)
            .where(PracticeAttemptRow.id == attempt_id)
            .values(
                status=status.value,
                score=score.to_json() if score else None,
                level=score.level if score else None,
                scored_at=at or now_utc(),
            )
        )

    def save_debrief(self, attempt_id: int, debrief: dict[str, Any]) -> None:
        self.session.execute(
            update(PracticeAttemptRow)
            .where(PracticeAttemptRow.id == attempt_id)
            .values(debrief=debrief)
        )


__all__ = [
    "EDITABLE_FIELDS",
    "AttemptRecord",
    "PracticeMoments",
    "PracticeRepository",
    "SessionSummary",
    "StrongMoment",
]
