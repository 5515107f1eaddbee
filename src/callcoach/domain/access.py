"""Who is asking, and what they may see.

Role rules: an administrator sees everything; a manager the reps of their teams; a rep only
themself. A `Viewer` says who is asking; a `Scope` is what that viewer may see, resolved against
the roster once per request or command (store: `uow.people.scope_for(viewer)`). Every
repository read that returns people's data (calls, scores, ratings, deals, reviews, practice)
takes a `Scope` as a required argument, so a new query cannot forget it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    REP = "rep"


@dataclass(frozen=True)
class Viewer:
    """The person a service acts for. Services filter everything they return through it."""

    username: str
    role: Role
    rep: str | None = None  # the rep a `rep` user is
    teams: frozenset[str] = field(default_factory=frozenset)  # the teams a manager manages

    @property
    def sees_everything(self) -> bool:
        return self.role is Role.ADMIN


# The command line acts as an administrator of its own database.
SYSTEM = Viewer(username="cli", role=Role.ADMIN)


@dataclass(frozen=True)
class Scope:
    """The rows of people's data one viewer may see, resolved once from the roster.

    `rep_ids` None means every rep (administrators and the command line). A manager's scope
    holds the reps of their teams at the time it was built; a rep's, their own rep only.
    """

    viewer: Viewer
    rep_ids: frozenset[int] | None
    team_ids: frozenset[int] | None = None
    purpose: str | None = None  # why a system scope sees everything (jobs, scoring, demo)

    @classmethod
    def system(cls, purpose: str) -> Scope:
        """Everything, for work no person asked to see: a scoring run, a job, the demo, an
        import matching its rows. Named so that every such read can be found and audited
        (`grep -rn "Scope.system("`), never the effect of a forgotten argument."""
        if not purpose.strip():
            raise ValueError("a system scope names its purpose")
        return cls(viewer=SYSTEM, rep_ids=None, team_ids=None, purpose=purpose)

    def widened(self, rep_ids: frozenset[int] | set[int] | None, purpose: str) -> Scope:
        """This viewer's scope widened to `rep_ids` (None: every rep) for a named purpose that
        only reads aggregates of them: a rep's scorecard is benchmarked against their team, so
        the team's levels are read though only the rep's own rows are shown."""
        return Scope(
            viewer=self.viewer,
            rep_ids=None if rep_ids is None else frozenset(rep_ids),
            team_ids=self.team_ids,
            purpose=purpose,
        )

    @property
    def everything(self) -> bool:
        return self.rep_ids is None

    def allows_rep(self, rep_pk: int | None) -> bool:
        """Whether a row owned by this rep (None: no rep) is visible. Rows without a rep are
        organisation data only administrators see."""
        if self.rep_ids is None:
            return True
        return rep_pk is not None and rep_pk in self.rep_ids

    def narrowed(self, rep_ids: frozenset[int] | set[int] | None) -> frozenset[int] | None:
        """The reps both this scope and a further filter allow (None: no limit)."""
        if rep_ids is None:
            return self.rep_ids
        wanted = frozenset(rep_ids)
        return wanted if self.rep_ids is None else wanted & self.rep_ids
