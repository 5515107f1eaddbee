"""Trust per criterion: measure, out of fold, how the scorer agrees with this team's judgements.

`measure_trust` reads every judgement on record for a rubric (evidence verdicts, ratings that
name their moment, rated levels and overrides), splits the judged calls into folds, and judges
each fold's calls with what people taught on the other folds only: each call is judged by a
model that did not learn from it. The figures (analytics/trust.py) are cached per rubric
version with a stamp of the judgements behind them (TrustRepository.judgement_stamp: counts
and last ids of verdicts and ratings, the rubric's content hash, the calibration's time). Reads
(`trust_report`, `decision_states`) compare the stamp, a handful of aggregate queries, and
never recompute; `measure_trust` recomputes only when the stamp moved. The bar is the
organisation's (kept in the database, `set_bar`), applied when the figures are read, so
changing it needs no recomputation.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from callcoach.analytics.trust import (
    CriterionFigures,
    JudgedMoment,
    LevelPair,
    criterion_figures,
    trust_state,
)
from callcoach.domain.access import Scope
from callcoach.domain.scores import FeedbackVerdict
from callcoach.domain.trust import CriterionTrust, TrustBar, TrustBarError, TrustState
from callcoach.scoring.calibration import (
    MIN_RATINGS,
    RatedEvidence,
    call_folds,
    fit_mapping,
    ladder_level,
)
from callcoach.services.common import NoProgress, NotFoundError, Progress, ServiceError
from callcoach.services.scoring.teaching import SCORER, _guidance, _rubric
from callcoach.store.repositories.rubrics import StoredRubric
from callcoach.store.repositories.trust import OptIn
from callcoach.store.uow import Store, UnitOfWork

BAR_KEY = "trust.bar"
# The agreement is an organisation-wide property of the rubric's scores: it is measured on every
# judgement on record, and only its aggregates (figures, states) are ever shown.
_TRUST = Scope.system("trust: agreement measured on every judgement on record")


@dataclass(frozen=True)
class CriterionTrustView:
    criterion_id: str
    name: str
    trust: CriterionTrust
    figures: CriterionFigures | None
    opt_in: OptIn | None


@dataclass(frozen=True)
class TrustReport:
    rubric_id: str
    rubric_version: int
    scorer: str
    bar: TrustBar
    measured_at: datetime | None  # None: never measured on this version
    fresh: bool  # measured on the judgements and rubric on record now
    criteria: list[CriterionTrustView]

    def states(self) -> dict[str, CriterionTrust]:
        return {c.criterion_id: c.trust for c in self.criteria}


def organisation_bar(uow: UnitOfWork) -> TrustBar:
    text = uow.app_settings.get(BAR_KEY)
    return TrustBar.parse(text) if text else TrustBar()


def set_bar(store: Store, text: str, actor: str) -> TrustBar:
    """Set the organisation's bar ('precision=0.85,auc=0.9'; unnamed parts keep their
    defaults), audited."""
    try:
        bar = TrustBar.parse(text)
    except TrustBarError as exc:
        raise ServiceError(str(exc)) from exc
    canonical = ",".join(f"{k}={getattr(bar, k)}" for k in TrustBar.__dataclass_fields__)
    with store.unit_of_work() as uow:
        uow.app_settings.put(BAR_KEY, canonical)
        uow.audit.record(actor, "trust.bar", canonical)
    return bar


def _stamp(uow: UnitOfWork, stored: StoredRubric) -> str:
    row = uow.rubrics.rubric_row(stored.rubric.id)
    assert row is not None
    return uow.trust.judgement_stamp(row.id, stored.version_pk, SCORER)


def _latest_verdicts(uow: UnitOfWork, rubric_id: str) -> dict[tuple[str, str, int], bool]:
    """The latest verdict on each (call, criterion, segment), whoever gave it."""
    verdicts: dict[tuple[str, str, int], bool] = {}
    for f in uow.teaching.feedback(rubric_id, scope=_TRUST):
        verdicts[(f.call_id, f.criterion_id, f.segment)] = f.verdict is FeedbackVerdict.CONFIRMED
    return verdicts


def _judged(
    store: Store, stored: StoredRubric, scorer: Any, progress: Progress
) -> tuple[list[JudgedMoment], list[LevelPair]]:
    """Every judgement next to the machine's answer on its call, judged out of fold."""
    rubric = stored.rubric
    criteria = set(rubric.criterion_ids)
    with store.unit_of_work() as uow:
        verdicts = _latest_verdicts(uow, rubric.id)
        ratings = [
            r for r in uow.scores.ratings(rubric.id, scope=_TRUST) if r.criterion_id in criteria
        ]
        calibrated = uow.teaching.calibration(stored.version_pk, SCORER) is not None
    labels: dict[str, dict[tuple[str, int], bool]] = defaultdict(dict)
    for r in ratings:  # a rated moment is a positive unless a verdict says otherwise
        if r.evidence_segment is not None:
            labels[r.call_id][(r.criterion_id, r.evidence_segment)] = True
    for (call_id, criterion_id, segment), confirmed in verdicts.items():
        if criterion_id in criteria:
            labels[call_id][(criterion_id, segment)] = confirmed
    levels: dict[tuple[str, str], list[int]] = defaultdict(list)
    for r in ratings:
        levels[(r.call_id, r.criterion_id)].append(r.level)
    calls = sorted(set(labels) | {call_id for call_id, _ in levels})
    folds = call_folds(calls)
    moments: list[JudgedMoment] = []
    samples: list[RatedEvidence] = []
    progress.start(f"Judging {len(calls)} judged call(s) out of fold", len(calls))
    for fold in folds:
        with store.unit_of_work() as uow:
            guidance = _guidance(uow, rubric.id, SCORER, exclude_calls=frozenset(fold))
        guidance.calibration = None  # levels are mapped below, fitted on the other folds
        for call_id in fold:
            with store.unit_of_work() as uow:
                call = uow.calls.get(call_id, scope=_TRUST)
                row = uow.calls.row(call_id, scope=_TRUST)
                embeddings = (
                    uow.embeddings.load(row.id, scorer.embedding_model, call.content_hash)
                    if row is not None and call is not None and scorer.embedding_model
                    else None
                )
            progress.advance()
            if call is None:
                continue
            judged = scorer.judge_turns(call, rubric, embeddings, guidance)
            for (criterion_id, segment), confirmed in sorted(labels.get(call_id, {}).items()):
                judgement = judged[criterion_id]
                # A turn the scorer does not judge (the other party's) is one it never shows.
                likelihood = (
                    float(judgement.likelihood[judgement.segments.index(segment)])
                    if segment in judgement.segments
                    else 0.0
                )
                moments.append(
                    JudgedMoment(
                        call_id,
                        criterion_id,
                        segment,
                        confirmed,
                        likelihood,
                        likelihood >= judgement.present,
                    )
                )
            for crit in rubric.criteria:
                rated = levels.get((call_id, crit.id))
                if rated and judged[crit.id].segments:
                    strength = judged[crit.id].strength()
                    samples.append(
                        RatedEvidence(call_id, crit.id, sum(rated) / len(rated), strength)
                    )
    return moments, _level_pairs(samples, folds, calibrated)


