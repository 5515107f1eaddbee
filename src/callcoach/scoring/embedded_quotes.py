"""The part of a long turn worth quoting: its best sentence (or two), always verbatim.

A rep turn can run to a paragraph: the greeting, a product detail, then the one sentence that
asks for the business. The scorer judges the turn as a whole (that is what people labelled), then
quotes the sentence that carries the criterion, scored by the same model as the turns, with the
turn's own context and position. The quote is a slice of the segment's text, checked with
`verify_quote`, so it is always the call's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from callcoach.domain.calls import Call
from callcoach.domain.scores import Evidence
from callcoach.scoring.evidence import verify_quote, whole_segment

QUOTE_CHARS = 300
SPLIT_CHARS = 160  # shorter turns are quoted whole (two lines on a screen)
NEIGHBOUR_MARGIN = 1.0  # a neighbouring sentence joins the quote when nearly as relevant
SHORT_SENTENCE = 30  # "Absolutely." alone says little: quote the next sentence with it

# A sentence ends at . ! ? (and any closing quote or bracket) before whitespace; English
# abbreviations and initials are not ends. Generic punctuation rules, no criterion's words.
_END = re.compile(r"[.!?]+[\"')\]\u2019\u201d]*(?=\s+\S)")
_ABBREVIATION = re.compile(
    r"(?:\b(?:mr|mrs|ms|dr|prof|sr|jr|st|vs|etc|inc|ltd|co|corp|approx|dept|no|e\.g|i\.e)\.|\b[A-Z]\.)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@lru_cache(maxsize=8192)
def sentence_spans(text: str) -> tuple[Span, ...]:
    """The sentences of `text` as character spans (surrounding whitespace excluded)."""
    spans: list[Span] = []
    start = 0
    for match in _END.finditer(text):
        if _ABBREVIATION.search(text[start : match.end()]) and match.group().startswith("."):
            continue
        spans.append(Span(start, match.end()))
        start = match.end()
    spans.append(Span(start, len(text)))
    result = []
    for span in spans:
        piece = text[span.start : span.end]
        left = len(piece) - len(piece.lstrip())
        right = len(piece.rstrip())
        if right > left:
            result.append(Span(span.start + left, span.start + right))
    return tuple(result)


def needs_split(text: str) -> bool:
    return len(text) > SPLIT_CHARS and len(sentence_spans(text)) > 1


def best_span(text: str, spans: list[Span], logits: np.ndarray) -> Span:
    """The most relevant sentence, joined by neighbours that are nearly as relevant."""
    best = int(np.argmax(logits))
    first = last = best
    limit = logits[best] - NEIGHBOUR_MARGIN

    def length(a: int, b: int) -> int:
        return spans[b].end - spans[a].start

    while True:
        grown = False
        short = length(first, last) < SHORT_SENTENCE
        for candidate in (first - 1, last + 1):
            if not 0 <= candidate < len(spans):
                continue
            lo, hi = min(first, candidate), max(last, candidate)
            if length(lo, hi) > QUOTE_CHARS:
                continue
            if logits[candidate] >= limit or (short and candidate == last + 1):
                first, last, grown = lo, hi, True
                break
        if not grown:
            return Span(spans[first].start, spans[last].end)


def quote_evidence(call: Call, segment: int, span: Span | None) -> Evidence:
    """Evidence quoting `span` of the segment (verified verbatim), or the segment itself."""
    if span is not None:
        text = call.segments[segment].text[span.start : span.end]
        found = verify_quote(call, segment, text)
        if found is not None:
            return found
    return whole_segment(call, segment, QUOTE_CHARS)
