"""Reply text cut into sentences, so the first sentence can be spoken while the rest is made.

A sentence ends at `.`, `!` or `?` (closing quotes and brackets stay with it) before a space and
a capital letter or a digit. Titles and abbreviations that take a capitalised word after them
("Mr. Lee", "e.g. Acme") do not end one: a pause in the middle of a name sounds broken.
"""

from __future__ import annotations

import re
import unicodedata

from callcoach.voice.errors import VoiceError, VoiceProblem

MAX_SPOKEN_CHARS = 4000  # a spoken reply, not a document: about three minutes of speech

_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*(\s+)(?=[\"'“‘(\[]?[A-Z0-9])")
_NO_BREAK_AFTER = frozenset(
    {"mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "vs.", "e.g.", "i.e.", "etc.", "inc.", "no."}
)


def speakable_text(text: str) -> str:
    """The text with control characters and runs of white space collapsed, checked non-empty."""
    cleaned = "".join(" " if unicodedata.category(ch).startswith(("C", "Z")) else ch for ch in text)
    cleaned = " ".join(cleaned.split())
    if not cleaned:
        raise VoiceError(VoiceProblem.EMPTY, "there is no text to speak")
    if len(cleaned) > MAX_SPOKEN_CHARS:
        raise VoiceError(
            VoiceProblem.TOO_LONG,
            f"the text to speak has {len(cleaned)} characters; at most {MAX_SPOKEN_CHARS}",
        )
    return cleaned


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, in order, none empty; the text itself when it is one sentence."""
    cleaned = speakable_text(text)
    sentences: list[str] = []
    start = 0
    for boundary in _BOUNDARY.finditer(cleaned):
        candidate = cleaned[start : boundary.start(1)].strip()
        last_word = candidate.rsplit(" ", 1)[-1].lower()
        if last_word in _NO_BREAK_AFTER or re.fullmatch(r"[a-z]\.", last_word):
            continue  # "Mr. Lee", "J. Smith": one sentence goes on
        if candidate:
            sentences.append(candidate)
        start = boundary.end(1)
    tail = cleaned[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences
