"""Who is asking. Role rules: admin sees all; a manager their teams; a rep themself only."""

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
