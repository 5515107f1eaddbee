"""Facts the persona already stated, so a reply does not contradict them (cheap cases only).

Handled: a number with the word after it ("20 people", "5 dollars", "$300", "15%") that the
persona already gave with the same word; a reply giving another number for that word is not
used ("we have 20 people" then "all 45 people would need it"). Money written "$300" counts as
"300 dollars".

Not handled: numbers in words ("twenty"), paraphrased units ("staff" vs "people"), dates, and
facts that are not numbers (which tool they use, who decides). Names are handled by `names`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_NUMBER = re.compile(
    r"(?P<dollar>\$)\s?(?P<amount>\d[\d,]*(?:\.\d+)?)"
    r"|(?P<number>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>%|[A-Za-z]+)?"
)


def stated_numbers(text: str) -> dict[str, float]:
    """Unit word -> number, for each number in the text followed by a word (or a $ before)."""
    found: dict[str, float] = {}
    for match in _NUMBER.finditer(text):
        if match.group("dollar"):
            unit, raw = "dollars", match.group("amount")
        else:
            unit, raw = (match.group("unit") or "").lower(), match.group("number")
            if not unit:
                continue
            unit = {"%": "percent", "dollar": "dollars", "bucks": "dollars"}.get(unit, unit)
            unit = unit[:-1] if unit.endswith("s") and len(unit) > 3 else unit
            unit = "dollars" if unit == "dollar" else unit
        try:
            found.setdefault(unit, float(raw.replace(",", "")))
        except ValueError:
            continue
    return found


def contradicted(reply: str, already_stated: Iterable[str]) -> list[str]:
    """The units whose number in `reply` differs from what the persona already said."""
    facts: dict[str, float] = {}
    for line in already_stated:
        for unit, value in stated_numbers(line).items():
            facts.setdefault(unit, value)
    return [
        unit
        for unit, value in stated_numbers(reply).items()
        if unit in facts and facts[unit] != value
    ]
