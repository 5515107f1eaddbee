"""The calls list as a working list: its filters and order from a query string, the criteria it
can filter on, and the CSV of what it shows.

The web page, its CSV export and the API read the same parameters, so a link copied from the
page, its "Export CSV" and an API call with the same query return the same calls in the same
order.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from callcoach.domain.scores import is_valid_level
from callcoach.services.common import ServiceError
from callcoach.store.repositories.browse import CallListing, CallListItem, CallSort
from callcoach.store.repositories.calls import CallFilter
from callcoach.store.uow import Store

OUTCOMES = ("won", "lost", "open", "none")
# Columns whose first click sorts newest / longest / highest first.
_HIGHEST_FIRST = (CallSort.DATE, CallSort.OVERALL, CallSort.LENGTH)
CSV_COLUMNS = (
    "call_id",
    "date",
    "rep",
    "team",
    "account",
    "call_type",
    "duration_s",
    "overall",
    "score_status",
    "deal_outcome",
)


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ServiceError(f"{name}: {value!r} is not a date (use YYYY-MM-DD)") from None


def _level(value: str, name: str) -> int:
    try:
        level = int(value)
    except ValueError:
        level = 0
    if not is_valid_level(level):
        raise ServiceError(f"{name}: {value!r} is not a level (1 to 5)")
    return level


@dataclass(frozen=True)
class CallListRequest:
    """What a person asked of the calls list. Empty values mean "not given"."""

    q: str | None = None
    rep: str | None = None
    team: str | None = None
    since: date | None = None  # the `from` parameter, inclusive
    until: date | None = None  # the `to` parameter, inclusive
    call_type: str | None = None
    outcome: str | None = None
    criterion: str | None = None
    level_min: int | None = None
    level_max: int | None = None
    sort: CallSort = CallSort.DATE
    descending: bool = True
    page: int = 1

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> CallListRequest:
        """Parse a query string's parameters; a bad value is a ServiceError naming it."""

        def text(name: str) -> str | None:
            value = (params.get(name) or "").strip()
            return value or None

        since = _day(v, "from") if (v := text("from")) else None
        until = _day(v, "to") if (v := text("to")) else None
        if since and until and until < since:
            raise ServiceError(f"to ({until}) is before from ({since})")
        outcome = text("outcome")
        if outcome is not None and outcome not in OUTCOMES:
            raise ServiceError(f"outcome: {outcome!r}; use one of {', '.join(OUTCOMES)}")
        level_min = _level(v, "level_min") if (v := text("level_min")) else None
        level_max = _level(v, "level_max") if (v := text("level_max")) else None
        if level_min and level_max and level_max < level_min:
            raise ServiceError(f"level_max ({level_max}) is below level_min ({level_min})")
        criterion = text("criterion")
        if (level_min or level_max) and not criterion:
            raise ServiceError("a level range needs a criterion to apply to")
        sort_name = text("sort") or CallSort.DATE.value
        try:
            sort = CallSort(sort_name)
        except ValueError:
            choices = ", ".join(s.value for s in CallSort)
            raise ServiceError(f"sort: {sort_name!r}; use one of {choices}") from None
        order = text("order") or ("desc" if sort in _HIGHEST_FIRST else "asc")
        if order not in ("asc", "desc"):
            raise ServiceError(f"order: {order!r}; use asc or desc")
        page_text = text("page") or "1"
        if not page_text.isdigit() or int(page_text) < 1:
            raise ServiceError(f"page: {page_text!r} is not a page number")
        return cls(
            q=text("q"),
            rep=text("rep"),
            team=text("team"),
            since=since,
            until=until,
            call_type=text("type"),
            outcome=outcome,
            criterion=criterion,
            level_min=level_min,
            level_max=level_max,
            sort=sort,
            descending=order == "desc",
            page=int(page_text),
        )

    def filters(self) -> CallFilter:
        return CallFilter(
            rep=self.rep,
            team=self.team,
            since=datetime.combine(self.since, time.min) if self.since else None,
            until=datetime.combine(self.until + timedelta(days=1), time.min)
            if self.until
            else None,
        )

    def listing(self) -> CallListing:
        return CallListing(
            call_type=self.call_type,
            outcome=self.outcome,
            criterion=self.criterion,
            level_min=self.level_min,
            level_max=self.level_max,
            sort=self.sort,
            descending=self.descending,
        )

    def next_order(self, column: CallSort) -> str:
        """The order a click on a column's header asks for: the other way if already sorted by
        it, else the column's natural first order (newest, highest; names A to Z)."""
        if column is self.sort:
            return "asc" if self.descending else "desc"
        return "desc" if column in _HIGHEST_FIRST else "asc"

    def query_string(self, **changes: object) -> str:
        """This request as a query string, with `changes` (None drops a parameter)."""
        values: dict[str, object] = {
            "q": self.q,
            "rep": self.rep,
            "team": self.team,
            "from": self.since.isoformat() if self.since else None,
            "to": self.until.isoformat() if self.until else None,
            "type": self.call_type,
            "outcome": self.outcome,
            "criterion": self.criterion,
            "level_min": self.level_min,
            "level_max": self.level_max,
            "sort": self.sort.value if self.sort is not CallSort.DATE else None,
            "order": None if self.descending == (self.sort in _HIGHEST_FIRST) else self.order,
            "page": self.page if self.page > 1 else None,
        }
        values.update(changes)
        if values.get("page") == 1:
            values["page"] = None
        return urlencode({k: str(v) for k, v in values.items() if v is not None and v != ""})

    @property
    def order(self) -> str:
        return "desc" if self.descending else "asc"


def criterion_options(store: Store) -> list[tuple[str, str]]:
    """(criterion id, label) of every rubric's latest version, for the list's criterion filter."""
    with store.unit_of_work() as uow:
        rubrics = [stored for stored, _ in uow.rubrics.list()]
    seen: dict[str, str] = {}
    for stored in rubrics:
        for criterion in stored.rubric.criteria:
            seen.setdefault(criterion.id, f"{criterion.name} ({stored.rubric.id})")
    return sorted(seen.items(), key=lambda item: item[1].lower())


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def call_list_csv(items: Iterable[CallListItem], criterion: str | None) -> Iterator[str]:
    """CSV text, a chunk per 200 rows: the columns the list shows, plus the criterion's level
    when the list filters or sorts by one."""
    columns = [*CSV_COLUMNS, *([f"level_{criterion}"] if criterion else [])]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for count, item in enumerate(items, 1):
        row = [
            item.external_id,
            item.date,
            item.rep,
            item.team,
            item.account,
            item.call_type,
            item.duration_s,
            item.overall,
            item.score_status,
            item.deal_outcome,
        ]
        if criterion:
            row.append(item.level)
        writer.writerow([_cell(v) for v in row])
        if count % 200 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
