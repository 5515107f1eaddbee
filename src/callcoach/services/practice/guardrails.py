"""The checks a persona's reply passes before the practitioner hears it (issue 17 section 2).

A configured model is asked to stay in role; these checks make sure it did, whatever it wrote.
A reply that fails any of them is not said: the offline prospect's reply (real prospects' words)
is said instead, and the reasons are kept with the turn. Pure functions over text.

- **Short and spoken**: at most `MAX_SENTENCES` sentences and `MAX_WORDS` words (longer is cut
  at a sentence end); a speaker prefix ("Prospect:") and surrounding quotes are dropped.
- **In role**: no talk about being a model, a roleplay, instructions, prompts, rubrics, scores,
  levels, goals or coaching (`OUT_OF_ROLE`).
- **Does not coach**: no advice to the rep ("you should", "try asking", "next time").
- **Does not reveal the goal**: the goal is never in the prompt; the check still refuses a reply
  that names the criterion or repeats most of the goal's words.
- **No invented facts**: every number, and every capitalised word inside a sentence, must be in
  the scenario or the session already (names of other calls are checked by the engine's name
  catalogue in `prospect`).
- **Concedes no faster than the difficulty** (`concession_floor`): a reply that concedes (by
  the resistance direction learned from deal outcomes) before the practitioner's turn the
  difficulty allows is refused. Applied to the offline prospect's choice too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

MAX_SENTENCES = 3
MAX_WORDS = 45  # design constant: about 15 s spoken, a prospect's turn on a call
_PREFIX = re.compile(r"^\s*(?:\*\*)?[A-Z][\w .'’-]{0,40}:\s+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
OUT_OF_ROLE = re.compile(
    r"\b(?:as an ai|an ai\b|language model|assistant|chatbot|instructions?|system prompt|"
    r"prompt|role-?play(?:ing)?|in character|simulation|rubric|criteri(?:on|a)|scor(?:e|es|ed|"
    r"ing)|level [1-5]|your goal|my goal|the goal|persona|coach(?:ing)?|feedback on your)\b",
    re.IGNORECASE,
)
COACHING = re.compile(
    r"\b(?:you should|you could try|you might want to|try (?:to|asking|saying)|i (?:would )?"
    r"suggest|i recommend|a good (?:sales ?)?(?:rep|salesperson|seller)|next time|best practice|"
    r"here(?:'s| is) a tip|tip:)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’\-]*")
_CONTENT = re.compile(r"[a-z]{4,}")
_ORTHOGRAPHIC = frozenset(
    {"i", "i'm", "i'd", "i'll", "i've", "ok", "okay", "monday", "tuesday", "wednesday",
     "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april", "may",
     "june", "july", "august", "september", "october", "november", "december"}
)  # fmt: skip


@dataclass(frozen=True)
class GuardrailVerdict:
    text: str  # the reply as it would be said (shortened)
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.problems


def concession_floor(difficulty: int, turn_limit: int) -> int:
    """The practitioner's turn (1-based) from which the persona may concede.

    Rule (issue 17: "concedes no faster than the difficulty says"): at 1 from the first turn,
    at 2 from the second, at 3 not before half the turn limit (and at least the third).
    """
    if difficulty <= 1:
        return 1
    if difficulty == 2:
        return 2
    return max(3, math.ceil(turn_limit / 2))


def spoken(text: str) -> str:
    """The reply as a short spoken turn: no speaker prefix or quotes, at most a few sentences."""
    line = " ".join(text.replace("\u201c", '"').replace("\u201d", '"').split())
    line = _PREFIX.sub("", line).strip().strip('"').strip()
    sentences = [s for s in _SENTENCE.split(line) if s.strip()][:MAX_SENTENCES]
    kept: list[str] = []
    words = 0
    for sentence in sentences:
        count = len(sentence.split())
        if kept and words + count > MAX_WORDS:
            break
        kept.append(sentence)
        words += count
    result = " ".join(kept)
    if len(result.split()) > MAX_WORDS:
        result = " ".join(result.split()[:MAX_WORDS]).rstrip(",;:") + "..."
    return result


def _content_words(text: str) -> set[str]:
    return set(_CONTENT.findall(text.lower()))


def check_reply(
    reply: str,
    *,
    allowed_text: Iterable[str],
    goal_texts: Iterable[str],
    criterion_name: str,
) -> GuardrailVerdict:
    """Whether a generated reply may be said (and the shortened text to say)."""
    text = spoken(reply)
    problems: list[str] = []
    if not text:
        return GuardrailVerdict("", ("the reply is empty",))
    if OUT_OF_ROLE.search(text):
        problems.append(f"steps out of role ({OUT_OF_ROLE.search(text).group(0)!r})")  # type: ignore[union-attr]
    if COACHING.search(text):
        problems.append(f"coaches the rep ({COACHING.search(text).group(0)!r})")  # type: ignore[union-attr]
    lowered = text.lower()
    if criterion_name and criterion_name.lower() in lowered:
        problems.append("names the goal's criterion")
    said = _content_words(text)
    for goal in goal_texts:
        words = _content_words(goal)
        if len(words) >= 4 and len(words & said) / len(words) >= 0.5:
            problems.append("repeats the goal")
            break
    allowed = " ".join(allowed_text)
    allowed_lower = allowed.lower()
    allowed_numbers = {n.replace(",", "") for n in _NUMBER.findall(allowed)}
    for number in _NUMBER.findall(text):
        if number.replace(",", "") not in allowed_numbers:
            problems.append(f"states a number the scenario does not ({number})")
    for name in _invented_names(text, allowed_lower):
        problems.append(f"names something the scenario does not ({name})")
    return GuardrailVerdict(text, tuple(problems))


def _invented_names(text: str, allowed_lower: str) -> list[str]:
    found = []
    for match in _TOKEN.finditer(text):
        word = match.group(0)
        before = text[: match.start()].rstrip()
        sentence_start = not before or before[-1] in ".!?\"'"
        if sentence_start or not word[0].isupper() or word.lower() in _ORTHOGRAPHIC:
            continue
        if not re.search(rf"(?<![A-Za-z]){re.escape(word.lower())}(?![A-Za-z])", allowed_lower):
            found.append(word)
    return found
