"""Rubric governance: which team is reported on which rubric, and who may change a rubric.

The rules are in `domain/governance.py`; these use cases apply them alike for the web editor,
the API and `callcoach rubric` (docs/rubrics.md, "Who changes a rubric"). Every refusal is a
`PermissionDeniedError` naming the rule and what to do instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from callcoach.domain.access import Role, Viewer
from callcoach.domain.governance import (
    RubricUse,
    assign_refusal,
    change_refusal,
    copy_refusal,
)
from callcoach.domain.rubric import Rubric, check_rubric
from callcoach.ingest.rubric_yaml import dump_rubric
from callcoach.services.accounts.users import PermissionDeniedError
from callcoach.services.common import NotFoundError
from callcoach.services.rubrics.catalog import (
    AddedRubric,
    RubricInvalidError,
    SaveGuard,
    add_rubric_text,
)
from callcoach.store.uow import Store, UnitOfWork


@dataclass(frozen=True)
class TeamRubric:
    """The rubric a team is reported on, and whether it was assigned or is the default."""

    team: str
    rubric_id: str
    rubric_name: str | None  # None: no such rubric stored yet
    version: int | None
    assigned: bool


@dataclass(frozen=True)
class RubricRights:
    """What a viewer may do with one rubric in the editor."""

    rubric_id: str
    used_by: list[str]
    can_change: bool
    refusal: str | None
    copy_teams: list[str]  # teams the viewer may save a copy for


def rubric_use(uow: UnitOfWork, rubric_id: str, default_rubric: str) -> RubricUse:
    """The teams reported on `rubric_id`: those assigned it, and the unassigned ones when it is
    the organisation's default."""
    assignments = uow.rubrics.team_assignments()
    teams = frozenset(
        team
        for team, slug in assignments.items()
        if slug == rubric_id or (slug is None and rubric_id == default_rubric)
    )
    return RubricUse(rubric_id, uow.rubrics.rubric_row(rubric_id) is not None, teams)


def _change_guard(viewer: Viewer, default_rubric: str) -> SaveGuard:
    def guard(uow: UnitOfWork, rubric: Rubric) -> None:
        refusal = change_refusal(viewer, rubric_use(uow, rubric.id, default_rubric))
        if refusal is not None:
            raise PermissionDeniedError(refusal)

    return guard


def save_rubric_text(
    store: Store, text: str, source: str, viewer: Viewer, default_rubric: str
) -> AddedRubric:
    """Store a new version of the rubric if `viewer` may change it (refused otherwise)."""
    if viewer.role is Role.REP:
        raise PermissionDeniedError("only a manager or an administrator can change rubrics")
    return add_rubric_text(
        store, text, source, viewer.username, guard=_change_guard(viewer, default_rubric)
    )


def _document_text(document: Any) -> str:
    check = check_rubric(document)
    if not check.ok or check.rubric is None:
        raise RubricInvalidError(check)
    # Through the YAML text, so the web and `rubric add` store byte-for-byte the same thing.
    return dump_rubric(check.rubric.canonical())


def save_rubric_document(
    store: Store, document: Any, viewer: Viewer, default_rubric: str
) -> AddedRubric:
    """The editor's and the API's save: the document as the rubric's next version."""
    if viewer.role is Role.REP:
        raise PermissionDeniedError("only a manager or an administrator can change rubrics")
    return save_rubric_text(store, _document_text(document), "web editor", viewer, default_rubric)


def copy_id(rubric_id: str, team: str) -> str:
    """The default id of a team's copy: the rubric's id and the team's name, as a slug."""
    team_slug = re.sub(r"[^a-z0-9]+", "-", team.lower()).strip("-") or "team"
    return f"{rubric_id}-{team_slug}"[:100]


