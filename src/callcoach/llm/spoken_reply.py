"""What every persona a configured model plays shares: the practice prospect and the rep a
manager rehearses a review against (issue 17, sections 2 and 5).

The model is asked for one short spoken reply as JSON (`ask_reply`); whatever it writes is then
cut to a spoken turn (`spoken`) and checked: no talk of being a model, a prompt or a roleplay
(`role_pattern`, to which each persona adds its own words), no advice to the other side
(`COACHING`), and no number or capitalised name its facts do not hold (`invented_facts`). Each
persona's module adds the checks of its role and falls back to its offline reply when a check
fails. Pure functions over text, except `ask_reply` (one HTTP request).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from callcoach.llm.client import ChatClient, LlmEndpoint, parse_json_content

MAX_SENTENCES = 3
MAX_WORDS = 45  # design constant: about 15 s spoken, one turn of a call or a meeting
REPLY_SCHEMA = {
    "type": "object",
    "properties": {"reply": {"type": "string"}},
    "required": ["reply"],
}
# Talk no person on a call or in a meeting has about themself: a model stepping out of the role.
ROLE_BREAK = (
    r"as an ai",
    r"an ai\b",
    r"language model",
    r"assistant",
    r"chatbot",
    r"instructions?",
    r"system prompt",
    r"prompt",
    r"role-?play(?:ing)?",
    r"in character",
    r"simulation",
    r"rubric",
    r"persona",
)
COACHING = re.compile(
    r"\b(?:you should|you could try|you might want to|try (?:to|asking|saying)|i (?:would )?"
    r"suggest|i recommend|a good (?:sales ?)?(?:rep|salesperson|seller)|next time|best practice|"
    r"here(?:'s| is) a tip|tip:)\b",
    re.IGNORECASE,
)
_PREFIX = re.compile(r"^\s*(?:\*\*)?[A-Z][\w .'’-]{0,40}:\s+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’\-]*")
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


def role_pattern(*extra: str) -> re.Pattern[str]:
    """`ROLE_BREAK` and a persona's own out-of-role words, as one case-blind pattern."""
    return re.compile(r"\b(?:" + "|".join((*ROLE_BREAK, *extra)) + r")\b", re.IGNORECASE)


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


def matched(pattern: re.Pattern[str], text: str, problem: str) -> list[str]:
    """`problem` with the words that matched, or nothing."""
    found = pattern.search(text)
    return [f"{problem} ({found.group(0)!r})"] if found else []


def invented_facts(text: str, allowed_text: Iterable[str], absent: str) -> list[str]:
    """Every number, and every capitalised word inside a sentence, that `allowed_text` does not
    hold: what the reply states beyond its facts (`absent`: "the scenario does not", ...)."""
    allowed = " ".join(allowed_text)
    allowed_lower = allowed.lower()
    allowed_numbers = {n.replace(",", "") for n in _NUMBER.findall(allowed)}
    problems = [
        f"states a number {absent} ({number})"
        for number in _NUMBER.findall(text)
        if number.replace(",", "") not in allowed_numbers
    ]
    for match in _TOKEN.finditer(text):
        word = match.group(0)
        before = text[: match.start()].rstrip()
        sentence_start = not before or before[-1] in ".!?\"'"
        if sentence_start or not word[0].isupper() or word.lower() in _ORTHOGRAPHIC:
            continue
        if not re.search(rf"(?<![A-Za-z]){re.escape(word.lower())}(?![A-Za-z])", allowed_lower):
            problems.append(f"names something {absent} ({word})")
    return problems


def ask_reply(endpoint: LlmEndpoint, messages: list[dict[str, str]], max_tokens: int = 160) -> str:
    """The model's reply to `messages` (its "reply" field, or its whole text if it wrote no
    JSON). Raises `LlmError` when the endpoint gives no answer."""
    client = ChatClient(endpoint)
    try:
        answer = client.complete(messages, schema=REPLY_SCHEMA, max_tokens=max_tokens)
    finally:
        client.close()
    try:
        data = parse_json_content(answer.content)
    except ValueError:
        return answer.content
    return str(data.get("reply", "")) if isinstance(data, dict) else ""
