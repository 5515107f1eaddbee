"""Dialogue-act cues: what each line says about itself, whatever lines it is judged with."""

from __future__ import annotations

import numpy as np

from callcoach.scoring.embedded_features import act_cues, act_cues_batch

QUESTION, YOU, ME, WE, NUMBER, REQUEST, NEGATION = range(7)


def _on(text: str) -> set[int]:
    return {int(column) for column in np.flatnonzero(act_cues(text))}


def test_each_cue_is_found_by_its_function_words() -> None:
    assert _on("Would you be open to a pilot next week?") == {QUESTION, YOU, REQUEST}
    assert _on("We'll send it; I'm sure our CFO agrees.") == {ME, WE}
    assert _on("That costs $40 per seat.") == {NUMBER}
    assert _on("Let's not wait.") == {WE, NEGATION}
    assert _on("They haven't decided") == {NEGATION}
    assert _on("Won't you join us?") == {QUESTION, YOU, WE, REQUEST, NEGATION}
    assert _on("Could\nyou check?") == {QUESTION, YOU, REQUEST}
    assert _on("") == set()


def test_words_inside_other_words_are_not_cues() -> None:
    assert _on("Youth teams use the outlet's own menu; knowledge is power") == set()
    assert _on("Wouldn't it be nice") == {NEGATION}  # a modal without "you" is no request


def test_a_line_gets_the_same_cues_alone_or_with_other_lines() -> None:
    lines = [
        "we can",
        "you know",
        "Would",
        "you like that?",
        "KİLİM office, would you visit?",  # lower() makes this line two characters longer
        "no",
        "call me at 5",
        "",
        "it is cheap\x00you see",
    ]
    batched = act_cues_batch(lines)
    alone = np.stack([act_cues(line) for line in lines])
    assert np.array_equal(batched, alone)
    assert batched[2, REQUEST] == 0  # "Would" ends its line: the next line's "you" is not its
    assert {int(c) for c in np.flatnonzero(batched[4])} == {QUESTION, YOU, REQUEST}
    assert act_cues_batch([]).shape == (0, 7)