def _level_pairs(
    samples: list[RatedEvidence], folds: list[list[str]], calibrated: bool
) -> list[LevelPair]:
    """The machine's level on each rated call: from the ladder, or, where the team calibrated,
    from a mapping fitted on the other folds' ratings (the call's own never seen)."""
    machine: dict[int, int] = {}
    for fold in folds:
        held = set(fold)
        training = [s for s in samples if s.call_id not in held]
        mapping = fit_mapping(training) if calibrated and len(training) >= MIN_RATINGS else None
        for i, s in enumerate(samples):
            if s.call_id in held:
                machine[i] = (
                    mapping.level(s.criterion_id, s.strength)
                    if mapping
                    else ladder_level(s.strength)
                )
    return [
        LevelPair(s.call_id, s.criterion_id, int(min(5, max(1, round(s.human_level)))), machine[i])
        for i, s in enumerate(samples)
        if i in machine
    ]


def _report(
    uow: UnitOfWork, stored: StoredRubric, figures: dict[str, Any] | None, fresh: bool, at: Any
) -> TrustReport:
    bar = organisation_bar(uow)
    row = uow.rubrics.rubric_row(stored.rubric.id)
    assert row is not None
    opt_ins = uow.trust.opt_ins(row.id)
    views = []
    for crit in stored.rubric.criteria:
        data = (figures or {}).get(crit.id)
        fig = CriterionFigures.from_json(data) if data else None
        opt = opt_ins.get(crit.id)
        opted = bool(opt and opt.opted_in)
        if fig is None:
            trust = CriterionTrust(
                crit.id, TrustState.LEARNING, ["not measured yet: `callcoach scorer trust`"], opted
            )
        else:
            trust = trust_state(fig, bar, opted)
        views.append(CriterionTrustView(crit.id, crit.name, trust, fig, opt))
    return TrustReport(stored.rubric.id, stored.version, SCORER, bar, at, fresh, views)


