"""`callcoach demo`: generate the demo sales org and write it into the store.

The generator (callcoach.demo) is pure; this use case finds the rubric it acts out, refuses to
mix the demo into a database holding real calls (unless forced), replaces any earlier demo, and
writes everything in one transaction, streaming the transcripts in batches so 100k calls fit in
memory. Scoring and reporting are separate use cases the CLI runs afterwards.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from callcoach.demo import DemoConfig, DemoConfigError, DemoOrg, generate_org
from callcoach.demo.batches import call_batches
from callcoach.demo.model import DEFAULT_CALLS
from callcoach.demo.names import VENDOR_DOMAIN
from callcoach.demo.summary import CallStats, DemoSummary, summarize
from callcoach.services.common import NoProgress, NotFoundError, Progress, ServiceError
from callcoach.services.demo.practice import write_practice_history
from callcoach.store.uow import Store, UnitOfWork

DEMO_SOURCE = "demo"  # calls.source_format and deals.source of everything the demo writes
DEMO_RUBRIC = "one-call-close"
BATCH_CALLS = 250


class DemoRefusedError(ServiceError):
    """The database holds data the demo must not be mixed into without being asked."""


@dataclass(frozen=True)
class DemoOptions:
    seed: int = 7
    calls: int = DEFAULT_CALLS
    reps: int | None = None
    months: int = 6
    end: date | None = None  # default: today
    transcripts: str = "auto"  # auto, full or short
    force: bool = False
    # Processes writing transcripts. One by default: on a busy machine a second process only
    # adds the cost of shipping calls between processes (bench/demo_scale.py measures both).
    workers: int = 1
    rubric_id: str = DEMO_RUBRIC

    def config(self) -> DemoConfig:
        return DemoConfig(
            seed=self.seed,
            calls=self.calls,
            reps=self.reps,
            months=self.months,
            end=self.end or date.today(),
            transcripts=self.transcripts,
        )


def _check_target(uow: UnitOfWork, force: bool) -> None:
    foreign = uow.bulk.count_calls(DEMO_SOURCE, exclude=True)
    if foreign and not force:
        raise DemoRefusedError(
            f"this database already holds {foreign} call(s) that are not from the demo; the "
            "demo would mix made-up reps and calls into your analytics. Use another --db "
            "(e.g. --db demo.db), or pass --force to add the demo next to them"
        )


def _write(
    uow: UnitOfWork, org: DemoOrg, rubric_pk: int, progress: Progress, workers: int | None
) -> tuple[CallStats, int]:
    names = [p.rep.name for p in org.reps]
    removed = uow.bulk.remove_source(DEMO_SOURCE, VENDOR_DOMAIN, keep_reps=names)
    team_ids = uow.bulk.upsert_teams(org.teams)
    rep_ids = uow.bulk.upsert_reps([p.rep for p in org.reps], team_ids)
    deal_ids = uow.bulk.insert_deals(org.deals, rep_ids, source=DEMO_SOURCE)
    rated = {r.call_id for r in org.ratings}
    rated_pks: dict[str, int] = {}
    stats = CallStats()
    total = len(org.call_plans)
    progress.start("Writing demo calls", total)
    for calls in call_batches(org, BATCH_CALLS, workers):
        pks = uow.bulk.insert_calls(calls, rep_ids, deal_ids)
        for call in calls:
            stats.add(len(call.segments), call.effective_duration() or 0.0)
            if call.external_id in rated:
                rated_pks[call.external_id] = pks[call.external_id]
        progress.advance(len(calls))
    uow.bulk.insert_activities(org.activities, rep_ids)
    uow.bulk.insert_quotas(org.quotas, rep_ids)
    uow.bulk.insert_ratings(org.ratings, rated_pks, rubric_pk)
    uow.coaching.add_many(org.coaching, rep_ids, rubric_pk)
    write_practice_history(uow, org, rep_ids, rubric_pk)  # services/demo/practice.py
    uow.audit.record(
        None,
        "demo.generate",
        f"seed {org.config.seed}",
        calls=total,
        reps=len(org.reps),
        replaced_calls=removed.calls,
    )
    return stats, removed.calls


def generate_demo(
    store: Store, options: DemoOptions | None = None, progress: Progress | None = None
) -> DemoSummary:
    """Generate the demo org and write it (replacing an earlier demo). One transaction."""
    options = options or DemoOptions()
    progress = progress or NoProgress()
    started = time.perf_counter()
    with store.unit_of_work() as uow:
        stored = uow.rubrics.latest(options.rubric_id)
        rubric_row = uow.rubrics.rubric_row(options.rubric_id)
        if stored is None or rubric_row is None:
            raise NotFoundError(
                f"no rubric {options.rubric_id!r} in this database: run `callcoach init` to "
                "install the bundled templates"
            )
        _check_target(uow, options.force)
        rubric = stored.rubric
        try:
            org = generate_org(
                options.config(),
                criteria=tuple(rubric.criterion_ids),
                rubric_id=rubric.id,
                weights=rubric.weights(),
            )
        except DemoConfigError as exc:
            raise ServiceError(str(exc)) from exc
        stats, replaced = _write(uow, org, rubric_row.id, progress, options.workers)
    summary = summarize(org, stats)
    summary.database = store.database.display_url
    summary.seconds = round(time.perf_counter() - started, 2)
    summary.replaced_calls = replaced
    return summary
