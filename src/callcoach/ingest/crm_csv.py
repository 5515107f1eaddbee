"""CRM exports: deals (Salesforce opportunities, HubSpot deals), reps, activities and quotas.

Each reader returns domain objects with the line they came from; resolving rep names against
the roster and writing is the services' job (services/imports/crm.py). Column names are matched
loosely (see ingest/csv_table.py); the accepted names of each column are listed below and in
docs/import-formats.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Generic, TypeVar

from callcoach.domain.calls import Activity, Deal, DealOutcome, Rep
from callcoach.ingest.crm_periods import parse_period
from callcoach.ingest.csv_cells import DateOrder
from callcoach.ingest.csv_table import CsvRow, CsvTable, normalize_header, read_csv_table
from callcoach.ingest.errors import ParseError

T = TypeVar("T")

DEAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "deal_id": ("deal_id", "Opportunity ID", "Opportunity ID (18)", "Record ID", "Deal ID", "Id"),
    "name": ("name", "Opportunity Name", "Deal Name"),
    "account": (
        "account",
        "Account Name",
        "Account.Name",
        "Associated Company",
        "Associated Company (Primary)",
        "Company Name",
        "Company",
    ),
    "amount": ("amount", "Amount", "Amount (converted)", "Amount in company currency", "Value"),
    "stage": ("stage", "Stage", "StageName", "Deal Stage", "Stage Name"),
    "outcome": ("outcome",),
    "won": ("won", "IsWon", "Is Won", "Is Closed Won"),
    "closed": ("closed", "IsClosed", "Is Closed", "Is Deal Closed?"),
    "created_date": ("created_date", "Created Date", "CreatedDate", "Create Date"),
    "close_date": ("close_date", "Close Date", "CloseDate"),
    "verbal_commit_date": (
        "verbal_commit_date",
        "Verbal Commit Date",
        "Verbal Commitment Date",
        "Verbal Commit",
    ),
    "stage_changed_date": (
        "stage_changed_date",
        "Last Stage Change Date",
        "LastStageChangeDate",
        "Date of last stage change",
    ),
    "last_activity_date": (
        "last_activity_date",
        "Last Activity",
        "LastActivityDate",
        "Last Activity Date",
    ),
    "rep": ("rep", "Opportunity Owner", "Deal owner", "Owner Name", "Owner.Name", "Owner"),
    "rep_email": ("rep_email", "Opportunity Owner Email", "Owner Email", "Deal owner email"),
}
REP_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "rep", "Full Name", "Rep Name", "User", "User Name"),
    "first_name": ("first_name", "First Name"),
    "last_name": ("last_name", "Last Name"),
    "email": ("email", "Email", "Email Address", "User Email"),
    "team": ("team", "Team Name", "Sales Team", "Role"),
    "manager": ("manager", "Manager Name", "Reports To"),
    "start_date": ("start_date", "Hire Date", "Started"),
}
ACTIVITY_COLUMNS: dict[str, tuple[str, ...]] = {
    "rep": ("rep", "Assigned", "Assigned To", "Activity assigned to", "Activity Owner", "Owner"),
    "date": ("date", "day", "Activity Date", "Date", "Call Date", "Due Date", "Create Date"),
    "calls_made": ("calls_made", "Calls", "Calls Made", "Dials"),
    "meetings_booked": ("meetings_booked", "Meetings", "Meetings Booked", "Meetings Set"),
    "proposals_sent": ("proposals_sent", "Proposals", "Proposals Sent", "Quotes Sent"),
    "type": ("type", "Activity Type", "Task Subtype", "Task/Event", "Event Type"),
}
QUOTA_COLUMNS: dict[str, tuple[str, ...]] = {
    "rep": ("rep", "Quota Owner", "Owner", "User", "Rep Name", "Name"),
    "period": ("period", "Quarter", "Fiscal Period", "Quota Period", "Month"),
    "period_start": ("period_start", "Period Start", "Start Date"),
    "period_end": ("period_end", "Period End", "End Date"),
    "amount": ("amount", "Quota", "Quota Amount", "Target"),
}
COUNT_FIELDS = ("calls_made", "meetings_booked", "proposals_sent")
_SOURCES = {
    "Salesforce": {"opportunity id", "opportunity name", "stagename", "opportunity owner"},
    "HubSpot": {"record id", "deal name", "deal stage", "deal owner", "associated company"},
}
_EMAIL = re.compile(r"^[^@\s()<>]+@[^@\s()<>]+\.[^@\s()<>]+$")
_NAME_WITH_EMAIL = re.compile(r"^(?P<name>[^()<>]+?)\s*[(<](?P<email>[^()<>]+)[)>]$")


@dataclass
class Records(Generic[T]):
    """What a CRM file holds: records with the line each came from."""

    path: Path
    flavour: str  # "Salesforce", "HubSpot" or "callcoach": which headers the file used
    items: list[tuple[int, T]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Person:
    """A rep as a CRM cell names them: a name, an email, or 'Name (email)'."""

    name: str | None
    email: str | None


def person(value: str | None) -> Person | None:
    if value is None:
        return None
    value = value.strip()
    if (match := _NAME_WITH_EMAIL.match(value)) and _EMAIL.match(match["email"].strip()):
        return Person(match["name"].strip(), match["email"].strip())
    if _EMAIL.match(value):
        return Person(None, value)
    return Person(value, None)


@dataclass(frozen=True)
class DealRecord:
    deal: Deal
    owner: Person | None


@dataclass(frozen=True)
class ActivityRecord:
    owner: Person
    activity: Activity


@dataclass(frozen=True)
class QuotaRecord:
    owner: Person
    period_start: date
    period_end: date
    amount: float


def _flavour(table: CsvTable) -> str:
    return flavour_of_headers(table.headers)


def flavour_of_headers(headers: Sequence[str]) -> str:
    """Whose export the headers are: "Salesforce", "HubSpot" or "callcoach" (ours)."""
    present = {normalize_header(h) for h in headers}
    for name, markers in _SOURCES.items():
        if present & markers:
            return name
    return "callcoach"


def flavour_of_file(path: Path) -> str:
    """The flavour from the header line alone, to name the format of a file rejected later."""
    try:
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            first = next((line for line in handle if line.strip()), "")
    except OSError:
        return "callcoach"
    return flavour_of_headers(re.split(r"[,;\t]", first.replace('"', "")))


def _open(
    path: Path,
    columns: dict[str, tuple[str, ...]],
    required: Sequence[Sequence[str]],
    date_fields: Sequence[str],
    date_order: DateOrder | None,
) -> CsvTable:
    table = read_csv_table(path)
    table.map_columns(columns, required)
    table.settle_date_order(date_fields, date_order)
    return table


def _no_repeats(path: Path, seen: dict[object, int], key: object, line: int, what: str) -> None:
    if key in seen:
        raise ParseError(path, line, f"{what} repeats line {seen[key]}")
    seen[key] = line


def stage_outcome(stage: str | None) -> DealOutcome:
    """Closed Won / closedwon / Won -> won; Closed Lost -> lost; Stalled / On hold; else open."""
    letters = re.sub(r"[^a-z]", "", (stage or "").lower())
    if letters.startswith("closedwon") or letters == "won":
        return DealOutcome.WON
    if letters.startswith("closedlost") or letters == "lost":
        return DealOutcome.LOST
    if letters.startswith(("stalled", "onhold")):
        return DealOutcome.STALLED
    return DealOutcome.OPEN


def _outcome(row: CsvRow) -> DealOutcome:
    """Our outcome column if filled, else the CRM's Won/Closed flags, else the stage."""
    written = row.raw("outcome")
    if written is not None:
        try:
            return DealOutcome(written.lower())
        except ValueError:
            raise row.error("outcome", f"{written!r} is not won, lost, stalled or open") from None
    won, closed = row.flag("won"), row.flag("closed")
    if won:
        return DealOutcome.WON
    if closed:
        return DealOutcome.LOST
    if closed is False:
        return DealOutcome.OPEN
    return stage_outcome(row.raw("stage"))


