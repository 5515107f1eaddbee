"""Calibration sets: the same calls rated blind by two or more managers (issue 16 §4).

Rule (the method's calibration step): managers rate the same 5 calls without seeing each other's
levels, then compare; a rubric is trusted once they agree within one point on 80% of levels.
Blindness holds by construction: a rater's levels are kept in the set, and nobody (the other
raters, the set's creator, an administrator) sees them until every rater has rated every call on
every criterion. Then the set is released: its levels become ordinary ratings (source "import",
rater = the manager's username) that `agreement`, the rubric's agreement warning and a manual
review read, and everyone who may see the set sees the comparison.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from callcoach.domain.access import Role, Viewer
from callcoach.domain.calls import Segment
from callcoach.domain.scores import HumanRating
from callcoach.services.accounts.users import PermissionDeniedError
from callcoach.services.common import NotFoundError, ServiceError
from callcoach.store.repositories.calibration_sets import StoredCalibrationSet
from callcoach.store.uow import Store, UnitOfWork

MAX_CALLS = 20


@dataclass
class SetCriterion:
    id: str
    name: str
    anchors: dict[int, str]


@dataclass
class SetCall:
    call_id: str
    rep: str | None
    date: datetime | None
    segments: list[Segment]
    mine: dict[str, int]  # the viewer's own levels (a rater), criterion -> level
    # Released sets only: criterion -> rater -> level, and whether the raters agree within one.
    levels: dict[str, dict[str, int]] = field(default_factory=dict)
    agree: dict[str, bool] = field(default_factory=dict)


@dataclass
class RaterProgress:
    username: str
    calls_rated: int  # calls with every criterion rated
    done: bool


@dataclass
class CalibrationSetView:
    id: int
    name: str
    rubric: str
    rubric_version: int
    created_by: str
    created_at: datetime
    released: bool
    you_rate: bool
    criteria: list[SetCriterion]
    calls: list[SetCall]
    raters: list[RaterProgress]
    # Released: share of (call, criterion) levels where every rater is within one point, overall
    # and per criterion (rule: below 0.8 the anchors need work before the rubric is trusted).
    within_one: float | None = None
    within_one_by_criterion: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class CalibrationSetSummary:
    id: int
    name: str
    rubric: str
    calls: int
    raters: list[str]
    released: bool
    you_rate: bool
    you_done: bool


def _viewer_of(uow: UnitOfWork, username: str) -> Viewer:
    user = uow.users.get(username)
    if user is None or not user.active:
        raise ServiceError(f"no active user {username!r} (see `callcoach user list`)")
    role = Role(user.role)
    if role is Role.REP:
        raise ServiceError(f"{username} is a rep: calibration sets are rated by managers")
    return Viewer(
        username=user.username,
        role=role,
        teams=frozenset(user.teams) if role is Role.MANAGER else frozenset(),
    )


def create_calibration_set(
    store: Store,
    viewer: Viewer,
    *,
    name: str,
    rubric: str,
    call_ids: Sequence[str],
    raters: Sequence[str],
) -> int:
    """A set of calls for `raters` (two or more managers) to rate blind; returns its id."""
    if viewer.role is Role.REP:
        raise PermissionDeniedError("only managers and administrators create calibration sets")
    name = name.strip()
    if not name:
        raise ServiceError("give the calibration set a name")
    calls = list(dict.fromkeys(c.strip() for c in call_ids if c.strip()))
    if not calls or len(calls) > MAX_CALLS:
        raise ServiceError(f"a calibration set holds 1 to {MAX_CALLS} calls (5 is the method's)")
    people = list(dict.fromkeys(r.strip() for r in raters if r.strip()))
    if len(people) < 2:
        raise ServiceError("a calibration set needs at least two raters")
    with store.unit_of_work() as uow:
        rubric_row = uow.rubrics.rubric_row(rubric)
        if rubric_row is None:
            raise NotFoundError(f"no rubric {rubric!r}")
        creator = uow.people.scope_for(viewer)
        rater_scopes = {p: uow.people.scope_for(_viewer_of(uow, p)) for p in people}
        call_pks = []
        for call_id in calls:
            row = uow.calls.row(call_id, scope=creator)
            if row is None:
                raise NotFoundError(f"no call {call_id!r}")
            blind = [p for p, scope in rater_scopes.items() if not scope.allows_rep(row.rep_id)]
            if blind:
                raise ServiceError(
                    f"{', '.join(blind)} may not see call {call_id} (another team's rep): choose "
                    "calls every rater's team covers, or an administrator as rater"
                )
            call_pks.append(row.id)
        set_id = uow.calibration_sets.add(name, rubric_row.id, viewer.username, call_pks, people)
        uow.audit.record(
            viewer.username, "calibration.create", f"calibration set {set_id}",
            name=name, rubric=rubric, calls=calls, raters=people,
        )  # fmt: skip
        return set_id


def _visible(
    found: StoredCalibrationSet | None, viewer: Viewer, set_id: int
) -> StoredCalibrationSet:
    if found is None or not (
        viewer.sees_everything
        or viewer.username == found.created_by
        or viewer.username in found.raters
    ):
        raise NotFoundError(f"no calibration set {set_id}")
    return found


def list_calibration_sets(store: Store, viewer: Viewer) -> list[CalibrationSetSummary]:
    with store.unit_of_work() as uow:
        out = []
        for found in uow.calibration_sets.all():
            visible = viewer.sees_everything or viewer.username in (found.created_by, *found.raters)
            if not visible:
                continue
            you_done = False
            if viewer.username in found.raters:
                criteria = _criteria(uow, found)
                mine = uow.calibration_sets.ratings(found.id, viewer.username)
                you_done = len(mine) >= len(found.calls) * len(criteria)
            out.append(
                CalibrationSetSummary(
                    id=found.id,
                    name=found.name,
                    rubric=found.rubric_slug,
                    calls=len(found.calls),
                    raters=found.raters,
                    released=found.released_at is not None,
                    you_rate=viewer.username in found.raters,
                    you_done=you_done,
                )
            )
        return out


def _criteria(uow: UnitOfWork, found: StoredCalibrationSet) -> list[SetCriterion]:
    stored = uow.rubrics.versions(found.rubric_slug)[-1]
    return [
        SetCriterion(c.id, c.name, {int(k): v for k, v in dict(c.anchors).items()})
        for c in stored.rubric.criteria
    ]


def show_calibration_set(store: Store, viewer: Viewer, set_id: int) -> CalibrationSetView:
    """The set as `viewer` may see it: their own levels until it is released, then everyone's."""
    with store.unit_of_work() as uow:
        found = _visible(uow.calibration_sets.get(set_id), viewer, set_id)
        criteria = _criteria(uow, found)
        version = uow.rubrics.versions(found.rubric_slug)[-1].version
        released = found.released_at is not None
        shown = uow.calibration_sets.ratings(set_id, None if released else viewer.username)
        counts = uow.calibration_sets.ratings(set_id)
        # What the viewer's scope shows now (the roster may have changed since the set was made).
        scope = uow.people.scope_for(viewer)
        segments = uow.calls.segments([c[0] for c in found.calls], scope=scope)
        reps = {
            r[0]: r[1]
            for r in uow.analytics.rep_rows(
                sorted({c[2] for c in found.calls if c[2]}), scope=scope
            )
        }
        calls = []
        for pk, call_id, rep_pk, when in found.calls:
            mine = {
                r.criterion_id: r.level
                for r in shown
                if r.call_pk == pk and r.username == viewer.username
            }
            call = SetCall(
                call_id, reps.get(rep_pk) if rep_pk else None, when, segments.get(pk, []), mine
            )
            if released:
                for r in shown:
                    if r.call_pk == pk:
                        call.levels.setdefault(r.criterion_id, {})[r.username] = r.level
                call.agree = {
                    c: max(v.values()) - min(v.values()) <= 1 for c, v in call.levels.items()
                }
            calls.append(call)
        progress = []
        for rater in found.raters:
            per_call: dict[int, int] = {}
            for r in counts:
                if r.username == rater:
                    per_call[r.call_pk] = per_call.get(r.call_pk, 0) + 1
            rated = sum(1 for n in per_call.values() if n >= len(criteria))
            progress.append(RaterProgress(rater, rated, rated == len(found.calls)))
        view = CalibrationSetView(
            id=found.id, name=found.name, rubric=found.rubric_slug, rubric_version=version,
            created_by=found.created_by, created_at=found.created_at, released=released,
            you_rate=viewer.username in found.raters and not released,
            criteria=criteria, calls=calls, raters=progress,
        )  # fmt: skip
        if released:
            pairs = [(c, ok) for call in calls for c, ok in call.agree.items()]
            if pairs:
                view.within_one = sum(ok for _, ok in pairs) / len(pairs)
            for crit in criteria:
                mine_pairs = [ok for c, ok in pairs if c == crit.id]
                if mine_pairs:
                    view.within_one_by_criterion[crit.id] = sum(mine_pairs) / len(mine_pairs)
        return view


