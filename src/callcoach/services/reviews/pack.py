"""The review pack of one rep, assembled from what gather.py read: evidence items first, then
every figure and sentence from them (analytics/reviews*.py)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from callcoach.analytics.levels import DATE, ScoreTable
from callcoach.analytics.priorities import lowest_level_calls
from callcoach.analytics.reviews import (
    MetricValue,
    activity_metrics,
    deal_buckets,
    growth_rating,
    level_rating,
    output_metrics,
    rating_from_scores,
    weighted_rating,
)
from callcoach.analytics.reviews_format import level as lvl
from callcoach.analytics.reviews_lost import hypothesis_criteria, lost_vs_won, lowest_calls
from callcoach.analytics.reviews_pack import (
    Buckets,
    DimensionResult,
    EvidenceCounts,
    ManualReview,
    ReviewPack,
    SampledCall,
)
from callcoach.analytics.reviews_plan import feedback_statement, plan_gaps, plan_proposal
from callcoach.analytics.reviews_plan import preparation_questions as questions_for
from callcoach.analytics.reviews_skill import growth, skill_from_ratings, skill_from_scores
from callcoach.analytics.sampling import rep_rng, stratified_sample
from callcoach.domain.access import Scope
from callcoach.domain.reviews import (
    DIMENSION_LABELS,
    DIMENSIONS,
    EvidenceItem,
    EvidenceKind,
    ReviewParameters,
    coaching_id,
    metric_id,
    stable_id,
    tenure_months,
    tenure_weights,
)
from callcoach.domain.trust import excluded_from_decisions
from callcoach.services.assessment.coaching import coaching_report
from callcoach.services.common import ServiceError
from callcoach.services.reviews.evidence import (
    Encoder,
    deal_item,
    moments,
    objection_types,
)
from callcoach.services.reviews.gather import Association, Gathered, gather, manual_window
from callcoach.services.reviews.metric_items import (
    dimension_items,
    growth_items,
    lost_items,
    plan_items,
    skill_items,
)
from callcoach.services.scoring.trust import decision_states
from callcoach.store.uow import UnitOfWork

LISTEN_MINUTES_PER_CALL = 6  # a manager skims a call for its key moments (5-10 calls ~ 30 min)


def build_pack(
    uow: UnitOfWork,
    access: Scope,
    rep_name: str,
    rubric: str,
    preferred_scorer: str,
    as_of: date,
    params: ReviewParameters,
    association: dict[str, Association],
    encoder: Encoder | None,
) -> ReviewPack:
    g = gather(uow, access, rep_name, rubric, preferred_scorer, as_of, params)
    criteria = {c.id: c for c in g.query.criteria}
    evidence: dict[str, EvidenceItem] = {}
    notes: list[str] = []
    mine = [d for d in g.deals if d.rep_pk == g.rep.pk]
    last_call = {
        deal: max((d for _, d in calls if d is not None), default=None)
        for deal, calls in g.deal_calls.items()
    }
    buckets = deal_buckets(
        mine, {k: v for k, v in last_call.items() if v is not None}, g.window, params
    )
    pack_buckets = Buckets()
    for deal in buckets.lost_after_verbal:
        item = deal_item(deal, g.deal_calls.get(deal.pk, []))
        evidence[item.id] = item
        pack_buckets.lost_after_verbal.append(item.id)
    for stalled in buckets.stalled:
        item = deal_item(stalled.deal, g.deal_calls.get(stalled.deal.pk, []), stalled)
        evidence[item.id] = item
        pack_buckets.stalled.append(item.id)
    for deal in buckets.won:
        item = deal_item(deal, g.deal_calls.get(deal.pk, []))
        evidence[item.id] = item
        pack_buckets.won.append(item.id)
    for deal in buckets.lost_other:
        item = deal_item(deal, g.deal_calls.get(deal.pk, []))
        evidence[item.id] = item
        pack_buckets.lost_other.append(item.id)

    touched = {d.pk for d in mine if g.window.contains(d.closed) or g.window.contains(d.created)}
    touched |= {c[4] for c in g.calls if c[4] is not None}
    if not g.calls and not touched and not [a for a in g.activity if a.rep_pk == g.rep.pk]:
        raise ServiceError(
            f"no data for {g.rep.name} between {g.window.start.isoformat()} and "
            f"{as_of.isoformat()}: no calls, deals or activity in the window; choose another "
            "--as-of or a longer --window"
        )

    # Output and activity.
    outputs = output_metrics(g.rep.pk, g.deals, g.quotas, g.team_pks, g.window, params)
    activity = activity_metrics(
        g.rep.pk, g.activity, g.deals, g.quotas, g.team_pks, g.window, params
    )

    # Skill: machine levels, or managers' ratings of the window's calls when none is scored.
    held = excluded_from_decisions(decision_states(uow, g.query.rubric.rubric.id))
    skill = skill_from_scores(g.team_table, g.rep.pk, g.team_pks, held)
    manual_review = None
    manual_ids: list[str] = []
    ratings_count = 0
    if skill.source == "none":
        call_pks = [c[0] for c in g.calls]
        ratings = uow.reviews.ratings(call_pks, g.query.rubric_pk, scope=access)
        ratings_count = len(ratings)
        skill = skill_from_ratings(
            [(call, crit, rater, lvl_) for call, crit, rater, lvl_, _ in ratings],
            g.query.criteria,
            {line.criterion_id: line.team_mean for line in skill.lines},
            skill.team_overall,
        )
        manual_review = _manual_sample(g, params)
        rated = sorted({call for call, *_ in ratings})
        details = uow.analytics.call_details(rated, scope=access)
        for call in rated:
            external, when, account, _ = details[call]
            item = EvidenceItem(
                id=stable_id("call", external, "manual"),
                kind=EvidenceKind.MOMENT.value,
                label=f"{external}: rated by hand",
                call_id=external,
                account=account,
                day=when.date() if when else None,
                manual=True,
            )
            evidence[item.id] = item
            manual_ids.append(item.id)
        if manual_review is not None:
            notes.append(manual_review.reason)

    # Moments: the rep's lowest and best calls per criterion in the window.
    rep_window = g.team_table.for_reps([g.rep.pk])
    crit_ids = list(criteria)
    low = lowest_level_calls(rep_window, {g.rep.pk: crit_ids}, 3)
    picks = [(call, crit, lv) for (_, crit), calls in low.items() for call, lv in calls]
    best = _best_calls(rep_window, crit_ids)
    found = moments(uow, access, rep_window, picks + best, criteria)
    lowest_items = {
        crit: [found[(call, crit)] for call, lv in calls if (call, crit) in found]
        for (_, crit), calls in low.items()
    }
    best_items = {crit: found.get((call, crit)) for call, crit, _ in best}
    for item in found.values():
        evidence[item.id] = item

    # Growth: quarter over quarter on the coached criteria, and the 30-day verdicts.
    coached = list(dict.fromkeys(row[3] for row in g.coaching if row[3] in criteria))
    growth_result = growth(g.history, g.rep.pk, coached, as_of)
    report = coaching_report(uow, g.query, as_of, levels=g.history)
    for outcome in report.events:
        item = EvidenceItem(
            id=coaching_id(outcome.event_id, outcome.criterion_id, outcome.coached_on),
            kind=EvidenceKind.COACHING.value,
            label=f"coaching on {criteria[outcome.criterion_id].name}",
            criterion_id=outcome.criterion_id,
            criterion=criteria[outcome.criterion_id].name,
            day=outcome.coached_on,
            outcome=outcome.status.value,
            numbers=[
                v
                for v in (outcome.before_mean, outcome.after_mean, outcome.change)
                if v is not None
            ]
            + [30.0],
            dates={"rescore_after": outcome.rescore_after} if outcome.rescore_after else {},
            names=[outcome.coach] if outcome.coach else [],
        )
        evidence[item.id] = item
        growth_result.verdicts.append(item.id)

    # Deals lost after a verbal commitment: where their calls fell short of won deals.
    named, how = hypothesis_criteria(g.query.criteria, params.hypothesis_criteria, g.descriptions)
    lost_pks = [d.pk for d in buckets.lost_after_verbal]
    won_pks = [d.pk for d in buckets.won]
    comparison = "the rep's deals won in the window"
    if not won_pks:
        won_pks = [d.pk for d in mine if d.outcome == "won" and d.closed and d.closed <= as_of]
        comparison = "the rep's deals won in the year before the window (none in it)"
    lost = None
    if lost_pks:
        lost = lost_vs_won(
            g.history, lost_pks, won_pks, named, how, params.hypothesis_min_gap, comparison
        )
        top = [gap.criterion_id for gap in lost.gaps if gap.gap is not None][:2]
        lost_found = moments(
            uow, access, g.history, lowest_calls(g.history, lost_pks, top, 1), criteria
        )
        for item in lost_found.values():
            evidence[item.id] = item
            lost.moments.append(item.id)

    # Objection types from the prospects' words in the lost deals' calls.
    source_pks = lost_pks or [d.pk for d in buckets.lost_other]
    objections, objection_evidence = objection_types(uow, access, g.history, source_pks, encoder)
    evidence.update(objection_evidence)
    objections_source = (
        "deals lost after a verbal commitment"
        if lost_pks
        else ("other deals lost in the window" if source_pks else "no lost deals in the window")
    )

    # The plan: leverage = weighted gap x (1 + r+).
    metric_ids = {c: metric_id("skill", c) for c in criteria}
    assoc = {c: (a.r, a.p_value, a.deals) for c, a in association.items()}
    gaps = plan_gaps(
        skill, assoc, {c: [i.id for i in items] for c, items in lowest_items.items()}, metric_ids
    )
    anchors = {c: info.good for c, info in criteria.items()}
    plan = plan_proposal(gaps, lowest_items, best_items, objections, evidence, anchors, params)

    # Dimensions, weighted by tenure.
    tenure = tenure_months(g.rep.start_date, as_of)
    weights = tenure_weights(tenure, params)
    skill_evidence = [metric_id("skill", "overall"), *(i.id for i in found.values()), *manual_ids]
    dims = [
        _dimension(
            "output", outputs, weights.weights, [metric_id("output", m.metric) for m in outputs]
        ),
        _dimension(
            "activity",
            activity,
            weights.weights,
            [metric_id("activity", m.metric) for m in activity],
        ),
        DimensionResult(
            "skill",
            DIMENSION_LABELS[DIMENSIONS[2]],
            weights.weights["skill"],
            level_rating(skill.overall),
            _skill_reason(skill),
            [],
            skill_evidence,
        ),
        DimensionResult(
            "growth",
            DIMENSION_LABELS[DIMENSIONS[3]],
            weights.weights["growth"],
            growth_rating(growth_result.change, params),
            _growth_reason(growth_result.change, growth_result.basis),
            [],
            [metric_id("growth", line.criterion_id) for line in growth_result.lines]
            + growth_result.verdicts,
        ),
    ]
    overall = weighted_rating({d.dimension: d.proposed for d in dims}, weights.weights)
    for item in [
        *dimension_items(dims),
        *skill_items(skill),
        *growth_items(growth_result),
        *lost_items(lost, params),
        *plan_items(plan),
    ]:
        evidence[item.id] = item

    counts = EvidenceCounts(
        calls=len(g.calls),
        scored_calls=skill.calls if skill.source == "scored" else 0,
        manual_calls=skill.calls if skill.source == "manual" else 0,
        deals_touched=len(touched),
        won=len(buckets.won),
        lost_after_verbal=len(buckets.lost_after_verbal),
        lost_other=len(buckets.lost_other),
        stalled=len(buckets.stalled),
        activity_days=sum(1 for a in g.activity if a.rep_pk == g.rep.pk),
        quota_periods=sum(1 for q in g.quotas if q.rep_pk == g.rep.pk),
        ratings=ratings_count,
        coaching_events=len(g.coaching),
        coaching_verdicts=sum(
            1 for e in report.events if e.status.value in ("improved", "not_improved")
        ),
    )
    lowest_first = next(
        (
            lowest_items[item.criterion_id][0]
            for item in plan.items
            if lowest_items.get(item.criterion_id)
        ),
        None,
    )
    return ReviewPack(
        rep=g.rep.name,
        team=g.rep.team,
        manager=g.rep.manager,
        as_of=as_of,
        window_start=g.window.start,
        window_days=params.window_days,
        rubric=g.query.rubric.rubric.id,
        rubric_version=g.query.rubric.version,
        scorer=g.query.scorer or None,
        tenure_months=tenure,
        stage=weights.stage,
        weights=weights.weights,
        weights_rule=weights.rule,
        parameters=params.as_dict(),
        counts=counts,
        thin=_thin(counts, params),
        manual_review=manual_review,
        buckets=pack_buckets,
        lost=lost,
        dimensions=dims,
        skill=skill,
        growth=growth_result,
        overall_proposed=overall,
        objections=objections,
        objections_source=objections_source,
        questions=questions_for(
            [evidence[i] for i in pack_buckets.lost_after_verbal],
            [evidence[i] for i in pack_buckets.stalled],
            [evidence[i] for i in pack_buckets.won],
            lowest_first,
        ),
        feedback=_feedback(plan.items, lowest_items, best_items, skill),
        plan=plan,
        evidence=evidence,
        notes=notes,
    )


def _dimension(
    name: str, metrics: list[MetricValue], weights: dict[str, float], ids: list[str]
) -> DimensionResult:
    rating = rating_from_scores([m.score for m in metrics])
    scored = [f"{m.name.lower()} {m.score}" for m in metrics if m.score is not None]
    reason = (
        "mean of its metrics' scores against the team benchmark: " + ", ".join(scored)
        if scored
        else "no metric of this dimension has a value and a benchmark in the window"
    )
    dimension = next(d for d in DIMENSIONS if d.value == name)
    return DimensionResult(
        name, DIMENSION_LABELS[dimension], weights[name], rating, reason, metrics, ids
    )


def _skill_reason(skill: object) -> str:
    from callcoach.analytics.reviews_skill import SkillResult

    assert isinstance(skill, SkillResult)
    if skill.overall is None:
        return "no scored or hand-rated calls in the window"
    source = "scored calls" if skill.source == "scored" else "calls rated by hand (manual)"
    team = f" (team {lvl(skill.team_overall)})" if skill.team_overall is not None else ""
    return f"weighted overall level {lvl(skill.overall)} over {skill.calls} {source}{team}, rounded"


def _growth_reason(change: float | None, basis: str) -> str:
    if change is None:
        return f"no quarter-over-quarter change to measure on {basis}"
    return f"change of {change:+.2f} levels quarter over quarter on {basis}"


def _best_calls(table: ScoreTable, criteria: list[str]) -> list[tuple[int, str, int]]:
    result = []
    for crit in criteria:
        column = table.levels[crit].dropna()
        if column.empty:
            continue
        order = pd.DataFrame({"level": column, "date": table.calls.loc[column.index, DATE]})
        order = order.sort_values(["level", "date"], ascending=[False, False], kind="stable")
        call = order.index[0]
        result.append((int(np.int64(call)), crit, int(order.iloc[0]["level"])))
    return result


def _feedback(plan_items_: list, lowest: dict, best: dict, skill: object) -> list:  # type: ignore[type-arg]
    """A statement per plan criterion (its lowest moment) and one strength (the best moment of
    the rep's strongest criterion against the team)."""
    from callcoach.analytics.reviews_skill import SkillResult

    assert isinstance(skill, SkillResult)
    prompts = []
    for item in plan_items_:
        for moment in lowest.get(item.criterion_id, [])[:1]:
            prompts.append(feedback_statement(moment))
    strengths = sorted(
        (line for line in skill.lines if line.mean is not None),
        key=lambda line: -((line.mean or 0.0) - (line.team_mean or line.mean or 0.0)),
    )
    for line in strengths[:1]:
        moment = best.get(line.criterion_id)
        if moment is not None and (moment.level or 0) >= 4:
            prompts.append(feedback_statement(moment))
    return prompts


def _manual_sample(g: Gathered, params: ReviewParameters) -> ManualReview:
    cycle = manual_window(g.window)
    frame = pd.DataFrame({"date": [c[2] for c in g.calls]}, index=[c[0] for c in g.calls]).dropna()
    size = min(params.manual_sample_max, len(frame))
    chosen = stratified_sample(frame, cycle, size, rep_rng(0, g.rep.name)) if size else []
    by_pk = {c[0]: c for c in g.calls}
    calls = []
    for pk in chosen:
        _, external, when, account, _deal = by_pk[int(str(pk))]
        day_ = when.date() if when is not None else None
        week = (day_ - g.window.start).days // 7 if day_ is not None else 0
        calls.append(SampledCall(external, day_, account, week))
    thin = (
        ""
        if len(calls) >= params.manual_sample_min
        else f" (only {len(calls)} calls in the window)"
    )
    return ManualReview(
        reason=f"no scored calls in the window: {len(calls)} calls sampled across its weeks for "
        f"the manager to review by hand{thin}; ratings entered for them (`callcoach import "
        "ratings`, or the call page) feed the skill dimension, marked manual",
        calls=calls,
        minutes=len(calls) * LISTEN_MINUTES_PER_CALL,
    )


def _thin(counts: EvidenceCounts, params: ReviewParameters) -> list[str]:
    thin = []
    if counts.scored_calls == 0 and counts.manual_calls == 0:
        thin.append(
            "no scored or hand-rated calls in the window: the skill rating has no evidence yet"
        )
    elif counts.scored_calls and counts.scored_calls < params.min_scored_calls:
        thin.append(
            f"only {counts.scored_calls} scored calls in the window ({params.min_scored_calls} "
            "needed for a meaningful assessment)"
        )
    if counts.won + counts.lost_after_verbal + counts.lost_other == 0:
        thin.append("no deal closed in the window: output rests on quota and pipeline only")
    if counts.activity_days == 0:
        thin.append("no CRM activity logged in the window: activity has no evidence")
    if counts.quota_periods == 0:
        thin.append("no quota overlaps the window: attainment and coverage are not defined")
    if counts.coaching_events == 0:
        thin.append("no coaching on record: growth is the change in overall skill")
    return thin