def read_deals(path: Path, date_order: DateOrder | None = None) -> Records[DealRecord]:
    table = _open(
        path,
        DEAL_COLUMNS,
        [("deal_id",)],
        (
            "created_date",
            "close_date",
            "verbal_commit_date",
            "stage_changed_date",
            "last_activity_date",
        ),
        date_order,
    )
    records: Records[DealRecord] = Records(path, _flavour(table), warnings=table.warnings)
    seen: dict[object, int] = {}
    for row in table:
        deal_id = row.text("deal_id", required=True, max_length=200)
        assert deal_id is not None
        _no_repeats(path, seen, deal_id, row.line, f"deal {deal_id!r}")
        owner = person(row.text("rep", max_length=200))
        email = row.text("rep_email", max_length=320)
        if email:
            owner = Person(owner.name if owner else None, email)
        deal = Deal(
            external_id=deal_id,
            account=row.text("account"),
            amount=row.amount("amount"),
            stage=row.text("stage", max_length=100),
            outcome=_outcome(row),
            created_date=row.date("created_date"),
            close_date=row.date("close_date"),
            verbal_commit_date=row.date("verbal_commit_date"),
            name=row.text("name"),
            stage_changed_date=row.date("stage_changed_date"),
            last_activity_date=row.date("last_activity_date"),
        )
        records.items.append((row.line, DealRecord(deal, owner)))
    return records


