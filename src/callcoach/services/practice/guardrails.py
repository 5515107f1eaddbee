"""The checks a persona's reply passes before the practitioner hears it (issue 17 section 2).

A configured model is asked to stay in role; these checks make sure it did, whatever it wrote.
A reply that fails any of them is not said: the offline prospect's reply (real prospects' words)
is said instead, and the reasons are kept with the turn. Pure functions over text; what every
persona shares (the spoken cut, the role and invented-fact checks) is `callcoach.llm.spoken_reply`.

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

from callcoach.llm.spoken_reply import (
    COACHING,
    GuardrailVerdict,
    invented_facts,
    matched,
    role_pattern,
    spoken,
)

# A prospect has no score, level, goal or coach: talk of them is the exercise showing through.
OUT_OF_ROLE = role_pattern(
    r"criteri(?:on|a)",
    r"scor(?:e|es|ed|ing)",
    r"level [1-5]",
    r"your goal",
    r"my goal",
    r"the goal",
    r"coach(?:ing)?",
    r"feedback on your",
)
_CONTENT = re.compile(r"[a-z]{4,}")


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
    if not text:
        return GuardrailVerdict("", ("the reply is empty",))
    problems = [
        *matched(OUT_OF_ROLE, text, "steps out of role"),
        *matched(COACHING, text, "coaches the rep"),
    ]
    if criterion_name and criterion_name.lower() in text.lower():
        problems.append("names the goal's criterion")
    said = _content_words(text)
    for goal in goal_texts:
        words = _content_words(goal)
        if len(words) >= 4 and len(words & said) / len(words) >= 0.5:
            problems.append("repeats the goal")
            break
    problems.extend(invented_facts(text, allowed_text, "the scenario does not"))
    return GuardrailVerdict(text, tuple(problems))
