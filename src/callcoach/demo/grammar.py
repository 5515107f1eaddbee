"""A small phrase grammar: one template line stands for many different sentences.

Syntax (kept tiny on purpose, so phrase banks read like the speech they produce):

- ``(a|b|c)``  one alternative, chosen at random; alternatives nest and may be empty: ``(so |)``
- ``[text]``   optional text, present half the time
- ``{slot}``   a value from the call's context: a fixed string (the account's numbers, names,
  products) or a list of templates, one of which is expanded each time (shared sub-phrases
  such as acknowledgements)

Templates are parsed once and cached. Expansion draws only from the ``random.Random`` it is
given, so the same seed gives the same words.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")

# A parsed template is a sequence of parts: literal text, or (kind, payload) for a slot name, a
# tuple of alternatives (each a sequence) or an optional sequence.
Part = str | tuple[str, Any]
Sequence_ = tuple[Part, ...]

_SLOT = "s"
_ALT = "a"
_OPT = "o"


class TemplateError(ValueError):
    """A phrase template that does not parse (an authoring mistake, caught by the unit tests)."""


def _parse(text: str, pos: int, closers: str) -> tuple[list[Sequence_], int, str]:
    """Parse until one of `closers`; returns the alternatives seen, the position and the closer."""
    alternatives: list[Sequence_] = []
    parts: list[Part] = []
    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            parts.append("".join(buffer))
            buffer.clear()

    while pos < len(text):
        char = text[pos]
        if char in closers and char != "|":
            flush()
            alternatives.append(tuple(parts))
            return alternatives, pos + 1, char
        if char == "|" and "|" in closers:
            flush()
            alternatives.append(tuple(parts))
            parts = []
            pos += 1
            continue
        if char == "(":
            flush()
            options, pos, closer = _parse(text, pos + 1, "|)")
            if closer != ")":
                raise TemplateError(f"unclosed '(' in template: {text!r}")
            parts.append((_ALT, tuple(options)))
            continue
        if char == "[":
            flush()
            options, pos, closer = _parse(text, pos + 1, "]")
            if closer != "]" or len(options) != 1:
                raise TemplateError(f"bad '[...]' in template: {text!r}")
            parts.append((_OPT, options[0]))
            continue
        if char == "{":
            flush()
            end = text.find("}", pos)
            if end < 0:
                raise TemplateError(f"unclosed '{{' in template: {text!r}")
            parts.append((_SLOT, text[pos + 1 : end]))
            pos = end + 1
            continue
        if char in ")]}|":
            raise TemplateError(f"unexpected {char!r} at {pos} in template: {text!r}")
        buffer.append(char)
        pos += 1
    flush()
    alternatives.append(tuple(parts))
    return alternatives, pos, ""


@cache
def compile_template(text: str) -> Sequence_:
    alternatives, pos, closer = _parse(text, 0, "")
    if closer or pos != len(text) or len(alternatives) != 1:
        raise TemplateError(f"unbalanced template: {text!r}")
    return alternatives[0]


def slot_names(text: str) -> set[str]:
    """Every slot a template refers to (the tests check each one has a value)."""
    return set(re.findall(r"\{([^}]+)\}", text))


_SPACES = re.compile(r"\s+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.?!;:])")
_DOTS = re.compile(r"\.{2,}")
_DOUBLE_PUNCT = re.compile(r"([,;])\s*([,.?!])")
_SENTENCE_START = re.compile(r"(^|[.?!]\s+)([a-z])")
_INNER_SENTENCE_START = re.compile(r"([.?!]\s+)([a-z])")


_NEEDS_PUNCT_FIX = re.compile(r"\s[,.?!;:]|[,;][,.?!]|\.\.")


def tidy(text: str, capitalize_first: bool = True) -> str:
    """Spaces and capitals after expansion: optional parts leave doubled spaces and commas.

    Cheap checks guard the regular expressions: this runs for every phrase of every call.
    """
    if "  " in text or "\n" in text:
        text = _SPACES.sub(" ", text)
    text = text.strip()
    if _NEEDS_PUNCT_FIX.search(text):
        text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
        text = _DOUBLE_PUNCT.sub(r"\2", text)
        text = _DOTS.sub(".", text).replace("?.", "?").replace(".?", "?")
    pattern = _SENTENCE_START if capitalize_first else _INNER_SENTENCE_START
    return pattern.sub(_upper_second, text)


def _upper_second(match: re.Match[str]) -> str:
    return match.group(1) + match.group(2).upper()


SlotValue = str | Sequence[str]


@dataclass
class Phraser:
    """Expands templates against one call's slots with one call's random stream."""

    rng: random.Random
    slots: dict[str, SlotValue] = field(default_factory=dict)

    def expand(self, template: str, sentence: bool = True) -> str:
        """The template in words; `sentence=False` for a fragment used inside another phrase."""
        out: list[str] = []
        self._emit(compile_template(template), out, 0)
        return tidy("".join(out), capitalize_first=sentence)

    def pick(self, templates: Sequence[str]) -> str:
        """One template of a bank, expanded."""
        return self.expand(templates[int(self.rng.random() * len(templates))])

    def sentences(self, banks: Sequence[Sequence[str]]) -> str:
        """One sentence from each bank, joined: a turn built from several moves."""
        return " ".join(self.pick(bank) for bank in banks if bank)

    def with_slots(self, **values: SlotValue) -> Phraser:
        merged = dict(self.slots)
        merged.update(values)
        return Phraser(self.rng, merged)

    def _emit(self, seq: Sequence_, out: list[str], depth: int) -> None:
        # Hot loop: `random()` scaled is much cheaper than `randrange` for an index.
        if depth > 12:
            raise TemplateError("slot templates nest too deeply (a slot refers to itself?)")
        rand = self.rng.random
        for part in seq:
            if isinstance(part, str):
                out.append(part)
                continue
            kind, payload = part
            if kind == _ALT:
                self._emit(payload[int(rand() * len(payload))], out, depth)
            elif kind == _OPT:
                if rand() < 0.5:
                    self._emit(payload, out, depth)
            else:
                value = self.slots.get(payload)
                if value is None:
                    raise TemplateError(f"no value for slot {{{payload}}}")
                if isinstance(value, str):
                    out.append(value)
                else:
                    chosen = value[int(rand() * len(value))]
                    self._emit(compile_template(chosen), out, depth + 1)


def pick_one(rng: random.Random, items: Sequence[T]) -> T:
    return items[rng.randrange(len(items))]


def weighted_choice(rng: random.Random, weights: Mapping[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys], k=1)[0]