def rate_calibration_call(
    store: Store,
    viewer: Viewer,
    set_id: int,
    call_id: str,
    levels: Mapping[str, int],
    notes: Mapping[str, str] | None = None,
) -> bool:
    """Store `viewer`'s levels for one call of the set (every criterion, 1-5). Returns True when
    this completed the set and released it."""
    with store.unit_of_work() as uow:
        found = _visible(uow.calibration_sets.get(set_id), viewer, set_id)
        if viewer.username not in found.raters:
            raise PermissionDeniedError(f"{viewer.username} is not a rater of this set")
        if found.released_at is not None:
            raise ServiceError("this set is complete: its ratings are released and final")
        call_pk = next((c[0] for c in found.calls if c[1] == call_id), None)
        if call_pk is None:
            raise NotFoundError(f"call {call_id!r} is not in calibration set {set_id}")
        criteria = _criteria(uow, found)
        known = {c.id for c in criteria}
        unknown = sorted(set(levels) - known)
        if unknown:
            raise ServiceError(
                f"unknown criteria {', '.join(unknown)}; the rubric has {', '.join(sorted(known))}"
            )
        missing = sorted(known - set(levels))
        if missing:
            raise ServiceError(f"rate every criterion of the call: missing {', '.join(missing)}")
        for crit, level in levels.items():
            if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 5:
                raise ServiceError(f"{crit}: a level is a whole number from 1 to 5, not {level!r}")
        for crit, level in levels.items():
            note = (notes or {}).get(crit) or None
            uow.calibration_sets.save_rating(set_id, call_pk, crit, viewer.username, level, note)
        every = uow.calibration_sets.ratings(set_id)
        if len(every) < len(found.calls) * len(criteria) * len(found.raters):
            return False
        for r in every:
            external = next(c[1] for c in found.calls if c[0] == r.call_pk)
            rating = HumanRating(external, r.username, r.criterion_id, r.level, note=r.note)
            uow.scores.save_rating(rating, r.call_pk, found.rubric_pk)
        uow.calibration_sets.release(set_id)
        uow.audit.record(viewer.username, "calibration.release", f"calibration set {set_id}")
        return True
