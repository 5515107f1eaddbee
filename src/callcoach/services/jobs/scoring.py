"""Scoring jobs: `callcoach score`, a re-score started on the web, the scoring after an import.

All three are one `score-calls` job on a selection of calls, acting with the access of whoever
asked (a manager's re-score scores their teams' calls). The key is what makes two requests the
same work (rubric, scorer, options, selection, owner), so asking again while the job waits or
runs returns it, and a command run again after its process was killed continues the same job.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from callcoach.domain.access import SYSTEM, Role, Scope, Viewer
from callcoach.services.accounts.users import PermissionDeniedError
from callcoach.services.jobs.kinds import SCORE_CALLS
from callcoach.services.jobs.liveness import now_utc
from callcoach.services.jobs.payloads import payload_key, selection_to_payload
from callcoach.services.jobs.registry import JobRequest
from callcoach.services.rubrics.catalog import get_rubric
from callcoach.services.scoring.runs import CallSelection, call_filter
from callcoach.store.uow import Store


def scoring_request(
    *,
    rubric: str,
    scorer: str,
    selection: CallSelection | None = None,
    scorer_options: dict[str, Any] | None = None,
    rescore: bool = False,
    owner: str | None = None,
    workers: int | None = None,
    origin: str = "command",
) -> JobRequest:
    """A `score-calls` job. `workers` and `origin` do not make it another job."""
    identity: dict[str, Any] = {
        "rubric": rubric,
        "scorer": scorer,
        "scorer_options": dict(scorer_options or {}),
        "rescore": rescore,
        "selection": selection_to_payload(selection or CallSelection()),
        "owner": owner,
    }
    payload = {
        **identity,
        "workers": workers,
        "origin": origin,
        # A re-score redoes scores stored before this; resumed, it skips what it already did.
        "requested_at": now_utc().isoformat(),
    }
    payload.pop("owner")
    return JobRequest(SCORE_CALLS, payload_key(identity), payload, owner)


def rescore_request(
    store: Store, viewer: Viewer, rubric_id: str, scorer: str, *, everything: bool = False
) -> JobRequest:
    """A re-score of the viewer's calls on the rubric's latest version (web and API).

    Calls already scored on that version are skipped unless `everything`; a manager re-scores
    their teams' calls, an administrator every call.
    """
    if viewer.role not in (Role.ADMIN, Role.MANAGER):
        raise PermissionDeniedError("only a manager or an administrator can start jobs")
    stored = get_rubric(store, rubric_id)
    return scoring_request(
        rubric=stored.rubric.id,
        scorer=scorer,
        rescore=everything,
        owner=viewer.username,
        origin="rescore",
    )


def imported_calls_request(
    call_ids: Sequence[str], *, rubric: str, scorer: str, owner: str | None
) -> JobRequest | None:
    """Scoring of freshly imported calls (on by default: CALLCOACH_SCORE_AFTER_IMPORT)."""
    ids = tuple(sorted(set(call_ids)))
    if not ids:
        return None
    return scoring_request(
        rubric=rubric,
        scorer=scorer,
        selection=CallSelection(call_ids=ids),
        owner=owner,
        origin="import",
    )


def imported_calls_requests(
    store: Store, call_ids: Sequence[str], *, default_rubric: str, scorer: str, owner: str | None
) -> list[JobRequest]:
    """Scoring of freshly imported calls, each on the rubric its rep's team is reported on
    (docs/rubrics.md, "Who changes a rubric"): one job per rubric, the default one for calls of
    no team or of a team without an assignment."""
    ids = sorted(set(call_ids))
    if not ids:
        return []
    # System work: the calls were just imported by whoever asked; the job reads them all.
    scope = Scope.system("the scoring after an import: which rubric each new call's team uses")
    with store.unit_of_work() as uow:
        assigned = uow.calls.team_rubrics(ids, scope=scope)
        stored = {s.rubric.id for s, _ in uow.rubrics.list()}
    groups: dict[str, list[str]] = {}
    for call in ids:
        rubric = assigned.get(call)
        groups.setdefault(rubric if rubric in stored else default_rubric, []).append(call)
    requests = [
        imported_calls_request(group, rubric=rubric, scorer=scorer, owner=owner)
        for rubric, group in sorted(groups.items())
    ]
    return [r for r in requests if r is not None]


def check_scoring(
    store: Store, rubric: str, selection: CallSelection | None, viewer: Viewer = SYSTEM
) -> None:
    """Refuse a scoring request naming an unknown rubric, rep, team or call before any job is
    written for it (the error names what exists)."""
    get_rubric(store, rubric)
    with store.unit_of_work() as uow:
        call_filter(uow, selection or CallSelection(), uow.people.scope_for(viewer))
