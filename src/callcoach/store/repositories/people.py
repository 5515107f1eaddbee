"""Teams and reps."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import ClassVar

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from callcoach.domain.access import Role, Scope, Viewer
from callcoach.domain.calls import Rep, Team
from callcoach.store.models import RepRow, TeamRow
from callcoach.store.repositories.scoping import scoped


def _rep(row: RepRow) -> Rep:
    return Rep(
        name=row.name,
        email=row.email,
        team=row.team.name if row.team else None,
        manager=row.manager or (row.team.manager if row.team else None),
        start_date=row.start_date,
    )


class PeopleRepository:
    UNSCOPED: ClassVar[dict[str, str]] = {
        "team_row": "name resolution for writes (imports, account admin, assignments)",
        "ensure_team": "write",
        "rep_row": "name resolution for writes (imports, account admin)",
        "rep_row_by_email": "name resolution for writes (CRM imports)",
        "ensure_rep": "write",
        "upsert_rep": "write",
        "rep_ids": "name resolution for writes (bulk imports)",
        "set_start_date": "write",
        "scope_for": "builds a scope",
    }

    def __init__(self, session: Session) -> None:
        self.session = session

    # teams
    def team_row(self, name: str) -> TeamRow | None:
        return self.session.scalar(select(TeamRow).where(TeamRow.name == name))

    def ensure_team(
        self, name: str, manager: str | None = None, manager_email: str | None = None
    ) -> TeamRow:
        row = self.team_row(name)
        if row is None:
            row = TeamRow(name=name, manager=manager, manager_email=manager_email)
            self.session.add(row)
            self.session.flush()
        else:
            if manager:
                row.manager = manager
            if manager_email:
                row.manager_email = manager_email
        return row

    def teams(self, *, scope: Scope) -> list[Team]:
        """The teams the scope allows: a manager's own teams and the teams of the reps it
        allows (a rep: their own team)."""
        query = select(TeamRow).order_by(TeamRow.name)
        if scope.rep_ids is not None:
            of_reps = select(RepRow.team_id).where(RepRow.id.in_(sorted(scope.rep_ids)))
            query = query.where(
                or_(TeamRow.id.in_(sorted(scope.team_ids or ())), TeamRow.id.in_(of_reps))
            )
        rows = self.session.scalars(query)
        return [Team(r.name, r.manager, r.manager_email) for r in rows]

    # reps
    def rep_row(self, name: str) -> RepRow | None:
        row = self.session.scalar(select(RepRow).where(RepRow.name == name))
        if row is None:
            row = self.session.scalar(
                select(RepRow).where(func.lower(RepRow.name) == name.strip().lower())
            )
        return row

    def rep_row_by_email(self, email: str) -> RepRow | None:
        return self.session.scalar(
            select(RepRow).where(func.lower(RepRow.email) == email.strip().lower())
        )

    def ensure_rep(self, name: str) -> tuple[RepRow, bool]:
        """The rep of that name, created bare if the roster does not have them yet."""
        row = self.rep_row(name)
        if row is not None:
            return row, False
        row = RepRow(name=name.strip())
        self.session.add(row)
        self.session.flush()
        return row, True

    def upsert_rep(self, rep: Rep) -> tuple[RepRow, bool]:
        row = self.rep_row(rep.name)
        if row is None and rep.email:
            row = self.rep_row_by_email(rep.email)
        created = row is None
        if row is None:
            row = RepRow(name=rep.name)
            self.session.add(row)
        row.name = rep.name
        if rep.email:
            row.email = rep.email
        if rep.team:
            row.team_id = self.ensure_team(rep.team, manager=rep.manager).id
        if rep.manager:
            row.manager = rep.manager
        if rep.start_date:
            row.start_date = rep.start_date
        self.session.flush()
        return row, created

    def rep_names(self, *, scope: Scope) -> list[str]:
        query = select(RepRow.name).order_by(RepRow.name)
        return list(self.session.scalars(scoped(query, RepRow.id, scope)))

    def reps(self, team: str | None = None, *, scope: Scope) -> list[Rep]:
        """The reps the scope allows (of one team)."""
        query = select(RepRow).order_by(RepRow.name)
        if team is not None:
            query = query.join(TeamRow, RepRow.team_id == TeamRow.id).where(TeamRow.name == team)
        return [_rep(r) for r in self.session.scalars(scoped(query, RepRow.id, scope))]

    def rep(self, name: str, *, scope: Scope) -> Rep | None:
        """The rep of that name if the scope allows them (else None, like an unknown name)."""
        exact = scoped(select(RepRow).where(RepRow.name == name), RepRow.id, scope)
        row = self.session.scalar(exact)
        if row is None:
            folded = select(RepRow).where(func.lower(RepRow.name) == name.strip().lower())
            row = self.session.scalar(scoped(folded, RepRow.id, scope))
        return _rep(row) if row else None

    def rep_ids(self, names: Sequence[str]) -> dict[str, int]:
        rows = self.session.execute(select(RepRow.name, RepRow.id).where(RepRow.name.in_(names)))
        return {name: rid for name, rid in rows}

    def set_start_date(self, name: str, start: date) -> None:
        row = self.rep_row(name)
        if row is None:
            raise KeyError(name)
        row.start_date = start

    def _visible_rep_ids(self, viewer: Viewer) -> set[int] | None:
        """Ids of the reps `viewer` may see; None means every rep (administrators)."""
        if viewer.role is Role.ADMIN:
            return None
        if viewer.role is Role.REP:
            row = self.rep_row(viewer.rep) if viewer.rep else None
            return {row.id} if row else set()
        if not viewer.teams:
            return set()
        return set(
            self.session.scalars(
                select(RepRow.id)
                .join(TeamRow, RepRow.team_id == TeamRow.id)
                .where(TeamRow.name.in_(sorted(viewer.teams)))
            )
        )

    def scope_for(self, viewer: Viewer) -> Scope:
        """What `viewer` may see, resolved against the roster now (once per request/command)."""
        rep_ids = self._visible_rep_ids(viewer)
        team_ids: frozenset[int] | None = None
        if viewer.role is Role.MANAGER:
            team_ids = frozenset(
                self.session.scalars(
                    select(TeamRow.id).where(TeamRow.name.in_(sorted(viewer.teams)))
                )
            )
        elif viewer.role is Role.REP:
            team_ids = frozenset()
        return Scope(
            viewer=viewer,
            rep_ids=None if rep_ids is None else frozenset(rep_ids),
            team_ids=team_ids,
        )
