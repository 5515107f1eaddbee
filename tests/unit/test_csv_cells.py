"""Cell values as CRM exports write them: dates in several locales, amounts, periods, flags."""

from __future__ import annotations

from datetime import date

import pytest

from callcoach.domain.calls import DealOutcome
from callcoach.ingest.crm_csv import person, stage_outcome
from callcoach.ingest.crm_periods import parse_period
from callcoach.ingest.csv_cells import (
    DateOrder,
    infer_date_order,
    parse_amount,
    parse_bool,
    parse_count,
    parse_date,
)


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2026-03-14", DateOrder.MDY, date(2026, 3, 14)),
        ("2026-03-14 10:22", DateOrder.MDY, date(2026, 3, 14)),
        ("2026-03-14T10:22:05Z", DateOrder.MDY, date(2026, 3, 14)),
        ("2026/03/14", DateOrder.DMY, date(2026, 3, 14)),
        ("3/14/2026", DateOrder.MDY, date(2026, 3, 14)),
        ("3/14/2026 10:22 AM", DateOrder.MDY, date(2026, 3, 14)),
        ("3/14/2026, 10:22 PM", DateOrder.MDY, date(2026, 3, 14)),
        ("03/04/2026", DateOrder.MDY, date(2026, 3, 4)),
        ("03/04/2026", DateOrder.DMY, date(2026, 4, 3)),
        ("14/03/26", DateOrder.DMY, date(2026, 3, 14)),
        ("14.03.2026", DateOrder.MDY, date(2026, 3, 14)),  # dots are always day first
        ("14 Mar 2026", DateOrder.MDY, date(2026, 3, 14)),
        ("Mar 14, 2026", DateOrder.MDY, date(2026, 3, 14)),
        ("March 14 2026", DateOrder.MDY, date(2026, 3, 14)),
        ("14-Mar-2026", DateOrder.MDY, date(2026, 3, 14)),
    ],
)
def test_dates_as_crms_export_them(text: str, order: DateOrder, expected: date) -> None:
    assert parse_date(text, order) == expected


@pytest.mark.parametrize("text", ["next Tuesday", "2026-13-45", "31/31/2026", "3/14", "Q3"])
def test_what_is_not_a_date_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=repr(text).replace("/", "/")[1:-1]):
        parse_date(text)


def test_date_order_is_told_by_a_day_above_twelve() -> None:
    assert infer_date_order(["03/04/2026", "28/04/2026"]) is DateOrder.DMY
    assert infer_date_order(["03/04/2026", "04/28/2026 10:00 AM"]) is DateOrder.MDY
    assert infer_date_order(["03/04/2026", "2026-05-01"]) is None
    with pytest.raises(ValueError, match="mix day-first"):
        infer_date_order(["28/04/2026", "04/28/2026"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("48000", 48000.0),
        ("$48,000.00", 48000.0),
        ("USD 48,000", 48000.0),
        ("48.000,00 €", 48000.0),
        ("1.250.000", 1250000.0),
        ("48 000", 48000.0),
        ("12,5", 12.5),
        ("99.95", 99.95),
        ("£1,250,000.50", 1250000.5),
    ],
)
def test_amounts(text: str, expected: float) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", ["TBD", "-500", "(1,000)", "12a"])
def test_bad_amounts(text: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(text)


def test_flags_and_counts() -> None:
    assert [parse_bool(v) for v in ("1", "TRUE", "yes", "0", "false", "")] == [
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    with pytest.raises(ValueError):
        parse_bool("maybe")
    assert [parse_count(v) for v in ("3", "3.0", "1,200")] == [3, 3, 1200]
    for bad in ("2.5", "-1", "three"):
        with pytest.raises(ValueError):
            parse_count(bad)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
        ("Q1 2026", date(2026, 1, 1), date(2026, 3, 31)),
        ("Q4-2026", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        ("Feb 2028", date(2028, 2, 1), date(2028, 2, 29)),
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_quota_periods(text: str, start: date, end: date) -> None:
    assert parse_period(text) == (start, end)


def test_bad_period() -> None:
    with pytest.raises(ValueError, match="is not a period"):
        parse_period("Q5 2026")


@pytest.mark.parametrize(
    ("stage", "outcome"),
    [
        ("Closed Won", DealOutcome.WON),
        ("closedwon", DealOutcome.WON),
        ("Closed - Won", DealOutcome.WON),
        ("Won", DealOutcome.WON),
        ("Closed Lost", DealOutcome.LOST),
        ("closedlost", DealOutcome.LOST),
        ("Closed Lost - No Decision", DealOutcome.LOST),
        ("Stalled", DealOutcome.STALLED),
        ("On Hold", DealOutcome.STALLED),
        ("Negotiation/Review", DealOutcome.OPEN),
        ("Contract sent", DealOutcome.OPEN),
        (None, DealOutcome.OPEN),
    ],
)
def test_stage_to_outcome(stage: str | None, outcome: DealOutcome) -> None:
    assert stage_outcome(stage) is outcome


def test_owner_cells_name_email_or_both() -> None:
    assert person("Dana Ortiz") == person(" Dana Ortiz ")
    both = person("Dana Ortiz (dana@brightline.io)")
    assert both is not None and (both.name, both.email) == ("Dana Ortiz", "dana@brightline.io")
    only = person("dana@brightline.io")
    assert only is not None and (only.name, only.email) == (None, "dana@brightline.io")