def read_reps(path: Path, date_order: DateOrder | None = None) -> Records[Rep]:
    table = _open(path, REP_COLUMNS, [("name", "first_name", "email")], ("start_date",), date_order)
    records: Records[Rep] = Records(path, _flavour(table), warnings=table.warnings)
    seen: dict[object, int] = {}
    for row in table:
        name = row.text("name", max_length=200)
        if name is None:
            parts = [row.text("first_name"), row.text("last_name")]
            name = " ".join(p for p in parts if p) or None
        email = row.text("email", max_length=320)
        if email is not None and not _EMAIL.match(email):
            raise row.error("email", f"{email!r} is not an email address")
        name = name or email
        if name is None:
            raise row.error("name", "a rep needs a name (or first and last name, or an email)")
        _no_repeats(path, seen, name.lower(), row.line, f"rep {name!r}")
        if email is not None:
            key = ("email", email.lower())
            if key in seen:
                raise row.error("email", f"email {email!r} repeats line {seen[key]}")
            seen[key] = row.line
        records.items.append(
            (
                row.line,
                Rep(
                    name=name,
                    email=email,
                    team=row.text("team", max_length=200),
                    manager=row.text("manager", max_length=200),
                    start_date=row.date("start_date"),
                ),
            )
        )
    return records


def _activity_kind(value: str | None) -> str | None:
    """Which count an activity log row adds to (None: an email, a task... not counted)."""
    text = (value or "").lower()
    if "proposal" in text or "quote" in text:
        return "proposals_sent"
    if "call" in text:
        return "calls_made"
    if any(word in text for word in ("meeting", "event", "demo", "appointment")):
        return "meetings_booked"
    return None


@dataclass
class _Tally:
    line: int
    owner: Person
    day: date
    counts: dict[str, int]


def read_activities(path: Path, date_order: DateOrder | None = None) -> Records[ActivityRecord]:
    """Daily counts per rep; or an activity log (one row per call/meeting), counted per day."""
    table = _open(
        path,
        ACTIVITY_COLUMNS,
        [("rep",), ("date",), (*COUNT_FIELDS, "type")],
        ("date",),
        date_order,
    )
    records: Records[ActivityRecord] = Records(path, _flavour(table), warnings=table.warnings)
    counted = any(table.has(f) for f in COUNT_FIELDS)
    tallies: dict[tuple[str, date], _Tally] = {}
    ignored = 0
    for row in table:
        owner = person(row.text("rep", required=True, max_length=200))
        day = row.date("date", required=True)
        assert owner is not None and day is not None
        key = ((owner.email or owner.name or "").lower(), day)
        if counted:
            if key in tallies:
                raise ParseError(
                    path,
                    row.line,
                    f"{owner.name or owner.email} on {day} repeats line {tallies[key].line} "
                    "(one row per rep per day)",
                )
            counts = {f: row.count(f) or 0 for f in COUNT_FIELDS}
            tallies[key] = _Tally(row.line, owner, day, counts)
            continue
        kind = _activity_kind(row.raw("type"))
        if kind is None:
            ignored += 1
            continue
        tally = tallies.setdefault(
            key, _Tally(row.line, owner, day, dict.fromkeys(COUNT_FIELDS, 0))
        )
        tally.counts[kind] += 1
    if ignored:
        records.warnings.append(
            f"{ignored} row(s) of other activity types (emails, tasks...) not counted"
        )
    for tally in tallies.values():
        label = tally.owner.name or tally.owner.email or ""
        activity = Activity(rep=label, day=tally.day, **tally.counts)
        records.items.append((tally.line, ActivityRecord(tally.owner, activity)))
    return records


def read_quotas(path: Path, date_order: DateOrder | None = None) -> Records[QuotaRecord]:
    table = _open(
        path,
        QUOTA_COLUMNS,
        [("rep",), ("amount",), ("period", "period_start")],
        ("period_start", "period_end"),
        date_order,
    )
    records: Records[QuotaRecord] = Records(path, _flavour(table), warnings=table.warnings)
    seen: dict[object, int] = {}
    for row in table:
        owner = person(row.text("rep", required=True, max_length=200))
        assert owner is not None
        period = row.raw("period")
        if period is not None:
            try:
                start, end = parse_period(period)
            except ValueError as exc:
                raise row.error("period", str(exc)) from None
        else:
            start_date, end_date = row.date("period_start", True), row.date("period_end", True)
            assert start_date is not None and end_date is not None
            if end_date < start_date:
                raise row.error("period_end", f"{end_date} is before the start {start_date}")
            start, end = start_date, end_date
        amount = row.amount("amount", required=True)
        assert amount is not None
        who = (owner.email or owner.name or "").lower()
        _no_repeats(path, seen, (who, start, end), row.line, f"quota of {who} for {start}..{end}")
        records.items.append((row.line, QuotaRecord(owner, start, end, amount)))
    return records