def save_rubric_copy(
    store: Store,
    document: Any,
    team: str,
    viewer: Viewer,
    default_rubric: str,
    new_id: str | None = None,
) -> AddedRubric:
    """Save the document as a rubric of `team`'s own (id `new_id`, else the rubric's id with
    the team's name) and report the team on it from now on."""
    if viewer.role is Role.REP:
        raise PermissionDeniedError("only a manager or an administrator can change rubrics")
    check = check_rubric(document)
    if not check.ok or check.rubric is None:
        raise RubricInvalidError(check)
    source = check.rubric
    target = (new_id or "").strip() or copy_id(source.id, team)
    name = source.name if source.name.endswith(f"({team})") else f"{source.name} ({team})"
    copy = source.model_copy(update={"id": target, "name": name})

    def guard(uow: UnitOfWork, rubric: Rubric) -> None:
        if uow.people.team_row(team) is None:
            raise NotFoundError(f"no team {team!r}")
        refusal = copy_refusal(viewer, team, rubric_use(uow, rubric.id, default_rubric))
        if refusal is not None:
            raise PermissionDeniedError(refusal)

    added = add_rubric_text(
        store,
        dump_rubric(copy.canonical()),
        f"copy of {source.id} for {team}",
        viewer.username,
        guard=guard,
    )
    with store.unit_of_work() as uow:
        team_row = uow.people.team_row(team)
        assert team_row is not None
        uow.rubrics.assign(team_row, added.stored.rubric.id)
        uow.audit.record(
            viewer.username, "rubric.copy", team, rubric=added.stored.rubric.id, source=source.id
        )
    return added


def assign_rubric(store: Store, team: str, rubric_id: str | None, viewer: Viewer) -> None:
    """Report `team` on `rubric_id` (None: the organisation's default). Administrators only."""
    refusal = assign_refusal(viewer)
    if refusal is not None:
        raise PermissionDeniedError(refusal)
    with store.unit_of_work() as uow:
        team_row = uow.people.team_row(team)
        if team_row is None:
            known = ", ".join(uow.rubrics.team_assignments()) or "none yet"
            raise NotFoundError(f"no team {team!r}; teams: {known}")
        if rubric_id is not None and uow.rubrics.latest(rubric_id) is None:
            known = ", ".join(s.rubric.id for s, _ in uow.rubrics.list()) or "none yet"
            raise NotFoundError(f"no rubric {rubric_id!r}; rubrics: {known}")
        uow.rubrics.assign(team_row, rubric_id)
        uow.audit.record(viewer.username, "rubric.assign", team, rubric=rubric_id or "default")


def team_rubrics(store: Store, viewer: Viewer, default_rubric: str) -> list[TeamRubric]:
    """Each team the viewer may see with the rubric it is reported on (name and version)."""
    with store.unit_of_work() as uow:
        visible = {t.name for t in uow.people.teams(scope=uow.people.scope_for(viewer))}
        assignments = uow.rubrics.team_assignments()
        result = []
        for team, slug in assignments.items():
            if team not in visible:
                continue
            rubric_id = slug or default_rubric
            stored = uow.rubrics.latest(rubric_id)
            result.append(
                TeamRubric(
                    team=team,
                    rubric_id=rubric_id,
                    rubric_name=stored.rubric.name if stored else None,
                    version=stored.version if stored else None,
                    assigned=slug is not None,
                )
            )
    return result


def rubric_of_team(store: Store, team: str, default_rubric: str) -> str:
    """The rubric `team` is reported on (its assigned one, else the default)."""
    with store.unit_of_work() as uow:
        return uow.rubrics.team_assignments().get(team) or default_rubric


def rubric_rights(
    store: Store, rubric_id: str, viewer: Viewer, default_rubric: str
) -> RubricRights:
    """What the editor offers `viewer` for this rubric: save, or save a copy for a team."""
    with store.unit_of_work() as uow:
        use = rubric_use(uow, rubric_id, default_rubric)
        every_team = list(uow.rubrics.team_assignments())
    refusal = change_refusal(viewer, use)
    if viewer.role is Role.ADMIN:
        copy_teams = every_team
    elif viewer.role is Role.MANAGER:
        copy_teams = sorted(t for t in every_team if t in viewer.teams)
    else:
        copy_teams = []
    return RubricRights(rubric_id, sorted(use.teams), refusal is None, refusal, copy_teams)
