"""Practice assignments: N practice sessions on a criterion or an objection type, by a due date
(issue 17, section 4).

Who assigns: a manager; a review's development plan (each plan item's criterion, the sessions
its practice lines ask for); or the coaching loop's rule "no improvement on the same criterion
after two consecutive cycles: move from feedback to structured practice". Progress is read from
the rep's practice sessions; a session counts towards an assignment when it practises the
assignment's target, started on or after the day it was assigned and on or before the due day,
and has at least one scored attempt. The level reached in each attempt is kept beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

MAX_SESSIONS = 20  # an assignment is a few deliberate sessions, not a quota
DEFAULT_SESSIONS = 3  # design constant: three sessions when the assigner does not say
DEFAULT_DUE_DAYS = 14  # design constant: two weeks, inside the 30-day coaching loop
RULE_SESSIONS = 3  # the coaching rule's assignment: three sessions...
RULE_DUE_DAYS = 30  # ...before the next 30-day re-score


class AssignmentError(ValueError):
    """An assignment the rules refuse (the message says why)."""


class AssignmentSource(StrEnum):
    MANAGER = "manager"
    PLAN = "plan"  # a review's development plan
    COACHING_RULE = "coaching_rule"  # two cycles without improvement -> structured practice


class TargetKind(StrEnum):
    CRITERION = "criterion"
    OBJECTION = "objection"  # an objection type (its name: the cluster's central quote)


class AssignmentStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Assignment:
    id: int | None
    rep: str
    rubric: str
    target_kind: TargetKind
    target: str  # a criterion id, or an objection type's name
    sessions: int  # how many practice sessions
    due: date
    source: AssignmentSource
    assigned_by: str
    assigned_on: date
    review_id: int | None = None
    note: str | None = None


def check_assignment(sessions: int, due: date, assigned_on: date) -> None:
    if not 1 <= sessions <= MAX_SESSIONS:
        raise AssignmentError(f"sessions must be between 1 and {MAX_SESSIONS}, not {sessions}")
    if due < assigned_on:
        raise AssignmentError(
            f"the due date {due.isoformat()} is before the day it is assigned "
            f"({assigned_on.isoformat()})"
        )


@dataclass(frozen=True)
class PracticedAttempt:
    """One practice attempt of the rep, as assignments read it."""

    session_id: int
    number: int
    criterion_id: str
    objection: str | None  # the objection type the scenario was cut for, if any
    level: int | None  # None: not scored (yet, or not scorable)
    started_at: datetime


@dataclass
class AssignmentProgress:
    assignment: Assignment
    status: AssignmentStatus
    sessions_done: int
    attempts: list[PracticedAttempt] = field(default_factory=list)

    @property
    def levels(self) -> list[int]:
        return [a.level for a in self.attempts if a.level is not None]

    @property
    def best_level(self) -> int | None:
        return max(self.levels) if self.levels else None

    @property
    def last_level(self) -> int | None:
        return self.levels[-1] if self.levels else None


def matches(assignment: Assignment, attempt: PracticedAttempt) -> bool:
    if assignment.target_kind is TargetKind.CRITERION:
        return attempt.criterion_id == assignment.target
    return attempt.objection is not None and attempt.objection == assignment.target


def progress(
    assignment: Assignment, attempts: Sequence[PracticedAttempt], today: date
) -> AssignmentProgress:
    """Which of the rep's attempts count, how many sessions are done, and the status."""
    counted = sorted(
        (
            a
            for a in attempts
            if matches(assignment, a)
            and assignment.assigned_on <= a.started_at.date() <= assignment.due
        ),
        key=lambda a: (a.started_at, a.number),
    )
    done = len({a.session_id for a in counted if a.level is not None})
    if done >= assignment.sessions:
        status = AssignmentStatus.DONE
    elif today > assignment.due:
        status = AssignmentStatus.OVERDUE
    else:
        status = AssignmentStatus.OPEN
    return AssignmentProgress(assignment, status, done, counted)
