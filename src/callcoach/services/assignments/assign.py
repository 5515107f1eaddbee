"""Give practice assignments (a manager, a review's development plan, the coaching loop's
"two cycles without improvement -> structured practice" rule) and read their progress.

Reps cannot assign practice; they read their own assignments (scope). Every assignment given is
audit-logged.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from callcoach.domain.access import SYSTEM, Role, Viewer
from callcoach.domain.assignments import (
    DEFAULT_DUE_DAYS,
    DEFAULT_SESSIONS,
    RULE_DUE_DAYS,
    RULE_SESSIONS,
    Assignment,
    AssignmentError,
    AssignmentProgress,
    AssignmentSource,
    AssignmentStatus,
    PracticedAttempt,
    TargetKind,
    check_assignment,
    progress,
)
from callcoach.domain.practice import AttemptStatus
from callcoach.services.accounts.users import PermissionDeniedError
from callcoach.services.assessment.coaching import coaching_report
from callcoach.services.assessment.query import AssessmentQuery, resolve_scope
from callcoach.services.common import NotFoundError, ServiceError
from callcoach.services.reviews.common import load_review, scope_of
from callcoach.store.uow import Store, UnitOfWork


class AssignmentServiceError(ServiceError):
    """An assignment refused; nothing was changed."""


def _require_assigner(viewer: Viewer) -> None:
    if viewer.role is Role.REP:
        raise PermissionDeniedError("only managers and administrators assign practice")


def _add(uow: UnitOfWork, assignment: Assignment, viewer: Viewer) -> Assignment:
    """Check and store one assignment for a rep in the viewer's scope."""
    scope = scope_of(uow, viewer)
    rep = uow.reviews.rep_row(assignment.rep, scope=scope)
    if rep is None:
        raise NotFoundError(f"no rep {assignment.rep!r}")
    stored = uow.rubrics.latest(assignment.rubric)
    rubric_row = uow.rubrics.rubric_row(assignment.rubric)
    if stored is None or rubric_row is None:
        raise NotFoundError(f"no rubric {assignment.rubric!r}")
    target = " ".join(assignment.target.split())
    if assignment.target_kind is TargetKind.CRITERION and target not in stored.rubric.criterion_ids:
        raise AssignmentServiceError(
            f"rubric {assignment.rubric!r} has no criterion {target!r}; criteria: "
            f"{', '.join(stored.rubric.criterion_ids)}"
        )
    if not target:
        raise AssignmentServiceError("say what to practise: a criterion or an objection type")
    try:
        check_assignment(assignment.sessions, assignment.due, assignment.assigned_on)
    except AssignmentError as exc:
        raise AssignmentServiceError(str(exc)) from exc
    assignment = replace(assignment, rep=rep[1], target=target)
    new_id = uow.assignments.add(assignment, rep_pk=rep[0], rubric_pk=rubric_row.id)
    uow.audit.record(
        viewer.username,
        "practice.assign",
        rep[1],
        practise=target,
        sessions=assignment.sessions,
        due=assignment.due.isoformat(),
        source=assignment.source.value,
    )
    return replace(assignment, id=new_id)


def assign(
    store: Store,
    rep: str,
    target_kind: TargetKind,
    target: str,
    *,
    rubric: str,
    sessions: int = DEFAULT_SESSIONS,
    due: date | None = None,
    note: str | None = None,
    viewer: Viewer = SYSTEM,
    today: date | None = None,
) -> Assignment:
    """A manager assigns `sessions` practice sessions on a criterion or objection type."""
    _require_assigner(viewer)
    day = today or date.today()
    with store.unit_of_work() as uow:
        return _add(
            uow,
            Assignment(
                id=None,
                rep=rep,
                rubric=rubric,
                target_kind=target_kind,
                target=target,
                sessions=sessions,
                due=due or day + timedelta(days=DEFAULT_DUE_DAYS),
                source=AssignmentSource.MANAGER,
                assigned_by=viewer.username,
                assigned_on=day,
                note=note,
            ),
            viewer,
        )


