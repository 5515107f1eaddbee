"""The phrase banks: every template parses, every slot has a value, the grammar behaves."""

from __future__ import annotations

import importlib
import pkgutil
import random
from collections.abc import Iterator
from typing import Any

import pytest

import callcoach.demo.phrases as phrases
from callcoach.demo.grammar import Phraser, TemplateError, compile_template, slot_names, tidy
from callcoach.demo.phrases.common import SHARED_SLOTS
from callcoach.demo.transcripts import CallContext, _slots
from tests.unit.demo_org import default_org

# Slots a move sets for its own phrases (the next step, the objection's label, the screen...).
MOVE_SLOTS = {"step", "kind_label", "screen", "purpose", "other_pain", "minute"}


def _templates(value: Any, seen: set[int]) -> Iterator[str]:
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, str):
        yield value
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _templates(item, seen)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _templates(item, seen)
    elif hasattr(value, "__dataclass_fields__"):
        for name in value.__dataclass_fields__:
            yield from _templates(getattr(value, name), seen)


def all_templates() -> list[str]:
    found: list[str] = []
    seen: set[int] = set()
    for module_info in pkgutil.iter_modules(phrases.__path__):
        module = importlib.import_module(f"callcoach.demo.phrases.{module_info.name}")
        for name, value in vars(module).items():
            if name.isupper():
                found.extend(t for t in _templates(value, seen) if " " in t or "{" in t)
    return found


def call_slots() -> dict[str, Any]:
    org = default_org()
    plan = org.call_plans[0]
    context = CallContext(7, org.reps[plan.rep_index], org.accounts[plan.account_index], "X", False)
    return _slots(context)


def test_every_template_parses_and_every_slot_has_a_value() -> None:
    templates = all_templates()
    assert len(templates) > 500
    known = set(call_slots()) | MOVE_SLOTS
    for template in templates:
        compile_template(template)
        missing = slot_names(template) - known
        assert not missing, f"{template!r} uses unknown slots {missing}"


def test_expanded_phrases_are_tidy_sentences() -> None:
    phraser = Phraser(random.Random(3), {**call_slots(), **{s: "the thing" for s in MOVE_SLOTS}})
    for template in all_templates():
        for _ in range(3):
            text = phraser.expand(template)
            assert "  " not in text and " ," not in text and ".." not in text, text
            assert "{" not in text and "(" not in text and "|" not in text, text
            assert text[:1].isupper() or text[:1].isdigit() or text[:1] == "$", text


def test_alternatives_optional_parts_and_slots() -> None:
    phraser = Phraser(random.Random(1), {"who": "Dana", "ack": ["(Okay|Right)"]})
    outputs = {phraser.expand("{ack}, (call|ring) {who}[ tomorrow].") for _ in range(200)}
    assert outputs == {
        f"{a}, {v} Dana{t}."
        for a in ("Okay", "Right")
        for v in ("call", "ring")
        for t in ("", " tomorrow")
    }
    assert phraser.expand("the (demo|pilot) for {who}", sentence=False).startswith("the ")


def test_the_same_random_stream_gives_the_same_words() -> None:
    template = "(We|I) (can|could) (send|share) (it|the deck) (today|tomorrow)[, promise]."
    first = [Phraser(random.Random(9)).expand(template) for _ in range(3)]
    second = [Phraser(random.Random(9)).expand(template) for _ in range(3)]
    assert first == second


def test_tidy_fixes_the_spacing_optional_parts_leave() -> None:
    assert tidy("so ,  we are done .  next one?") == "So, we are done. Next one?"
    assert tidy("Okay, , right.") == "Okay, right."


@pytest.mark.parametrize("bad", ["(a|b", "[x", "{slot", "a)b", "[a|b]"])
def test_broken_templates_are_refused(bad: str) -> None:
    with pytest.raises(TemplateError):
        compile_template(bad)


def test_shared_slots_are_lists_of_templates() -> None:
    for name, values in SHARED_SLOTS.items():
        assert isinstance(values, list) and values, name
        for value in values:
            compile_template(value)
