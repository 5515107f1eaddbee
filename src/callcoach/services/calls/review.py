"""Calls as people browse them: scoped lists and search, the call review, overrides, audio.

Every function takes the asking `viewer`; a call the viewer may not see raises NotFoundError with
the same message as an unknown call, so nothing tells a rep that a colleague's call exists.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from callcoach.domain.access import SYSTEM, Role, Scope, Viewer
from callcoach.domain.calls import Call
from callcoach.domain.rubric import Rubric
from callcoach.domain.scores import CallScore, HumanRating, is_valid_level
from callcoach.services.accounts.users import PermissionDeniedError
from callcoach.services.common import NotFoundError, ServiceError
from callcoach.store.repositories.browse import CallListing, CallListItem
from callcoach.store.repositories.calls import CallFilter, now_utc
from callcoach.store.uow import Store, UnitOfWork

OVERRIDE_SOURCE = "override"
MAX_PAGE = 200


@dataclass(frozen=True)
class CallPage:
    items: list[CallListItem]
    total: int
    offset: int
    limit: int


@dataclass
class ScoredRun:
    """One machine run on the call, with the rubric version it used (for names and anchors)."""

    score: CallScore
    rubric: Rubric | None


@dataclass
class CallReview:
    call: Call
    team: str | None
    deal_outcome: str | None
    runs: list[ScoredRun]
    ratings: list[HumanRating]
    can_override: bool
    has_audio: bool = False
    feedback: dict[tuple[str, str, int], str] = field(default_factory=dict)

    def run(self, rubric_id: str | None = None) -> ScoredRun | None:
        """The run to show: the newest of `rubric_id` (or of any rubric)."""
        runs = [r for r in self.runs if rubric_id is None or r.score.rubric_id == rubric_id]
        if not runs:
            return None
        return max(
            runs,
            key=lambda r: (r.score.rubric_version, r.score.created_at or datetime.min),
        )

    def ratings_for(self, rubric_id: str, criterion_id: str) -> list[HumanRating]:
        return [
            r for r in self.ratings if r.rubric_id == rubric_id and r.criterion_id == criterion_id
        ]


def list_calls(
    store: Store,
    viewer: Viewer = SYSTEM,
    *,
    filters: CallFilter | None = None,
    text: str | None = None,
    offset: int = 0,
    limit: int = 50,
    listing: CallListing | None = None,
) -> CallPage:
    """The calls the viewer may see, in the listing's order (newest first by default);
    `text` searches transcripts, accounts and call ids."""
    limit = max(1, min(limit, MAX_PAGE))
    offset = max(0, offset)
    with store.unit_of_work() as uow:
        items, total = uow.browse.list_calls(
            filters or CallFilter(),
            text,
            offset,
            limit,
            listing,
            scope=uow.people.scope_for(viewer),
        )
    return CallPage(items, total, offset, limit)


def iter_listed_calls(
    store: Store,
    viewer: Viewer = SYSTEM,
    *,
    filters: CallFilter | None = None,
    text: str | None = None,
    listing: CallListing | None = None,
    batch: int = MAX_PAGE,
) -> Iterator[CallListItem]:
    """Every call of a listing, in its order, a page at a time (the CSV export of a list)."""
    offset = 0
    while True:
        page = list_calls(
            store, viewer, filters=filters, text=text, offset=offset, limit=batch, listing=listing
        )
        yield from page.items
        offset += len(page.items)
        if not page.items or offset >= page.total:
            return


def call_type_options(store: Store, viewer: Viewer = SYSTEM) -> list[str]:
    """The call types among the calls the viewer may see."""
    with store.unit_of_work() as uow:
        return uow.browse.call_types(scope=uow.people.scope_for(viewer))


def _visible_call(uow: UnitOfWork, access: Scope, call_id: str) -> tuple[int, str | None]:
    owner = uow.browse.call_owner(call_id, scope=access)
    if owner is None:
        raise NotFoundError(f"no call {call_id!r}")
    return owner.call_pk, owner.audio_path


def can_override(viewer: Viewer) -> bool:
    """Managers (of the call's team, which visibility already ensures) and administrators."""
    return viewer.role in (Role.ADMIN, Role.MANAGER)


def review_call(store: Store, call_id: str, viewer: Viewer = SYSTEM) -> CallReview:
    """A call with every machine run on it and every human rating, as the viewer may see it."""
    with store.unit_of_work() as uow:
        access = uow.people.scope_for(viewer)
        call_pk, audio_path = _visible_call(uow, access, call_id)
        call = uow.calls.get(call_id, scope=access)
        if call is None:  # pragma: no cover - the owner row was just read
            raise NotFoundError(f"no call {call_id!r}")
        runs = []
        for score in uow.scores.for_call(call_id, scope=access):
            stored = uow.rubrics.version(score.rubric_id, score.rubric_version)
            runs.append(ScoredRun(score, stored.rubric if stored else None))
        ratings = uow.browse.ratings_for_call(call_pk, scope=access)
        team = uow.browse.team_of_rep(call.rep, scope=access) if call.rep else None
        # The call's deal comes with the call (an imported deal may name no rep).
        deal = (
            uow.deals.row(call.deal_external_id, scope=Scope.system("the deal of a visible call"))
            if call.deal_external_id
            else None
        )
        return CallReview(
            call=call,
            team=team,
            deal_outcome=deal.outcome if deal else None,
            runs=runs,
            ratings=ratings,
            can_override=can_override(viewer),
            has_audio=bool(audio_path),
        )


def override_level(
    store: Store,
    call_id: str,
    rubric_id: str,
    criterion_id: str,
    level: int,
    note: str | None,
    viewer: Viewer,
) -> HumanRating:
    """A manager's judgement replacing the machine's level, kept as a human rating.

    The machine score stays as it was (it is what agreement is measured against); the override
    is stored with source "override", the manager as rater and the time, and audited.
    """
    if not is_valid_level(level):
        raise ServiceError(f"level must be a whole number 1-5, got {level!r}")
    with store.unit_of_work() as uow:
        access = uow.people.scope_for(viewer)
        call_pk, _ = _visible_call(uow, access, call_id)
        if not can_override(viewer):
            raise PermissionDeniedError("only a manager or an administrator can override a score")
        stored = uow.rubrics.latest(rubric_id)
        rubric_row = uow.rubrics.rubric_row(rubric_id)
        if stored is None or rubric_row is None:
            raise NotFoundError(f"no rubric {rubric_id!r}")
        if criterion_id not in stored.rubric.criterion_ids:
            raise ServiceError(
                f"rubric {rubric_id!r} has no criterion {criterion_id!r}; criteria: "
                + ", ".join(stored.rubric.criterion_ids)
            )
        machine = [
            s.level_of(criterion_id)
            for s in uow.scores.for_call(call_id, scope=access)
            if s.rubric_id == rubric_id
        ]
        rating = HumanRating(
            call_id=call_id,
            rater=viewer.username,
            criterion_id=criterion_id,
            level=level,
            rubric_id=rubric_id,
            note=(note or "").strip() or None,
            source=OVERRIDE_SOURCE,
            created_at=now_utc(),
        )
        uow.scores.save_rating(rating, call_pk, rubric_row.id)
        uow.audit.record(
            viewer.username,
            "score.override",
            f"{call_id} {rubric_id}/{criterion_id}",
            level=level,
            machine_level=machine[-1] if machine else None,
            note=rating.note,
        )
        return rating


def audio_file(store: Store, call_id: str, viewer: Viewer = SYSTEM) -> Path:
    """The call's audio file, if the viewer may see the call and the file is still there."""
    with store.unit_of_work() as uow:
        _, audio_path = _visible_call(uow, uow.people.scope_for(viewer), call_id)
    if not audio_path:
        raise NotFoundError(f"call {call_id!r} has no audio")
    path = Path(audio_path)
    if not path.is_file():
        raise NotFoundError(f"the audio file of call {call_id!r} is no longer at {audio_path}")
    return path


def visible_scores(
    store: Store,
    viewer: Viewer = SYSTEM,
    *,
    rubric_id: str | None = None,
    filters: CallFilter | None = None,
) -> Iterator[CallScore]:
    """Every stored machine score on calls the viewer may see (for exports and the API)."""
    with store.unit_of_work() as uow:
        access = uow.people.scope_for(viewer)
        scores = list(uow.scores.all(rubric_id, scope=access))
        if filters is not None:
            ids = set(uow.calls.external_ids(filters, scope=access))
            scores = [s for s in scores if s.call_id in ids]
    yield from scores


def give_evidence_feedback(
    store: Store,
    call_id: str,
    rubric_id: str,
    criterion_id: str,
    segment: int,
    verdict: str,
    viewer: Viewer,
    note: str | None = None,
) -> None:
    """A manager confirming or rejecting an evidence quote; the scorer learns from it."""
    from callcoach.domain.scores import FeedbackVerdict
    from callcoach.services.scoring.teaching import record_feedback

    try:
        parsed = FeedbackVerdict(verdict)
    except ValueError as exc:
        raise ServiceError(f"verdict must be 'confirmed' or 'rejected', got {verdict!r}") from exc
    with store.unit_of_work() as uow:
        _visible_call(uow, uow.people.scope_for(viewer), call_id)
    if not can_override(viewer):
        raise PermissionDeniedError("only a manager or an administrator can judge evidence")
    record_feedback(
        store,
        call_id=call_id,
        criterion_id=criterion_id,
        segment=segment,
        verdict=parsed,
        rubric_id=rubric_id,
        rater=viewer.username,
        note=note,
        viewer=viewer,
    )


def evidence_verdicts(
    store: Store, call_id: str, viewer: Viewer
) -> dict[tuple[str, str, int], str]:
    """The viewer's own verdicts on this call's evidence: (rubric, criterion, segment) -> verdict."""
    from callcoach.services.scoring.teaching import list_feedback

    return {
        (
            i.feedback.rubric_id,
            i.feedback.criterion_id,
            i.feedback.segment,
        ): i.feedback.verdict.value
        for i in list_feedback(store, call_id=call_id, viewer=viewer)
        if i.feedback.rater == viewer.username
    }
