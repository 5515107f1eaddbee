"""Showing one call: its transcript and, per criterion, the level, rationale and evidence.

Built on the call review the web app uses (`review_call`), so the command line and the web page
show the same runs and honour the same visibility: a call the viewer may not see is reported
exactly like an unknown one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from callcoach.domain.access import SYSTEM, Viewer
from callcoach.domain.calls import Call
from callcoach.domain.rubric import Rubric
from callcoach.domain.scores import CallScore, HumanRating
from callcoach.domain.trust import CriterionTrust
from callcoach.services.calls.review import review_call
from callcoach.services.common import NotFoundError
from callcoach.services.scoring.trust import decision_states
from callcoach.store.uow import Store


@dataclass(frozen=True)
class RunRef:
    """A rubric version and scorer the call has a score for."""

    rubric_id: str
    rubric_version: int
    scorer: str


@dataclass
class CallDetail:
    call: Call
    team: str | None
    deal_outcome: str | None
    rubric: Rubric | None  # the rubric version the shown scores used (latest if unscored)
    rubric_version: int | None
    runs: list[CallScore]  # one per scorer, all on that rubric version
    ratings: list[HumanRating]  # managers' ratings of this call on that rubric
    available: list[RunRef] = field(default_factory=list)  # every run the call has
    # Per criterion: can its scores be trusted (domain/trust.py), shown next to them.
    trust: dict[str, CriterionTrust] = field(default_factory=dict)

    def trust_json(self, criterion_id: str) -> dict[str, object] | None:
        found = self.trust.get(criterion_id)
        if found is None:
            return None
        return {
            "state": found.state.value,
            "in_decisions": found.in_decisions,
            "opted_in": found.opted_in,
            "reasons": found.reasons,
        }

    def evidence_segments(self) -> dict[int, list[str]]:
        """Segment index -> the criteria whose evidence quotes it (for highlighting)."""
        cited: dict[int, list[str]] = {}
        for run in self.runs:
            for crit in run.criteria:
                for item in crit.evidence:
                    names = cited.setdefault(item.segment, [])
                    if crit.criterion_id not in names:
                        names.append(crit.criterion_id)
        return cited


def _newest(runs: list[CallScore]) -> CallScore:
    return max(runs, key=lambda s: (s.rubric_version, s.created_at or datetime.min))


def show_call(
    store: Store,
    call_id: str,
    *,
    rubric_id: str | None = None,
    scorer: str | None = None,
    default_rubric: str | None = None,
    viewer: Viewer = SYSTEM,
) -> CallDetail:
    """The call as `viewer` may see it, with the scores of one rubric version.

    The rubric is `rubric_id`, else `default_rubric` when the call is scored on it, else the
    rubric of the call's newest score. The version is the newest one the call is scored on; every
    scorer's run on it is included unless `scorer` names one.
    """
    review = review_call(store, call_id, viewer)
    every = [r.score for r in review.runs]
    rubrics = {r.score.rubric_id: r.rubric for r in review.runs}
    chosen = rubric_id
    if chosen is None:
        if default_rubric and any(s.rubric_id == default_rubric for s in every):
            chosen = default_rubric
        elif every:
            chosen = _newest(every).rubric_id
    runs = [s for s in every if s.rubric_id == chosen]
    rubric: Rubric | None = None
    version: int | None = None
    if runs:
        version = max(s.rubric_version for s in runs)
        runs = [s for s in runs if s.rubric_version == version]
        for candidate in review.runs:
            if candidate.score.rubric_id == chosen and candidate.score.rubric_version == version:
                rubric = candidate.rubric
        rubric = rubric or rubrics.get(chosen or "")
    elif chosen is not None:
        with store.unit_of_work() as uow:
            stored = uow.rubrics.latest(chosen)
        if stored is None:
            raise NotFoundError(f"no rubric {chosen!r}")
        rubric, version = stored.rubric, stored.version
    if scorer is not None:
        runs = [s for s in runs if s.scorer == scorer]
    runs.sort(key=lambda s: s.scorer)
    trust: dict[str, CriterionTrust] = {}
    if chosen is not None:
        with store.unit_of_work() as uow:
            trust = decision_states(uow, chosen)
    return CallDetail(
        call=review.call,
        team=review.team,
        deal_outcome=review.deal_outcome,
        rubric=rubric,
        rubric_version=version,
        runs=runs,
        ratings=[r for r in review.ratings if chosen is not None and r.rubric_id == chosen],
        available=sorted(
            {RunRef(s.rubric_id, s.rubric_version, s.scorer) for s in every},
            key=lambda r: (r.rubric_id, r.rubric_version, r.scorer),
        ),
        trust=trust,
    )
