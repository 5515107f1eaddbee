"""The teams and reps a viewer may see, for pickers and the team pages."""

from __future__ import annotations

from callcoach.domain.access import SYSTEM, Viewer
from callcoach.domain.calls import Rep, Team
from callcoach.services.common import NotFoundError
from callcoach.store.uow import Store


def roster(store: Store, viewer: Viewer = SYSTEM) -> tuple[list[Team], list[Rep]]:
    """Teams and reps visible to `viewer` (a manager: their teams; a rep: themself)."""
    with store.unit_of_work() as uow:
        access = uow.people.scope_for(viewer)
        return uow.people.teams(scope=access), uow.people.reps(scope=access)


def visible_rep(store: Store, name: str, viewer: Viewer = SYSTEM) -> Rep:
    """The rep of that name if the viewer may see them, else NotFoundError like an unknown rep."""
    with store.unit_of_work() as uow:
        rep = uow.people.rep(name, scope=uow.people.scope_for(viewer))
    if rep is None:
        raise NotFoundError(f"no rep {name!r}")
    return rep
