"""Evidence items from stored rows: call moments (with what the prospect said just before),
deals, and the prospects' own words in lost deals' calls grouped into objection types."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Protocol

import numpy as np

from callcoach.analytics.levels import DEAL, RUN, CriterionInfo, ScoreTable
from callcoach.analytics.priorities import GOOD_LEVEL
from callcoach.analytics.reviews import DealFacts, StalledDeal
from callcoach.analytics.reviews_format import clock
from callcoach.analytics.reviews_objections import cluster_objections, dedupe, worth_clustering
from callcoach.analytics.reviews_pack import ObjectionType
from callcoach.domain.access import Scope
from callcoach.domain.reviews import EvidenceItem, EvidenceKind, deal_id, moment_id
from callcoach.store.uow import UnitOfWork

CONTEXT_TURNS = 3  # how far back the prospect's words before a moment are looked for
LOW_LEVEL = 2  # a low-scored moment: level 2 or below


class Encoder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _prospect_before(
    context: Sequence[tuple[int, str, str, float | None]], segment: int
) -> tuple[int, str, float | None] | None:
    """The prospect's last turn before the moment (within CONTEXT_TURNS)."""
    for idx, role, text, start in reversed(list(context)):
        if idx < segment and role == "prospect" and text.strip():
            return idx, text, start
    return None


def moments(
    uow: UnitOfWork,
    access: Scope,
    table: ScoreTable,
    picks: Sequence[tuple[int, str, int]],
    criteria: dict[str, CriterionInfo],
) -> dict[tuple[int, str], EvidenceItem]:
    """Evidence items for (call pk, criterion, level) picks: the first quote the scorer kept
    for that criterion on that call, with the prospect's words just before it."""
    picks = [p for p in picks if p[0] in table.calls.index]
    if not picks:
        return {}
    run_of = {call: int(table.calls.at[call, RUN]) for call, _, _ in picks}
    found = {
        (run, crit): items
        for run, crit, _conf, items in uow.analytics.criterion_evidence(
            [(run_of[call], crit) for call, crit, _ in picks], scope=access
        )
    }
    details = uow.analytics.call_details([call for call, _, _ in picks], scope=access)
    quotes: dict[tuple[int, str], dict[str, Any]] = {}
    for call, crit, _ in picks:
        items = found.get((run_of[call], crit)) or []
        if items and items[0].get("quote"):
            quotes[(call, crit)] = items[0]
    context = uow.reviews.segments_near(
        [(call, int(q.get("segment") or 0)) for (call, _), q in quotes.items()],
        CONTEXT_TURNS,
        scope=access,
    )
    result = {}
    for call, crit, level in picks:
        quote = quotes.get((call, crit))
        if quote is None or call not in details:
            continue
        external, when, account, _rep = details[call]
        segment = int(quote.get("segment") or 0)
        prospect = _prospect_before(context.get(call, []), segment)
        info = criteria[crit]
        result[(call, crit)] = EvidenceItem(
            id=moment_id(external, segment, crit),
            kind=EvidenceKind.MOMENT.value,
            label=f"{external} at {clock(quote.get('start'))}: {info.name}",
            call_id=external,
            segment=segment,
            start=quote.get("start"),
            account=account,
            day=_day(when),
            quote=str(quote["quote"]),
            prospect_quote=prospect[1] if prospect else None,
            criterion_id=crit,
            criterion=info.name,
            level=int(level),
            good_anchor=info.good,
            numbers=[float(GOOD_LEVEL)],
        )
    return result


def deal_item(
    deal: DealFacts,
    calls: Sequence[tuple[int, date | None]],
    stalled: StalledDeal | None = None,
) -> EvidenceItem:
    days = [d for _, d in calls if d is not None]
    dates = {
        key: value
        for key, value in (
            ("created", deal.created),
            ("verbal", deal.verbal),
            ("closed", deal.closed),
            ("first_call", min(days) if days else None),
            ("last_call", max(days) if days else None),
            ("stage_changed", deal.stage_changed),
            ("last_activity", deal.last_activity),
            ("last_touch", stalled.last_touch if stalled else None),
        )
        if value is not None
    }
    numbers = []
    if stalled is not None and stalled.days_untouched is not None:
        numbers.append(float(stalled.days_untouched))
    numbers.append(float(len(calls)))
    return EvidenceItem(
        id=deal_id(deal.external_id),
        kind=EvidenceKind.DEAL.value,
        label=f"deal {deal.title}",
        deal_id=deal.external_id,
        deal_name=deal.title,
        account=deal.account,
        amount=deal.amount,
        outcome=deal.outcome,
        dates=dates,
        numbers=numbers,
        names=[n for n in (deal.name, deal.account) if n],
        note=stalled.reason if stalled else None,
    )


def objection_types(
    uow: UnitOfWork,
    access: Scope,
    history: ScoreTable,
    deal_pks: Sequence[int],
    encoder: Encoder | None,
) -> tuple[list[ObjectionType], dict[str, EvidenceItem]]:
    """The prospects' words just before the low-scored moments of these deals' calls, grouped
    by meaning (MiniLM vectors), each group named by its most central real quote."""
    if not deal_pks or encoder is None:
        return [], {}
    linked = history.calls[DEAL].isin(list(deal_pks)).to_numpy()
    calls, levels = history.calls[linked], history.levels[linked]
    pairs = [
        (int(calls.at[call, RUN]), crit, int(call))
        for call in calls.index
        for crit in levels.columns
        if not np.isnan(levels.at[call, crit]) and levels.at[call, crit] <= LOW_LEVEL
    ]
    if not pairs:
        return [], {}
    call_of_run = {run: call for run, _, call in pairs}
    segments: set[tuple[int, int]] = set()
    for run, _crit, _conf, quotes in uow.analytics.criterion_evidence(
        [(run, crit) for run, crit, _ in pairs], scope=access
    ):
        if quotes:
            segments.add((call_of_run[run], int(quotes[0].get("segment") or 0)))
    context = uow.reviews.segments_near(sorted(segments), CONTEXT_TURNS, scope=access)
    details = uow.analytics.call_details(sorted({c for c, _ in segments}), scope=access)
    turns: list[tuple[int, int, str, float | None]] = []
    for call, segment in sorted(segments):
        found = _prospect_before(context.get(call, []), segment)
        if found is not None and worth_clustering(found[1]):
            turns.append((call, found[0], " ".join(found[1].split()), found[2]))
    turns = [turns[i] for i in dedupe([t[2] for t in turns])]
    if not turns:
        return [], {}
    vectors = encoder.encode([t[2] for t in turns])
    items: dict[str, EvidenceItem] = {}
    ids = []
    for call, segment, text, start in turns:
        external, when, account, _rep = details[call]
        item = EvidenceItem(
            id=moment_id(external, segment, "prospect"),
            kind=EvidenceKind.MOMENT.value,
            label=f"{external} at {clock(start)}: the prospect",
            call_id=external,
            segment=segment,
            start=start,
            account=account,
            day=_day(when),
            quote=text,
            speaker="prospect",
        )
        items[item.id] = item
        ids.append(item.id)
    result = []
    for cluster in cluster_objections(np.asarray(vectors, dtype=float)):
        central = ids[cluster.central]
        items[central].numbers = [float(len(cluster.members))]
        result.append(
            ObjectionType(
                name=items[central].quote or "",
                evidence=central,
                size=len(cluster.members),
                examples=[ids[m] for m in cluster.members if m != cluster.central],
            )
        )
    return result, items