def trust_report(uow: UnitOfWork, rubric_id: str) -> TrustReport:
    """The states as last measured on the rubric's latest version (no recomputation).

    `fresh` is False when judgements or the rubric changed since; a version never measured
    reads as learning on every criterion."""
    stored = _rubric(uow, rubric_id)
    cached = uow.trust.report(stored.version_pk, SCORER)
    if cached is None:
        return _report(uow, stored, None, False, None)
    fresh = cached.stamp == _stamp(uow, stored)
    return _report(uow, stored, cached.figures, fresh, cached.created_at)


def decision_states(uow: UnitOfWork, rubric_id: str) -> dict[str, CriterionTrust]:
    """Each criterion's state for automatic decisions (empty when the rubric is unknown)."""
    if uow.rubrics.latest(rubric_id) is None:
        return {}
    return trust_report(uow, rubric_id).states()


def measure_trust(
    store: Store,
    rubric_id: str,
    *,
    scorer: Any = None,
    progress: Progress | None = None,
    force: bool = False,
) -> TrustReport:
    """Measure agreement on the judgements on record, unless the cached figures still hold."""
    progress = progress or NoProgress()
    with store.unit_of_work() as uow:
        stored = _rubric(uow, rubric_id)
        stamp = _stamp(uow, stored)
        cached = uow.trust.report(stored.version_pk, SCORER)
        if cached is not None and cached.stamp == stamp and not force:
            return _report(uow, stored, cached.figures, True, cached.created_at)
    if scorer is None:
        from callcoach.scoring.embedded import EmbeddedScorer

        scorer = EmbeddedScorer()
    moments, pairs = _judged(store, stored, scorer, progress)
    figures = {
        crit.id: criterion_figures(crit.id, moments, pairs).to_json()
        for crit in stored.rubric.criteria
    }
    with store.unit_of_work() as uow:
        uow.trust.save_report(stored.version_pk, SCORER, stamp, figures)
        cached = uow.trust.report(stored.version_pk, SCORER)
        assert cached is not None
        return _report(uow, stored, figures, True, cached.created_at)


def set_opt_in(
    store: Store,
    rubric_id: str,
    criterion_id: str,
    opted_in: bool,
    actor: str,
    note: str | None = None,
) -> bool:
    """Let a not-trusted criterion drive automatic decisions (or stop it), audited."""
    with store.unit_of_work() as uow:
        stored = uow.rubrics.latest(rubric_id)
        if stored is None:
            raise NotFoundError(f"no rubric {rubric_id!r}")
        if criterion_id not in stored.rubric.criterion_ids:
            raise ServiceError(
                f"rubric {rubric_id!r} has no criterion {criterion_id!r}; criteria: "
                + ", ".join(stored.rubric.criterion_ids)
            )
        row = uow.rubrics.rubric_row(rubric_id)
        assert row is not None
        changed = uow.trust.set_opt_in(row.id, criterion_id, opted_in, actor, note)
        if changed:
            uow.audit.record(
                actor,
                "trust.opt_in" if opted_in else "trust.opt_out",
                f"{rubric_id}/{criterion_id}",
                note=note,
            )
        return changed


def report_json(report: TrustReport) -> dict[str, Any]:
    """The report as `--format json` and the API give it."""
    return {
        "rubric": report.rubric_id,
        "version": report.rubric_version,
        "scorer": report.scorer,
        "measured_at": report.measured_at,
        "fresh": report.fresh,
        "bar": {
            k: getattr(report.bar, k)
            for k in ("precision", "recall", "auc", "min_judgements", "min_each", "min_calls")
        },
        "criteria": [
            {
                "criterion": c.criterion_id,
                "name": c.name,
                "state": c.trust.state.value,
                "reasons": c.trust.reasons,
                "in_decisions": c.trust.in_decisions,
                "opted_in": c.trust.opted_in,
                "opted_in_by": c.opt_in.decided_by if c.opt_in and c.opt_in.opted_in else None,
                "answers_needed": c.trust.answers_needed,
                "figures": c.figures.to_json() if c.figures else None,
            }
            for c in report.criteria
        ],
    }
