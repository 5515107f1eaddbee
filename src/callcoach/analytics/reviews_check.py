"""The one check every review sentence passes: on generation, on every manager's save, and on
whatever a language model phrased.

A sentence is **flagged** when it cites an id that is not in the pack, or when something it
states is not in the evidence it cites: a quote (text in quote marks must be a verbatim part of
a cited item's words), a number (within the precision it is written with: "44%" matches 0.436),
a date, a call time (m:ss), or a name (an account, deal, criterion or person of the pack, or any
other capitalised name inside the sentence). A sentence that cites nothing and states nothing
specific is **generic**: allowed, and shown as such. Everything else is **ok**.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from callcoach.analytics.reviews_format import CITATION, MONTHS, clock
from callcoach.domain.reviews import EvidenceItem

_MONTH = "|".join(MONTHS)
_DATES = (
    re.compile(rf"\b(\d{{1,2}}) ({_MONTH})(?: (\d{{4}}))?\b"),
    re.compile(rf"\b({_MONTH}) (\d{{1,2}})(?:, (\d{{4}}))?\b"),
    re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"),
)
_TIME = re.compile(r"\b(?:\d{1,2}:)?\d{1,2}:\d{2}\b")
_NUMBER = re.compile(r"(?:(?<=[\s(])[-+])?\$?\d[\d,]*(?:\.\d+)?%?")
_QUOTES = re.compile(r"“([^”]*)”|\"([^\"]*)\"")
_CAPITALISED = re.compile(r"\b[A-Z][\w'’\-]*(?:\s+[A-Z][\w'’\-]*)*")
_WORD = re.compile(r"[A-Za-z][\w'’\-]*")
# Capitalised words that are not names: sentence openers after a colon, weekdays, the
# dimension labels and a few words the sentence builders capitalise.
COMMON_CAPITALISED = frozenset(
    {
        "I", "On", "In", "The", "Your", "You", "What", "Walk", "Output", "Activity", "Skill",
        "Growth", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
        "Level", "Practice", "Review", "Three", "Two", "One",
    }
)  # fmt: skip


@dataclass
class SentenceCheck:
    index: int
    text: str
    cites: list[str]
    status: str  # ok, generic or flagged
    problems: list[str] = field(default_factory=list)


@dataclass
class TextCheck:
    sentences: list[SentenceCheck]

    @property
    def flagged(self) -> list[SentenceCheck]:
        return [s for s in self.sentences if s.status == "flagged"]

    @property
    def generic(self) -> list[SentenceCheck]:
        return [s for s in self.sentences if s.status == "generic"]

    @property
    def ok(self) -> bool:
        return not self.flagged

    def summary(self) -> dict[str, int]:
        return {
            "sentences": len(self.sentences),
            "ok": sum(1 for s in self.sentences if s.status == "ok"),
            "generic": len(self.generic),
            "flagged": len(self.flagged),
        }


_MASK = "\u2024"  # stands in for a full stop inside a name while splitting


def split_sentences(text: str, names: Sequence[str] = ()) -> list[str]:
    """Sentences of a review text: headings skipped, list markers dropped, never split inside
    a quote nor inside a known name ("Apex Trading Co. "), nor before a lowercase word; a run of
    citations after a full stop belongs to the sentence before it."""
    for name in sorted({n for n in names if "." in n}, key=len, reverse=True):
        text = text.replace(name, name.replace(".", _MASK))
    result: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = re.sub(r"^(?:[-*•]|\d+[.)])\s+", "", line)
        current: list[str] = []
        quote = None
        for position, char in enumerate(line):
            current.append(char)
            if quote is None and char in '“"':
                quote = "”" if char == "“" else '"'
                continue
            if quote is not None and char == quote:
                quote = None
                continue
            following = line[position + 1 : position + 2]
            after = line[position + 1 :].lstrip()[:1]
            if (
                quote is None
                and char in ".!?"
                and (not following or following.isspace())
                and not after.islower()
            ):
                result.append("".join(current).strip())
                current = []
        rest = "".join(current).strip()
        if rest:
            result.append(rest)
    result = [sentence.replace(_MASK, ".") for sentence in result]
    merged: list[str] = []
    for sentence in result:
        if merged and not CITATION.sub("", sentence).strip(" .,;"):
            merged[-1] = f"{merged[-1]} {sentence}"
        else:
            merged.append(sentence)
    return merged


def _norm(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'")
    return " ".join(text.split()).casefold().strip(" .,;:!?…")


def _date_matches(day_: int, month: int, year: int | None, dates: Iterable[date]) -> bool:
    return any(
        d.day == day_ and d.month == month and (year is None or d.year == year) for d in dates
    )


def _take_dates(text: str, dates: list[date], problems: list[str]) -> str:
    for pattern in _DATES:
        for match in list(pattern.finditer(text)):
            groups = match.groups()
            year: int | None
            if pattern is _DATES[2]:
                year, month, day_ = int(groups[0]), int(groups[1]), int(groups[2])
            elif pattern is _DATES[0]:
                day_, month = int(groups[0]), MONTHS.index(groups[1]) + 1
                year = int(groups[2]) if groups[2] else None
            else:
                month, day_ = MONTHS.index(groups[0]) + 1, int(groups[1])
                year = int(groups[2]) if groups[2] else None
            if not _date_matches(day_, month, year, dates):
                problems.append(f"the date “{match.group(0)}” is not in the cited evidence")
        text = pattern.sub(" ", text)
    return text


def _number_matches(token: str, numbers: Sequence[float], ratios: Sequence[float]) -> bool:
    percent = token.endswith("%")
    sign = -1.0 if token.startswith("-") else 1.0
    digits = token.lstrip("+-").strip("$%").replace(",", "")
    try:
        value = sign * float(digits)
    except ValueError:
        return True
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    tolerance = 0.5 * 10**-decimals + 1e-9
    candidates = [r * 100 for r in ratios] if percent else list(numbers)
    if percent:
        candidates += list(numbers)
    return any(abs(value - c) <= tolerance for c in candidates)


def check_sentence(
    sentence: str,
    evidence: Mapping[str, EvidenceItem],
    allowed_names: Sequence[str] = (),
    index: int = 0,
) -> SentenceCheck:
    cites = list(dict.fromkeys(CITATION.findall(sentence)))
    problems = [
        f"cites [{c}], which is not in the pack's evidence" for c in cites if c not in evidence
    ]
    items = [evidence[c] for c in cites if c in evidence]
    body = CITATION.sub(" ", sentence)
    specific = False
    texts = [_norm(t) for item in items for t in item.texts()]
    for match in _QUOTES.finditer(body):
        said = _norm(match.group(1) if match.group(1) is not None else match.group(2))
        specific = True
        if said and not any(said in t for t in texts):
            problems.append(f"the quote “{said[:80]}” is not in the cited evidence")
    body = _QUOTES.sub(" ", body)
    own_names = sorted({n for item in items for n in item.all_names()}, key=len, reverse=True)
    for name in own_names:
        pattern = rf"(?<!\w){re.escape(name)}(?!\w)"
        if name and re.search(pattern, body, flags=re.IGNORECASE):
            specific = True
            body = re.sub(pattern, " ", body, flags=re.IGNORECASE)
    for name in sorted(set(allowed_names), key=len, reverse=True):
        if name:
            body = re.sub(rf"\b{re.escape(name)}\b", " ", body, flags=re.IGNORECASE)
    pack_names = {n for item in evidence.values() for n in item.all_names() if len(n) > 2}
    for name in sorted(pack_names, key=len, reverse=True):
        if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", body, flags=re.IGNORECASE):
            specific = True
            problems.append(f"names “{name}”, which is not in the cited evidence")
            body = re.sub(re.escape(name), " ", body, flags=re.IGNORECASE)
    dates = [d for item in items for d in item.all_dates()]
    before = body
    body = _take_dates(body, dates, problems)
    specific = specific or body != before
    times = {clock(item.start) for item in items if item.start is not None}
    for match in _TIME.finditer(body):
        specific = True
        if match.group(0) not in times:
            problems.append(f"the call time {match.group(0)} is not in the cited evidence")
    body = _TIME.sub(" ", body)
    numbers = [v for item in items for v in item.all_numbers()]
    ratios = [
        v
        for item in items
        if item.unit == "ratio"
        for v in (item.value, item.team_value, *item.numbers)
        if v is not None
    ]
    for match in _NUMBER.finditer(body):
        specific = True
        if not _number_matches(match.group(0), numbers, ratios):
            problems.append(f"the number {match.group(0)} is not in the cited evidence")
    words = _WORD.findall(body)
    first = _WORD.match(body.strip())
    for match in _CAPITALISED.finditer(body):
        candidate = match.group(0)
        tokens = [t for t in candidate.split() if t not in COMMON_CAPITALISED]
        if first is not None and body.strip().startswith(candidate):
            tokens = [t for t in tokens[1:] if t not in COMMON_CAPITALISED]
        if tokens and words:
            specific = True
            problems.append(f"names “{' '.join(tokens)}”, which no cited evidence holds")
    if problems:
        status = "flagged"
    elif not cites:
        status = "flagged" if specific else "generic"
        if specific:
            problems.append("states specifics without citing evidence")
    else:
        status = "ok"
    return SentenceCheck(index, sentence, cites, status, problems)


def check_text(
    text: str, evidence: Mapping[str, EvidenceItem], allowed_names: Sequence[str] = ()
) -> TextCheck:
    """Check every sentence of a review text against the pack's evidence."""
    names = [n for item in evidence.values() for n in item.all_names()] + list(allowed_names)
    return TextCheck(
        [
            check_sentence(sentence, evidence, allowed_names, index)
            for index, sentence in enumerate(split_sentences(text, names))
        ]
    )
