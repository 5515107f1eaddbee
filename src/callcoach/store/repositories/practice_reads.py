"""Practice reads for reports and the coach: every attempt for carry-over and assignments
(scoped like every practice read), and a teammate's strong moment for the coach."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from callcoach.domain.access import Role, Scope
from callcoach.domain.practice import AttemptStatus, ScenarioKind
from callcoach.store.models import (
    CallRow,
    PracticeAttemptRow,
    PracticeScenarioRow,
    PracticeSessionRow,
    RepRow,
    RubricRow,
)


def scoped_practice(query: Any, rep_column: Any, kind_column: Any, scope: Scope) -> Any:
    if scope.rep_ids is not None:
        query = query.where(rep_column.in_(sorted(scope.rep_ids)))
    if scope.viewer.role is Role.REP:
        query = query.where(kind_column == ScenarioKind.MOMENT.value)
    return query


@dataclass(frozen=True)
class AttemptRecord:
    """One attempt for reports (carry-over, assignments): who, which criterion, which level."""

    rep: str
    rep_pk: int
    scenario_id: int
    criterion_id: str
    rubric: str
    session_id: int
    attempt_id: int
    number: int
    status: AttemptStatus
    level: int | None
    started_at: datetime
    ended_at: datetime | None


class PracticeReports:
    session: Session

    # reports -------------------------------------------------------------------------------
    def attempt_records(
        self,
        *,
        scope: Scope,
        rep_pks: Sequence[int] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        kind: ScenarioKind = ScenarioKind.MOMENT,
    ) -> list[AttemptRecord]:
        """Every attempt in the scope (oldest first): for carry-over and assignment reports."""
        query = (
            select(
                RepRow.name,
                RepRow.id,
                PracticeScenarioRow.id,
                PracticeScenarioRow.criterion_id,
                RubricRow.slug,
                PracticeSessionRow.id,
                PracticeAttemptRow.id,
                PracticeAttemptRow.number,
                PracticeAttemptRow.status,
                PracticeAttemptRow.level,
                PracticeAttemptRow.started_at,
                PracticeAttemptRow.ended_at,
            )
            .join(PracticeSessionRow, PracticeSessionRow.id == PracticeAttemptRow.session_id)
            .join(PracticeScenarioRow, PracticeScenarioRow.id == PracticeSessionRow.scenario_id)
            .join(RepRow, RepRow.id == PracticeSessionRow.rep_id)
            .join(RubricRow, RubricRow.id == PracticeScenarioRow.rubric_id)
            .where(PracticeScenarioRow.kind == kind.value)
        )
        query = scoped_practice(query, PracticeSessionRow.rep_id, PracticeScenarioRow.kind, scope)
        if rep_pks is not None:
            query = query.where(PracticeSessionRow.rep_id.in_(list(rep_pks)))
        if since is not None:
            query = query.where(PracticeAttemptRow.started_at >= since)
        if until is not None:
            query = query.where(PracticeAttemptRow.started_at < until)
        query = query.order_by(PracticeAttemptRow.started_at, PracticeAttemptRow.id)
        return [
            AttemptRecord(
                rep=r[0],
                rep_pk=r[1],
                scenario_id=r[2],
                criterion_id=r[3],
                rubric=r[4],
                session_id=r[5],
                attempt_id=r[6],
                number=r[7],
                status=AttemptStatus(r[8]),
                level=r[9],
                started_at=r[10],
                ended_at=r[11],
            )
            for r in self.session.execute(query)
        ]


@dataclass(frozen=True)
class StrongMoment:
    """A teammate's high-level moment on a criterion, for the coach to show one quote of."""

    rep: str
    call_pk: int
    call_id: str
    account: str | None
    level: int
    segment: int
    quote: str
    contacts: tuple[str, ...]  # the call's people, so the coach can keep them out of view


class PracticeMoments:
    """The one read of other reps' calls practice makes: a teammate's strong moment.

    Issue 17 asks the coach to show "a real level 4-5 moment by a teammate on the same
    criterion from the team's calls". It is read without the viewer's scope on purpose, and
    gives only the quote and the line before it (the service hides the call's names).
    """

    UNSCOPED: ClassVar[dict[str, str]] = {
        "strong_moments": "a teammate's strong moment for the coach (issue 17 §3): only the quote and the prospect's line before it are shown, names replaced",
    }

    def __init__(self, session: Session) -> None:
        self.session = session

    def strong_moments(
        self, rubric: str, criterion_id: str, rep_pk: int, *, min_level: int, limit: int = 5
    ) -> list[StrongMoment]:
        from callcoach.store.models import (
            CriterionScoreRow,
            RubricVersionRow,
            ScoreRunRow,
        )

        team = self.session.scalar(select(RepRow.team_id).where(RepRow.id == rep_pk))
        query = (
            select(
                RepRow.name,
                CallRow.id,
                CallRow.external_id,
                CallRow.account,
                CriterionScoreRow.level,
                CriterionScoreRow.evidence,
                CallRow.meta,
            )
            .join(ScoreRunRow, ScoreRunRow.id == CriterionScoreRow.run_id)
            .join(RubricVersionRow, RubricVersionRow.id == ScoreRunRow.rubric_version_id)
            .join(RubricRow, RubricRow.id == RubricVersionRow.rubric_id)
            .join(CallRow, CallRow.id == ScoreRunRow.call_id)
            .join(RepRow, RepRow.id == CallRow.rep_id)
            .where(
                RubricRow.slug == rubric,
                CriterionScoreRow.criterion_id == criterion_id,
                CriterionScoreRow.level >= min_level,
                CallRow.rep_id != rep_pk,
            )
            .order_by(
                CriterionScoreRow.level.desc(),
                CriterionScoreRow.confidence.desc(),
                CallRow.id,
            )
            .limit(limit * 4)
        )
        if team is not None:
            query = query.where(RepRow.team_id == team)
        moments: list[StrongMoment] = []
        for name, call_pk, call_id, account, level, evidence, meta in self.session.execute(query):
            item = next((e for e in evidence or [] if str(e.get("quote", "")).strip()), None)
            if item is None:
                continue
            people = _meta_people(meta or {})
            moments.append(
                StrongMoment(
                    name,
                    call_pk,
                    call_id,
                    account,
                    level,
                    int(item["segment"]),
                    str(item["quote"]),
                    people,
                )
            )
            if len(moments) >= limit:
                break
        return moments


def _meta_people(meta: dict[str, Any]) -> tuple[str, ...]:
    found = meta.get("contacts")
    if not isinstance(found, list):
        found = next(
            (v.get("contacts") for v in meta.values() if isinstance(v, dict) and "contacts" in v),
            [],
        )
    return tuple(str(c["name"]) for c in found or [] if isinstance(c, dict) and c.get("name"))
