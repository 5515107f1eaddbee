"""Cell values as CRM exports write them: dates in several locales, amounts, flags, counts.

Each parser raises ValueError with a message for people; the CSV reader adds file, line and
column.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from enum import StrEnum

# The largest values the store's columns hold: a 32-bit integer column, and amounts well inside
# a double's exact range. Larger cells are refused with their line, not by the database.
MAX_COUNT = 2**31 - 1
MAX_AMOUNT = 1e15

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_YMD_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})([/-])(\d{1,2})\2(\d{2}|\d{4})$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})\.?$")
# A time after the date: "3/14/2026 10:22 AM", "3/14/2026, 10:22", "2026-03-14T10:22:05Z".
_TIME_SUFFIX = re.compile(
    r"(?:[ ,T]+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?"
    r"\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2}|[A-Z]{2,5})?$"
)
_MONTH_NAMES = ("%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y", "%d-%b-%Y", "%d-%b-%y")

DATE_FORMATS_HELP = "2026-03-14, 3/14/2026, 14/03/2026, 14.03.2026 or 14 Mar 2026"


class DateOrder(StrEnum):
    """How to read 03/04/2026: month first (US exports) or day first (most other locales)."""

    MDY = "mdy"
    DMY = "dmy"


def _strip_time(text: str) -> str:
    return _TIME_SUFFIX.sub("", text.strip()).strip()


def _year(text: str) -> int:
    value = int(text)
    return value + 2000 if len(text) == 2 else value


def numeric_parts(text: str) -> tuple[int, int] | None:
    """(first, second) of a slash or dash date like 3/14/2026, to tell MDY from DMY."""
    match = _NUMERIC.match(_strip_time(text))
    return (int(match[1]), int(match[3])) if match else None


def infer_date_order(values: list[str]) -> DateOrder | None:
    """The order a file's slash dates use: DMY if a first part passes 12, MDY if a second does.

    None when the values cannot tell (then US month-first is assumed unless told otherwise).
    Raises ValueError when both happen (the file mixes formats).
    """
    day_first = month_first = None
    for value in values:
        parts = numeric_parts(value)
        if parts is None:
            continue
        if parts[0] > 12 and day_first is None:
            day_first = value
        if parts[1] > 12 and month_first is None:
            month_first = value
    if day_first and month_first:
        raise ValueError(
            f"dates mix day-first ({day_first!r}) and month-first ({month_first!r}) order"
        )
    if day_first:
        return DateOrder.DMY
    if month_first:
        return DateOrder.MDY
    return None


def parse_date(text: str, order: DateOrder = DateOrder.MDY) -> date:
    raw = text.strip()
    if not raw:
        raise ValueError("empty date")
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    value = _strip_time(raw)
    try:
        if match := _ISO_DATE.match(value) or _YMD_SLASH.match(value):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DOTTED.match(value):
            return date(_year(match[3]), int(match[2]), int(match[1]))
        if match := _NUMERIC.match(value):
            first, second, year = int(match[1]), int(match[3]), _year(match[4])
            if order is DateOrder.DMY:
                return date(year, second, first)
            return date(year, first, second)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a valid date ({exc})") from exc
    cleaned = value.replace(",", " ")
    cleaned = " ".join(cleaned.split())
    for fmt in _MONTH_NAMES:
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (use {DATE_FORMATS_HELP})")


_CURRENCY_CODE = re.compile(r"^[A-Za-z]{3}(?=[\s\d])|(?<=[\s\d])[A-Za-z]{3}$")
_CURRENCY_MARKS = re.compile(r"[$€£¥₹\s\u00a0\u202f']")


def parse_amount(text: str) -> float:
    """'$12,500.00', '12500', '12.500,00 €', 'USD 12,500', '12 500' -> 12500.0."""
    raw = text.strip()
    negative = raw.startswith("(") and raw.endswith(")")
    value = _CURRENCY_MARKS.sub("", _CURRENCY_CODE.sub("", raw.strip("()").strip()))
    if value.startswith("-"):
        negative, value = True, value[1:]
    if not value or not re.fullmatch(r"[\d.,]+", value):
        raise ValueError(f"{text!r} is not an amount")
    if "," in value and "." in value:
        decimal = "," if value.rfind(",") > value.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        value = value.replace(thousands, "").replace(decimal, ".")
    elif "," in value:
        groups = value.split(",")
        if len(groups) > 2 or (len(groups) == 2 and len(groups[1]) == 3):
            value = value.replace(",", "")  # 12,500 or 1,250,000: thousands
        else:
            value = value.replace(",", ".")  # 12,5: a decimal comma
    elif value.count(".") > 1:
        value = value.replace(".", "")  # 1.250.000: thousands
    amount = float(value)
    if not math.isfinite(amount) or amount > MAX_AMOUNT:
        raise ValueError(f"{text!r} is larger than any amount callcoach stores")
    if negative:
        raise ValueError(f"{text!r} is negative")
    return amount


_TRUE = {"true", "yes", "y", "1", "won", "x", "checked", "wahr", "ja", "vrai", "oui"}
_FALSE = {"false", "no", "n", "0", "", "unchecked", "falsch", "nein", "faux", "non"}


def parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{text!r} is not true/false (1/0, yes/no)")


def parse_count(text: str) -> int:
    """A non-negative whole number ('3', '3.0', '1,200')."""
    raw = text.strip().replace(",", "").replace("\u00a0", "")
    try:
        number = float(raw)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not math.isfinite(number) or number > MAX_COUNT:
        raise ValueError(f"{text!r} is larger than {MAX_COUNT:,}")
    if number != int(number):
        raise ValueError(f"{text!r} is not a whole number")
    if number < 0:
        raise ValueError(f"{text!r} is negative")
    return int(number)
