"""Evidence verification: a quote is stored only if it is verbatim in the segment it cites, and
only if it can show the rep's behaviour (`evidence_problem`, docs/scoring.md "What counts as
evidence")."""

from __future__ import annotations

import re
import unicodedata

from callcoach.domain.calls import Call
from callcoach.domain.scores import CallScore, Evidence

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")

# rule (docs/scoring.md, "What counts as evidence"): a level is about what the rep did, so its
# evidence is the rep's own words, and at least this many words of them: "yes" or "price" cannot
# show a question asked or an objection handled, whatever level it is cited for.
MIN_EVIDENCE_WORDS = 3
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2014": "-"})


def normalize(text: str) -> str:
    """Case, Unicode form, curly quotes and whitespace do not make a quote different."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    return _SPACE.sub(" ", text).strip()


def verify_quote(call: Call, segment: int, quote: str) -> Evidence | None:
    """The evidence item for `quote` in segment `segment`, with the segment's exact text span.

    Returns None when the segment does not exist or does not contain the quote (after
    normalization). The returned quote is the segment's own text, so it is always a verbatim
    substring of what was imported.
    """
    if segment < 0 or segment >= len(call.segments) or not quote.strip():
        return None
    seg = call.segments[segment]
    wanted = normalize(quote.strip(" \"'"))
    if not wanted:
        return None
    source = seg.text
    exact = quote.strip(" \"'")
    at = source.find(exact)
    if at >= 0:  # the common case: already verbatim, no normalization needed
        return Evidence(
            segment=segment,
            quote=source[at : at + len(exact)],
            speaker=seg.speaker,
            start=seg.start,
            end=seg.end,
        )
    # Map normalized positions back to the original text to return the verbatim span.
    normalized_chars: list[str] = []
    positions: list[int] = []
    previous_space = True
    for index, char in enumerate(source):
        piece = normalize(char) if not char.isspace() else " "
        if piece == " " or not piece:
            if piece == " " and not previous_space:
                normalized_chars.append(" ")
                positions.append(index)
                previous_space = True
            continue
        for sub in piece:
            normalized_chars.append(sub)
            positions.append(index)
        previous_space = False
    haystack = "".join(normalized_chars)
    start = haystack.find(wanted)
    if start < 0:
        return None
    end = start + len(wanted) - 1
    verbatim = source[positions[start] : positions[end] + 1]
    return Evidence(
        segment=segment, quote=verbatim, speaker=seg.speaker, start=seg.start, end=seg.end
    )


def whole_segment(call: Call, segment: int, max_chars: int = 400) -> Evidence:
    """Evidence quoting a segment itself (trimmed to a sentence boundary when very long)."""
    seg = call.segments[segment]
    text = seg.text.strip()
    if len(text) > max_chars:
        cut = max(text.rfind(". ", 0, max_chars), text.rfind("? ", 0, max_chars))
        text = text[: cut + 1] if cut > 40 else text[:max_chars]
    return Evidence(segment=segment, quote=text, speaker=seg.speaker, start=seg.start, end=seg.end)


def evidence_problem(call: Call, evidence: Evidence) -> str | None:
    """Why this (verbatim) quote cannot back a level, or None when it can.

    It must be in one of the rep's own turns (not the prospect's, not an unidentified
    speaker's) and hold at least MIN_EVIDENCE_WORDS words.
    """
    if not 0 <= evidence.segment < len(call.segments):
        return f"segment {evidence.segment} does not exist"
    segment = call.segments[evidence.segment]
    if not segment.is_rep:
        return (
            f"segment {evidence.segment} is {segment.speaker}'s, not the rep's; evidence for a "
            "level must be the rep's own words"
        )
    words = len(_WORD.findall(evidence.quote))
    if words < MIN_EVIDENCE_WORDS:
        return (
            f"the quote from segment {evidence.segment} has {words} word(s); evidence must "
            f"have at least {MIN_EVIDENCE_WORDS} words to show the behaviour"
        )
    return None


def keep_valid_evidence(call: Call, score: CallScore) -> int:
    """Drop any evidence that is not verbatim in its segment, or that `evidence_problem`
    refuses; returns how many were dropped.

    The scorers already verify their quotes; the scoring run applies this before it stores a
    score, the last line of defence for the promise that every stored quote is the rep's own
    words.
    """
    dropped = 0
    for crit in score.criteria:
        kept = [
            e
            for e in crit.evidence
            if 0 <= e.segment < len(call.segments)
            and e.quote
            and e.quote in call.segments[e.segment].text
            and evidence_problem(call, e) is None
        ]
        dropped += len(crit.evidence) - len(kept)
        crit.evidence = kept
    return dropped
