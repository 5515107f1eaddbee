"""The teams and reps a viewer may see, for pickers and the team pages."""

from __future__ import annotations

from callcoach.domain.access import SYSTEM, Viewer
from callcoach.domain.calls import Rep, Team
from callcoach.services.common import NotFoundError
from callcoach.store.uow import Store


def roster(store: Store, viewer: Viewer = SYSTEM) -> tuple[list[Team], list[Rep]]:
    """Teams and reps visible to `viewer` (a manager: their teams; a rep: themself)."""
    with store.unit_of_work() as uow:
        visible = uow.people.visible_rep_ids(viewer)
        teams = uow.people.teams()
        reps = uow.people.reps()
        if visible is None:
            return teams, reps
        ids = uow.people.rep_ids([r.name for r in reps])
    shown = [r for r in reps if ids.get(r.name) in visible]
    team_names = {r.team for r in shown} | set(viewer.teams)
    return [t for t in teams if t.name in team_names], shown


def visible_rep(store: Store, name: str, viewer: Viewer = SYSTEM) -> Rep:
    """The rep of that name if the viewer may see them, else NotFoundError like an unknown rep."""
    with store.unit_of_work() as uow:
        row = uow.people.rep_row(name)
        visible = uow.people.visible_rep_ids(viewer)
        if row is None or (visible is not None and row.id not in visible):
            raise NotFoundError(f"no rep {name!r}")
        rep = uow.people.rep(row.name)
    assert rep is not None
    return rep
