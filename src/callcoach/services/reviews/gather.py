"""Evidence gathered first: every read a review pack needs, in one unit of work, scoped.

The rep's team is read too (team benchmarks); the organisation's closed deals of the last
`outcome_days` give each criterion's relation to winning (an aggregate: no other rep's rows
leave this module), computed once per team cycle.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from callcoach.analytics.cycles import Cycle, window_cycle
from callcoach.analytics.levels import ScoreTable
from callcoach.analytics.outcomes import deal_levels
from callcoach.analytics.reviews import ActivityDay, DealFacts, QuotaPeriod, Window
from callcoach.domain.access import Scope
from callcoach.domain.reviews import ReviewParameters
from callcoach.services.assessment.query import (
    AssessmentQuery,
    load_score_table,
    resolve_scope,
)
from callcoach.services.assessment.query import Question as AssessmentScope
from callcoach.services.common import NotFoundError
from callcoach.store.uow import UnitOfWork

LOOKBACK_DAYS = 365  # won deals to compare lost ones with, when the window has none


@dataclass(frozen=True)
class Association:
    """A criterion's point-biserial correlation with winning across the organisation's closed
    deals (each deal the mean of its scored calls), as `callcoach outcomes` computes it."""

    r: float | None
    p_value: float | None
    deals: int


@dataclass
class RepRecord:
    pk: int
    name: str
    team: str | None
    manager: str | None
    start_date: date | None


@dataclass
class Gathered:
    rep: RepRecord
    window: Window
    query: AssessmentScope  # rubric, versions, scorer, criteria, the team (population)
    team_pks: list[int]
    team_table: ScoreTable  # the team's scored calls in the window
    history: ScoreTable  # every scored call of the rep up to the as-of day
    calls: list[tuple[int, str, datetime | None, str | None, int | None]]  # window, all
    deals: list[DealFacts]  # the team's
    deal_calls: dict[int, list[tuple[int, date | None]]]  # the rep's deals -> (call, day)
    activity: list[ActivityDay]
    quotas: list[QuotaPeriod]
    coaching: list[tuple[int, int, str, str, date, str | None, str | None]]
    descriptions: dict[str, str]


def _end(as_of: date) -> datetime:
    return datetime.combine(as_of + timedelta(days=1), datetime.min.time())


def gather(
    uow: UnitOfWork,
    access: Scope,
    rep_name: str,
    rubric: str,
    preferred_scorer: str,
    as_of: date,
    params: ReviewParameters,
) -> Gathered:
    found = uow.reviews.rep_row(rep_name, scope=access)
    if found is None:
        raise NotFoundError(f"no rep {rep_name!r}")
    rep = RepRecord(*found)
    window = Window.before(as_of, params.window_days)
    query = resolve_scope(
        uow,
        AssessmentQuery(
            rubric=rubric,
            preferred_scorer=preferred_scorer,
            start=window.start,
            end=as_of,
            rep=rep.name,
        ),
        access.viewer,
        require_scores=False,
    )
    team_pks = [int(pk) for pk in query.reps.index] if query.population is not None else [rep.pk]
    since, until = datetime.combine(window.start, datetime.min.time()), _end(as_of)
    team_table = load_score_table(uow, query, since, until)
    history = load_score_table(uow, query, None, until, rep_ids=[rep.pk])
    quotas = [
        QuotaPeriod(*row) for row in uow.reviews.quotas(team_pks, window.start, as_of, scope=access)
    ]
    earliest = min([window.start - timedelta(days=LOOKBACK_DAYS), *(q.start for q in quotas)])
    deals = [DealFacts(*row) for row in uow.reviews.deals(team_pks, earliest, as_of, scope=access)]
    mine = [d.pk for d in deals if d.rep_pk == rep.pk]
    deal_calls: dict[int, list[tuple[int, date | None]]] = {}
    for deal, call, day_ in uow.reviews.deal_calls(mine, until, scope=access):
        deal_calls.setdefault(deal, []).append((call, day_))
    activity = [
        ActivityDay(*row)
        for row in uow.reviews.activities(team_pks, window.start, as_of, scope=access)
    ]
    descriptions = {c.id: c.description for c in query.rubric.rubric.criteria}
    return Gathered(
        rep=rep,
        window=window,
        query=query,
        team_pks=team_pks,
        team_table=team_table,
        history=history,
        calls=uow.reviews.window_calls(rep.pk, since, until, scope=access),
        deals=deals,
        deal_calls=deal_calls,
        activity=activity,
        quotas=quotas,
        coaching=[
            row
            for row in uow.coaching.rows(query.rubric_pk, [rep.pk], scope=access)
            if row[4] <= as_of
        ],
        descriptions=descriptions,
    )


# The association reads every scored call of the organisation's last `outcome_days`: computed
# once per process for a given state of the data (the stamp) and reused by every later pack.
_ASSOCIATIONS: dict[tuple[Any, ...], dict[str, Association]] = {}
_REMEMBERED = 8


def organisation_association(
    uow: UnitOfWork, query: AssessmentScope, as_of: date, params: ReviewParameters
) -> dict[str, Association]:
    """Each criterion's relation to winning over the organisation's closed deals with scored
    calls in the `outcome_days` before the as-of day (point-biserial r, as `outcomes`)."""
    if not query.scorer:
        return {}
    key = (
        query.rubric_pk,
        tuple(query.version_pks),
        query.scorer,
        as_of,
        params.outcome_days,
        uow.reviews.outcome_stamp(),
    )
    if key not in _ASSOCIATIONS:
        if len(_ASSOCIATIONS) >= _REMEMBERED:
            _ASSOCIATIONS.pop(next(iter(_ASSOCIATIONS)))
        _ASSOCIATIONS[key] = _association(uow, query, as_of, params)
    return _ASSOCIATIONS[key]


def _association(
    uow: UnitOfWork, query: AssessmentScope, as_of: date, params: ReviewParameters
) -> dict[str, Association]:
    since = datetime.combine(as_of - timedelta(days=params.outcome_days), datetime.min.time())
    until = _end(as_of)
    everyone = Scope.system("outcome association: an organisation-wide aggregate")
    links = pd.DataFrame(
        uow.analytics.call_deals(since, until, None, scope=everyone),
        columns=["call", "deal", "outcome"],
    )
    if links.empty:
        return {}
    organisation = replace(query, population=None, benchmark=everyone)
    table = load_score_table(uow, organisation, since, until)
    won = links.drop_duplicates("deal").set_index("deal")["outcome"].eq("won")
    deals = deal_levels(table, links.set_index("call")["deal"], won)
    result = {}
    for crit in query.criteria:
        if not len(deals):
            result[crit.id] = Association(None, None, 0)
            continue
        frame = deals[[crit.id, "won"]].dropna()
        x, y = frame[crit.id].to_numpy(dtype=float), frame["won"].to_numpy(dtype=float)
        if len(frame) < 4 or len(np.unique(y)) < 2 or len(np.unique(x)) < 2:
            result[crit.id] = Association(None, None, len(frame))
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r, p = stats.pointbiserialr(y, x)
        finite = math.isfinite(float(r))
        result[crit.id] = Association(
            float(r) if finite else None, float(p) if finite else None, len(frame)
        )
    return result


def manual_window(window: Window) -> Cycle:
    """The review window as an assessment cycle (for sampling calls by week)."""
    return window_cycle(window.start, window.as_of + timedelta(days=1))
