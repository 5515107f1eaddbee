"""`review prepare`: build a rep's pack and store it as a new draft review; or a whole team's.

`prepare_team_reviews` is written to be run by a job worker as well as by the CLI: plain
arguments in (store, team, as-of, viewer), a JSON-able result out, progress through the
services' Progress protocol.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

from callcoach.analytics.reviews import Window
from callcoach.analytics.reviews_pack import ReviewPack
from callcoach.domain.access import SYSTEM, Viewer
from callcoach.domain.reviews import ReviewParameters, WrittenPlan
from callcoach.services.common import NoProgress, NotFoundError, Progress, ServiceError
from callcoach.services.reviews.common import (
    pack_to_json,
    parameters,
    plan_to_json,
    require_manager,
    scope_of,
)
from callcoach.services.reviews.evidence import Encoder
from callcoach.services.reviews.gather import Association, organisation_association
from callcoach.services.reviews.pack import build_pack
from callcoach.settings import Settings
from callcoach.store.uow import Store, UnitOfWork


@dataclass
class Prepared:
    review_id: int
    rep: str
    pack: ReviewPack
    seconds: float


def default_encoder(settings: Settings | None = None) -> Encoder:
    """The bundled MiniLM, loaded once per process on first use."""
    from callcoach.scoring.embedding_model import shared_model

    return shared_model((settings or Settings()).embedding_model)


def _store_pack(uow: UnitOfWork, viewer: Viewer, pack: ReviewPack, rubric_pk: int) -> int:
    rep = uow.reviews.rep_row(pack.rep, scope=scope_of(uow, viewer))
    assert rep is not None
    plan = WrittenPlan(items=list(pack.plan.items))
    review_id = uow.reviews.create(
        rep_pk=rep[0],
        manager=viewer.username,
        rubric_pk=rubric_pk,
        rubric_version=pack.rubric_version,
        scorer=pack.scorer,
        as_of=pack.as_of,
        window_start=pack.window_start,
        pack=pack_to_json(pack),
        plan=plan_to_json(plan),
    )
    uow.audit.record(
        viewer.username,
        "review.prepare",
        pack.rep,
        review=review_id,
        as_of=pack.as_of.isoformat(),
        window_days=pack.window_days,
    )
    return review_id


def prepare_review(
    store: Store,
    rep: str,
    *,
    rubric: str,
    as_of: date | None = None,
    window_days: int | None = None,
    viewer: Viewer = SYSTEM,
    settings: Settings | None = None,
    preferred_scorer: str = "embedded",
    encoder: Encoder | None = None,
    association: dict[str, Association] | None = None,
) -> Prepared:
    """Gather the evidence, build the pack and store it as a draft review (one transaction:
    on any error nothing is written)."""
    require_manager(viewer, "prepare a review")
    started = time.perf_counter()
    params = _params(settings, window_days)
    day = as_of or date.today()
    encoder = encoder if encoder is not None else default_encoder(settings)
    with store.unit_of_work() as uow:
        access = scope_of(uow, viewer)
        if uow.reviews.rep_row(rep, scope=access) is None:
            raise NotFoundError(f"no rep {rep!r}")
        if association is None:
            association = _association(
                uow, access.viewer, rubric, preferred_scorer, day, params, rep
            )
        pack = build_pack(
            uow, access, rep, rubric, preferred_scorer, day, params, association, encoder
        )
        rubric_pk = uow.analytics.rubric_pk(pack.rubric)
        assert rubric_pk is not None
        review_id = _store_pack(uow, viewer, pack, rubric_pk)
    return Prepared(review_id, pack.rep, pack, time.perf_counter() - started)


def _params(settings: Settings | None, window_days: int | None) -> ReviewParameters:
    params = parameters(settings)
    if window_days is not None:
        if window_days < 7:
            raise ServiceError(f"--window {window_days}d is too short: 7 days or more")
        params = params.with_overrides(window_days=window_days)
    return params


def _association(
    uow: UnitOfWork,
    viewer: Viewer,
    rubric: str,
    preferred_scorer: str,
    day: date,
    params: ReviewParameters,
    rep: str,
) -> dict[str, Association]:
    from callcoach.services.assessment.query import AssessmentQuery, resolve_scope

    query = resolve_scope(
        uow,
        AssessmentQuery(rubric=rubric, preferred_scorer=preferred_scorer, rep=rep),
        viewer,
        require_scores=False,
    )
    return organisation_association(uow, query, day, params)


@dataclass
class TeamPreparation:
    team: str
    as_of: date
    prepared: list[dict[str, object]] = field(default_factory=list)  # review id, rep, seconds
    failed: list[dict[str, str]] = field(default_factory=list)  # rep, reason
    seconds: float = 0.0
    already: list[dict[str, object]] = field(default_factory=list)  # review id, rep (skipped)


def prepare_team_reviews(
    store: Store,
    team: str,
    *,
    rubric: str,
    as_of: date | None = None,
    window_days: int | None = None,
    viewer: Viewer = SYSTEM,
    settings: Settings | None = None,
    preferred_scorer: str = "embedded",
    progress: Progress | None = None,
    encoder: Encoder | None = None,
    skip_existing: bool = False,
) -> TeamPreparation:
    """Every rep's pack for a review cycle. A rep whose window holds no data is reported and
    skipped; the others are prepared, each in its own transaction. With `skip_existing` (a
    resumed job), a rep who already has a draft of this cycle (same as-of date and window) is
    not prepared again."""
    require_manager(viewer, "prepare reviews")
    progress = progress or NoProgress()
    started = time.perf_counter()
    params = _params(settings, window_days)
    day = as_of or date.today()
    with store.unit_of_work() as uow:
        access = scope_of(uow, viewer)
        members = uow.reviews.team_rep_pks(team, scope=access)
        if not members:
            raise NotFoundError(f"no team {team!r}")
        association = _association(
            uow, viewer, rubric, preferred_scorer, day, params, members[0][1]
        )
    encoder = encoder if encoder is not None else default_encoder(settings)
    result = TeamPreparation(team=team, as_of=day)
    progress.start(f"Preparing the {team} review packs", len(members))
    existing: dict[int, int] = {}
    if skip_existing:
        window_start = Window.before(day, params.window_days).start
        with store.unit_of_work() as uow:
            for summary in uow.reviews.summaries(
                scope=scope_of(uow, viewer), rep_pks=[pk for pk, _ in members], states=["draft"]
            ):
                if summary.as_of == day and summary.window_start == window_start:
                    existing.setdefault(summary.rep_pk, summary.id)
    for pk, name in members:
        if pk in existing:
            result.already.append({"review": existing[pk], "rep": name})
            progress.advance()
            continue
        try:
            done = prepare_review(
                store,
                name,
                rubric=rubric,
                as_of=day,
                window_days=params.window_days,
                viewer=viewer,
                settings=settings,
                preferred_scorer=preferred_scorer,
                encoder=encoder,
                association=association,
            )
        except ServiceError as exc:
            result.failed.append({"rep": name, "reason": str(exc)})
        else:
            result.prepared.append(
                {"review": done.review_id, "rep": name, "seconds": round(done.seconds, 3)}
            )
        progress.advance()
    result.seconds = time.perf_counter() - started
    return result
