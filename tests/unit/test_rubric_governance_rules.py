"""Who may change a rubric: the pure rules (domain/governance.py, docs/rubrics.md)."""

from __future__ import annotations

from callcoach.domain.access import Role, Viewer
from callcoach.domain.governance import RubricUse, assign_refusal, change_refusal, copy_refusal

ADMIN = Viewer("root", Role.ADMIN)
MIA = Viewer("mia", Role.MANAGER, teams=frozenset({"East"}))
BOTH = Viewer("bo", Role.MANAGER, teams=frozenset({"East", "West"}))
ANA = Viewer("ana", Role.REP, rep="Ana")


def use(rubric: str, *teams: str, exists: bool = True) -> RubricUse:
    return RubricUse(rubric, exists, frozenset(teams))


def test_a_manager_changes_a_rubric_only_their_own_teams_use() -> None:
    assert change_refusal(MIA, use("east-only", "East")) is None
    assert change_refusal(BOTH, use("shared", "East", "West")) is None
    refusal = change_refusal(MIA, use("shared", "East", "West"))
    assert refusal is not None
    assert "also used by team West" in refusal and "save a copy for your team" in refusal


def test_a_rubric_of_no_team_or_a_new_one_is_not_a_managers_to_change() -> None:
    unused = change_refusal(MIA, use("orphan"))
    assert unused is not None and "used by no team" in unused
    new = change_refusal(MIA, use("brand-new", exists=False))
    assert new is not None and "copy for one of their teams" in new


def test_an_administrator_changes_any_rubric_and_a_rep_none() -> None:
    assert change_refusal(ADMIN, use("shared", "East", "West")) is None
    assert change_refusal(ADMIN, use("brand-new", exists=False)) is None
    refusal = change_refusal(ANA, use("east-only", "East"))
    assert refusal == "only a manager or an administrator can change rubrics"


def test_a_copy_is_for_the_managers_own_team_under_a_free_id() -> None:
    assert copy_refusal(MIA, "East", use("shared-east", exists=False)) is None
    # Saving the team's own copy again is a new version of it.
    assert copy_refusal(MIA, "East", use("shared-east", "East")) is None
    other_team = copy_refusal(MIA, "West", use("shared-west", exists=False))
    assert other_team is not None and "do not manage team 'West'" in other_team
    taken = copy_refusal(MIA, "East", use("shared", "East", "West"))
    assert taken is not None and "already exists (used by teams East, West)" in taken
    assert copy_refusal(ANA, "East", use("x", exists=False)) is not None
    assert copy_refusal(ADMIN, "West", use("shared-west", exists=False)) is None


def test_only_an_administrator_assigns_rubrics() -> None:
    assert assign_refusal(ADMIN) is None
    assert assign_refusal(MIA) == "only an administrator assigns rubrics to teams"
    assert assign_refusal(ANA) is not None
