"""Which prospect turns are of an objection type (analytics/reviews_objections.type_members):
the review's own grouping decides, the name joins a group only if it fits it."""

from __future__ import annotations

import numpy as np

from callcoach.analytics.reviews_objections import type_members

# Three kinds of objection, three turns each, in a 3-d space: price, procurement, vendor.
TEXTS = [
    "The price is too high for us.",
    "It costs more than we budgeted.",
    "That is expensive for this year.",
    "Procurement reviews every contract.",
    "Legal and procurement must sign off first.",
    "Our buying team has to approve it.",
    "We already use another vendor.",
    "Our current tool does most of this.",
    "We are happy with what we have.",
]
VECTORS = np.array(
    [
        [1.0, 0.1, 0.0], [0.95, 0.0, 0.15], [0.9, 0.2, 0.1],
        [0.0, 1.0, 0.1], [0.1, 0.95, 0.0], [0.15, 0.9, 0.1],
        [0.1, 0.0, 1.0], [0.0, 0.15, 0.95], [0.2, 0.1, 0.9],
    ]
)  # fmt: skip


def test_a_name_repeating_a_turn_gives_that_turns_group() -> None:
    members, similarity = type_members(
        TEXTS, VECTORS, "  procurement reviews EVERY contract. ", VECTORS[3]
    )
    assert members == [3, 4, 5]
    assert similarity[3] == max(similarity)


def test_a_name_in_other_words_joins_the_group_it_fits() -> None:
    members, _ = type_members(TEXTS, VECTORS, "Too expensive", np.array([0.97, 0.05, 0.05]))
    assert members == [0, 1, 2]


def test_a_name_that_fits_no_group_has_no_turns() -> None:
    # Halfway between price and vendor: closer to both than to procurement, but it fits
    # neither as well as their least typical member does.
    members, similarity = type_members(TEXTS, VECTORS, "Not now", np.array([0.7, 0.0, 0.7]))
    assert members == []
    assert len(similarity) == len(TEXTS)


def test_with_fewer_than_four_turns_only_their_own_words_match() -> None:
    texts, vectors = TEXTS[:3:2] + TEXTS[3:4], VECTORS[[0, 2, 3]]
    assert type_members(texts, vectors, "Too expensive", np.array([1.0, 0.1, 0.0]))[0] == []
    assert type_members(texts, vectors, TEXTS[3], vectors[2])[0] == [2]
    assert type_members([], np.zeros((0, 3)), "x", np.ones(3))[0] == []
