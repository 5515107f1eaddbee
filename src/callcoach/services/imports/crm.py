"""Importing CRM exports: deals, reps (the roster), daily activities and quotas.

Every file is read whole first (any bad cell rejects it, naming line and column), then written
in one transaction. Re-importing a file updates what it wrote: deals by their CRM id, reps by
name or email, activities by rep and day, quotas by rep and period.

Reps are found by email, then by name (case-insensitive). A rep named in a deal, activity or
quota file but missing from the roster is created, and the report lists them, so a typo shows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from callcoach.domain.access import SYSTEM
from callcoach.domain.calls import Quota, Rep
from callcoach.ingest.crm_csv import (
    ActivityRecord,
    DealRecord,
    Person,
    QuotaRecord,
    Records,
    flavour_of_file,
    read_activities,
    read_deals,
    read_quotas,
    read_reps,
)
from callcoach.ingest.csv_cells import DateOrder
from callcoach.ingest.errors import ParseError
from callcoach.services.common import Progress
from callcoach.services.imports.reports import FileReport, ImportReport, import_each_file
from callcoach.store.uow import Store, UnitOfWork

T = TypeVar("T")
_LISTED = 5


class _Roster:
    """Rep lookups within one file's transaction, remembering the reps it had to create."""

    def __init__(self, uow: UnitOfWork, path: Path) -> None:
        self.uow = uow
        self.path = path
        self.created: list[str] = []

    def rep_id(self, who: Person, line: int) -> int:
        people = self.uow.people
        row = people.rep_row_by_email(who.email) if who.email else None
        if row is None and who.name:
            row = people.rep_row(who.name)
        if row is not None:
            return row.id
        name = who.name or who.email
        if not name:
            raise ParseError(self.path, line, "no rep named")
        row, _ = people.ensure_rep(name)
        if who.email:
            row.email = who.email
        self.created.append(name)
        return row.id

    def report_to(self, report: FileReport) -> None:
        report.new_reps = len(self.created)
        if self.created:
            shown = ", ".join(self.created[:_LISTED])
            more = f" and {len(self.created) - _LISTED} more" if len(self.created) > _LISTED else ""
            report.warnings.append(
                f"added to the roster (not found by name or email): {shown}{more}"
            )


def _run(
    store: Store,
    paths: Sequence[Path],
    read: Callable[[Path], Records[T]],
    write: Callable[[UnitOfWork, _Roster, int, T], bool],
    what: str,
    progress: Progress | None,
    actor: str,
) -> ImportReport:
    def import_file(path: Path, report: FileReport) -> None:
        report.format = f"{flavour_of_file(path)} CSV"
        records = read(path)
        report.format = f"{records.flavour} CSV"
        report.warnings.extend(records.warnings)
        if not records.items:
            raise ParseError(path, None, f"no {what} in the file")
        with store.unit_of_work() as uow:
            roster = _Roster(uow, path)
            for line, record in records.items:
                if write(uow, roster, line, record):
                    report.created += 1
                else:
                    report.updated += 1
            roster.report_to(report)
            uow.audit.record(
                actor,
                f"import.{what}",
                str(path.resolve()),
                created=report.created,
                updated=report.updated,
            )

    return import_each_file(paths, import_file, description=f"Importing {what}", progress=progress)


def _write_deal(uow: UnitOfWork, roster: _Roster, line: int, record: DealRecord) -> bool:
    rep_id = roster.rep_id(record.owner, line) if record.owner else None
    _, created = uow.deals.upsert(record.deal, rep_id, source="csv")
    return created


def _write_rep(uow: UnitOfWork, roster: _Roster, line: int, rep: Rep) -> bool:
    by_name = uow.people.rep_row(rep.name)
    by_email = uow.people.rep_row_by_email(rep.email) if rep.email else None
    if by_email is not None and (by_name is None or by_name.id != by_email.id):
        # Matching by email would rename that rep: a roster row renames no one silently.
        raise ParseError(
            roster.path,
            line,
            f"{rep.email} is the email of rep {by_email.name!r}, not of {rep.name!r}",
            column="email",
        )
    _, created = uow.people.upsert_rep(rep)
    return created


def _write_activity(uow: UnitOfWork, roster: _Roster, line: int, record: ActivityRecord) -> bool:
    return uow.deals.upsert_activity(record.activity, roster.rep_id(record.owner, line))


def _write_quota(uow: UnitOfWork, roster: _Roster, line: int, record: QuotaRecord) -> bool:
    quota = Quota(
        rep=record.owner.name or record.owner.email or "",
        period_start=record.period_start,
        period_end=record.period_end,
        amount=record.amount,
    )
    return uow.deals.upsert_quota(quota, roster.rep_id(record.owner, line))


def import_deals(
    store: Store,
    paths: Sequence[Path],
    *,
    date_order: DateOrder | None = None,
    progress: Progress | None = None,
    actor: str = SYSTEM.username,
) -> ImportReport:
    """Deals from Salesforce opportunity or HubSpot deal exports, or our own columns."""
    return _run(
        store, paths, lambda p: read_deals(p, date_order), _write_deal, "deals", progress, actor
    )


def import_reps(
    store: Store,
    paths: Sequence[Path],
    *,
    date_order: DateOrder | None = None,
    progress: Progress | None = None,
    actor: str = SYSTEM.username,
) -> ImportReport:
    """The roster: name, email, team, manager, start date (for tenure)."""
    return _run(
        store, paths, lambda p: read_reps(p, date_order), _write_rep, "reps", progress, actor
    )


def import_activities(
    store: Store,
    paths: Sequence[Path],
    *,
    date_order: DateOrder | None = None,
    progress: Progress | None = None,
    actor: str = SYSTEM.username,
) -> ImportReport:
    """Calls made, meetings booked and proposals sent per rep per day."""
    return _run(
        store,
        paths,
        lambda p: read_activities(p, date_order),
        _write_activity,
        "activities",
        progress,
        actor,
    )


def import_quotas(
    store: Store,
    paths: Sequence[Path],
    *,
    date_order: DateOrder | None = None,
    progress: Progress | None = None,
    actor: str = SYSTEM.username,
) -> ImportReport:
    """Quota per rep per period (a calendar quarter, month or year, or explicit dates)."""
    return _run(
        store, paths, lambda p: read_quotas(p, date_order), _write_quota, "quotas", progress, actor
    )
