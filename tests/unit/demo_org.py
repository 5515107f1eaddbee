"""One generated demo org shared by the demo unit tests (generating it takes about a second)."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from callcoach.demo import DemoConfig, DemoOrg, generate_org
from callcoach.domain.calls import Call

END = date(2026, 11, 23)
SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


@lru_cache(maxsize=4)
def default_org(seed: int = 7) -> DemoOrg:
    return generate_org(DemoConfig(seed=seed, end=END))


@lru_cache(maxsize=2)
def sample_calls(seed: int = 7, step: int = 2) -> tuple[Call, ...]:
    """Every `step`-th call of the default org, written (300 calls)."""
    org = default_org(seed)
    return tuple(org.call(i) for i in range(0, len(org.call_plans), step))


def rep_sentences(call: Call, min_words: int = 5) -> set[str]:
    """The rep's sentences of at least `min_words` words, normalised."""
    result = set()
    for segment in call.rep_segments:
        for sentence in SENTENCE_END.split(segment.text):
            if len(sentence.split()) >= min_words:
                result.add(sentence.strip().lower())
    return result
