"""Rubrics and their versions. A rubric id names the latest version; scores name the one used."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callcoach.domain.rubric import Rubric
from callcoach.store.models import RubricRow, RubricVersionRow, TeamRow
from callcoach.store.repositories.calls import now_utc


@dataclass(frozen=True)
class StoredRubric:
    rubric: Rubric
    version: int
    version_pk: int
    created_at: datetime
    created_by: str | None


def _stored(row: RubricVersionRow) -> StoredRubric:
    return StoredRubric(
        rubric=Rubric.model_validate(row.content),
        version=row.version,
        version_pk=row.id,
        created_at=row.created_at,
        created_by=row.created_by,
    )


class RubricRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def rubric_row(self, slug: str) -> RubricRow | None:
        return self.session.scalar(select(RubricRow).where(RubricRow.slug == slug))

    def latest(self, slug: str) -> StoredRubric | None:
        row = self.session.scalar(
            select(RubricVersionRow)
            .join(RubricRow, RubricVersionRow.rubric_id == RubricRow.id)
            .where(RubricRow.slug == slug)
            .order_by(RubricVersionRow.version.desc())
            .limit(1)
        )
        return _stored(row) if row else None

    def version(self, slug: str, version: int) -> StoredRubric | None:
        row = self.session.scalar(
            select(RubricVersionRow)
            .join(RubricRow, RubricVersionRow.rubric_id == RubricRow.id)
            .where(RubricRow.slug == slug, RubricVersionRow.version == version)
        )
        return _stored(row) if row else None

    def by_version_pk(self, version_pk: int) -> StoredRubric | None:
        row = self.session.get(RubricVersionRow, version_pk)
        return _stored(row) if row else None

    def versions(self, slug: str) -> list[StoredRubric]:
        rows = self.session.scalars(
            select(RubricVersionRow)
            .join(RubricRow, RubricVersionRow.rubric_id == RubricRow.id)
            .where(RubricRow.slug == slug)
            .order_by(RubricVersionRow.version)
        )
        return [_stored(r) for r in rows]

    def add(self, rubric: Rubric, created_by: str | None = None) -> tuple[StoredRubric, bool]:
        """Store a new version when the content changed. Returns (latest version, is_new)."""
        current = self.latest(rubric.id)
        if current is not None and current.rubric.content_hash == rubric.content_hash:
            return current, False
        row = self.rubric_row(rubric.id)
        now = now_utc()
        if row is None:
            row = RubricRow(slug=rubric.id, name=rubric.name, created_at=now)
            self.session.add(row)
            self.session.flush()
        row.name = rubric.name
        version = RubricVersionRow(
            rubric_id=row.id,
            version=(current.version + 1) if current else 1,
            content=rubric.canonical(),
            content_hash=rubric.content_hash,
            created_at=now,
            created_by=created_by,
        )
        self.session.add(version)
        self.session.flush()
        return _stored(version), True

    def list(self) -> list[tuple[StoredRubric, int]]:
        """Latest version of every rubric, with its number of versions."""
        counts = dict(
            self.session.execute(
                select(RubricVersionRow.rubric_id, func.count(RubricVersionRow.id)).group_by(
                    RubricVersionRow.rubric_id
                )
            ).all()
        )
        result = []
        for rubric_row in self.session.scalars(select(RubricRow).order_by(RubricRow.slug)):
            latest = self.latest(rubric_row.slug)
            if latest is not None:
                result.append((latest, int(counts.get(rubric_row.id, 0))))
        return result

    # which team is reported on which rubric (docs/rubrics.md, "Who changes a rubric")
    def assign(self, team: TeamRow, slug: str | None) -> None:
        """Report `team` on the rubric `slug` (None: back to the organisation's default)."""
        if slug is None:
            team.rubric_id = None
        else:
            row = self.rubric_row(slug)
            if row is None:
                raise KeyError(slug)
            team.rubric_id = row.id
        self.session.flush()

    def team_assignments(self) -> dict[str, str | None]:
        """Team name -> the slug of its assigned rubric (None: the organisation's default)."""
        rows = self.session.execute(
            select(TeamRow.name, RubricRow.slug)
            .outerjoin(RubricRow, RubricRow.id == TeamRow.rubric_id)
            .order_by(TeamRow.name)
        )
        return {team: slug for team, slug in rows}
