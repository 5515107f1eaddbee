"""Who may change a rubric (docs/rubrics.md, "Who changes a rubric").

A team is reported on one rubric: the one assigned to it, else the organisation's default. A
rubric is *used by* those teams. An administrator changes any rubric and assigns rubrics to
teams. A manager saves a new version only of a rubric used by their own teams alone; a rubric
shared with another team (or used by none) is changed by an administrator, and the manager
saves a copy for their team instead, which the team then uses. A rep changes none.
"""

from __future__ import annotations

from dataclasses import dataclass

from callcoach.domain.access import Role, Viewer


@dataclass(frozen=True)
class RubricUse:
    """A rubric id, whether it is stored, and the teams reported on it."""

    rubric_id: str
    exists: bool
    teams: frozenset[str]


def change_refusal(viewer: Viewer, use: RubricUse) -> str | None:
    """Why `viewer` may not save a new version of the rubric (None: they may)."""
    if viewer.role is Role.ADMIN:
        return None
    if viewer.role is not Role.MANAGER:
        return "only a manager or an administrator can change rubrics"
    name = use.rubric_id
    if not use.exists:
        return (
            f"rubric {name!r} is new: a manager saves a new rubric as a copy for one of their "
            "teams (choose the team), and the team is then reported on it"
        )
    others = sorted(use.teams - viewer.teams)
    if others and not use.teams & viewer.teams:
        who = "an administrator" if len(others) > 1 else "an administrator or that team's manager"
        return (
            f"rubric {name!r} is used by {_teams(others)}, not by yours: only {who} changes "
            "it; save a copy for your team instead"
        )
    if others:
        return (
            f"rubric {name!r} is also used by {_teams(others)}: only an administrator changes "
            "a rubric shared with other teams; save a copy for your team instead"
        )
    if not use.teams:
        return (
            f"rubric {name!r} is used by no team: only an administrator changes it; save a copy "
            "for your team instead"
        )
    return None


def copy_refusal(viewer: Viewer, team: str, target: RubricUse) -> str | None:
    """Why `viewer` may not save a rubric as `target.rubric_id` for `team` (None: they may).

    The copy's id must be new, or a rubric that team alone already uses (saving again then
    stores a new version of the team's own copy).
    """
    if viewer.role is not Role.ADMIN:
        if viewer.role is not Role.MANAGER:
            return "only a manager or an administrator can change rubrics"
        if team not in viewer.teams:
            return f"you do not manage team {team!r}: save a copy for one of your own teams"
    if target.exists and target.teams != {team}:
        users = sorted(target.teams)
        used = f"used by {_teams(users)}" if users else "used by no team"
        return f"rubric {target.rubric_id!r} already exists ({used}): give the copy a new id"
    return None


def assign_refusal(viewer: Viewer) -> str | None:
    if viewer.role is not Role.ADMIN:
        return "only an administrator assigns rubrics to teams"
    return None


def _teams(names: list[str]) -> str:
    return ("team " if len(names) == 1 else "teams ") + ", ".join(names)