def assign_from_plan(
    store: Store, review_id: int, viewer: Viewer = SYSTEM, today: date | None = None
) -> list[Assignment]:
    """One assignment per item of the review's written plan: its criterion, one session per
    practice line (at least one), due at the 30-day checkpoint (or in 14 days when none is
    scheduled yet). Items already assigned from this review are skipped."""
    _require_assigner(viewer)
    day = today or date.today()
    with store.unit_of_work() as uow:
        review = load_review(uow, review_id, scope_of(uow, viewer))
        if review.plan is None or not review.plan.items:
            raise AssignmentServiceError(f"review {review_id} has no written plan to assign from")
        done = {
            a.target
            for a, _ in uow.assignments.list(scope=scope_of(uow, viewer), review_id=review_id)
        }
        due = review.summary.checkpoint_on or day + timedelta(days=DEFAULT_DUE_DAYS)
        created = []
        for item in review.plan.items:
            if item.criterion_id in done:
                continue
            lines = [p for p in item.practice if p.strip()]
            created.append(
                _add(
                    uow,
                    Assignment(
                        id=None,
                        rep=review.summary.rep,
                        rubric=review.summary.rubric,
                        target_kind=TargetKind.CRITERION,
                        target=item.criterion_id,
                        sessions=max(1, len(lines)),
                        due=max(due, day),
                        source=AssignmentSource.PLAN,
                        assigned_by=viewer.username,
                        assigned_on=day,
                        review_id=review_id,
                        note="; ".join(lines) or None,
                    ),
                    viewer,
                )
            )
    return created


def assign_from_coaching_rule(
    store: Store, rubric: str, viewer: Viewer = SYSTEM, as_of: date | None = None
) -> list[Assignment]:
    """The coaching loop's rule: each rep flagged "no improvement on the same criterion after two
    consecutive cycles" gets 3 sessions on it, due in 30 days (before the next re-score), unless
    an assignment from the rule on it is still running."""
    _require_assigner(viewer)
    day = as_of or date.today()
    with store.unit_of_work() as uow:
        scope = resolve_scope(uow, AssessmentQuery(rubric=rubric), viewer)
        report = coaching_report(uow, scope, day)
        running = {
            (a.rep, a.target)
            for a, _ in uow.assignments.list(
                scope=scope_of(uow, viewer), source=AssignmentSource.COACHING_RULE
            )
            if a.due >= day
        }
        created = []
        for flag in report.approach_flags:
            if (flag.rep, flag.criterion_id) in running:
                continue
            created.append(
                _add(
                    uow,
                    Assignment(
                        id=None,
                        rep=flag.rep,
                        rubric=report.rubric,
                        target_kind=TargetKind.CRITERION,
                        target=flag.criterion_id,
                        sessions=RULE_SESSIONS,
                        due=day + timedelta(days=RULE_DUE_DAYS),
                        source=AssignmentSource.COACHING_RULE,
                        assigned_by=viewer.username,
                        assigned_on=day,
                        note=f"{flag.message} (no improvement in {', '.join(flag.cycles)})",
                    ),
                    viewer,
                )
            )
    return created


def practiced_attempts(
    uow: UnitOfWork, viewer: Viewer, rep_pks: list[int]
) -> dict[str, list[PracticedAttempt]]:
    """Every practice attempt (moment scenarios) of these reps, by rep name."""
    scope = scope_of(uow, viewer)
    records = uow.practice.attempt_records(scope=scope, rep_pks=rep_pks)
    objections: dict[int, str | None] = {}
    for scenario_id in {r.scenario_id for r in records}:
        scenario = uow.practice.scenario(scenario_id, scope=scope)
        value = scenario.origin.get("objection") if scenario else None
        objections[scenario_id] = str(value) if value else None
    found: dict[str, list[PracticedAttempt]] = {}
    for r in records:
        found.setdefault(r.rep, []).append(
            PracticedAttempt(
                session_id=r.session_id,
                number=r.number,
                criterion_id=r.criterion_id,
                objection=objections[r.scenario_id],
                level=r.level if r.status is AttemptStatus.SCORED else None,
                started_at=r.started_at,
            )
        )
    return found


def assignments_of(
    store: Store,
    viewer: Viewer = SYSTEM,
    rep: str | None = None,
    status: AssignmentStatus | None = None,
    today: date | None = None,
) -> list[AssignmentProgress]:
    """The assignments the viewer may see (a rep: their own), each with its progress."""
    day = today or date.today()
    with store.unit_of_work() as uow:
        scope = scope_of(uow, viewer)
        rep_pks = None
        if rep:
            found = uow.reviews.rep_row(rep, scope=scope)
            if found is None:
                raise NotFoundError(f"no rep {rep!r}")
            rep_pks = [found[0]]
        rows = uow.assignments.list(scope=scope, rep_pks=rep_pks)
        attempts = practiced_attempts(uow, viewer, sorted({pk for _, pk in rows}))
    result = [progress(a, attempts.get(a.rep, []), day) for a, _ in rows]
    return [p for p in result if status is None or p.status is status]
