"""The demo's review cycle: what some reps say about themselves in their self-assessment.

Pure and deterministic (the seed and the rep's name): a rep rates their skill from how they
really perform (the generated truth) plus their own bias, so some perception gaps are real and
worth a conversation; optimists rate themselves a point higher, doubters a point lower.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

BIASES = (1, 0, 0, -1)  # optimist, realist, realist, doubter
WORDS = {
    "output": (
        "I lost deals I should have closed this quarter.",
        "I closed what I could, and some deals slipped.",
        "I hit my numbers on most deals I worked.",
        "I closed more than my share, including the big ones.",
        "My best quarter: every deal I pushed closed.",
    ),
    "activity": (
        "I did not make the calls I planned to.",
        "My calls dropped when deals got busy.",
        "I kept a steady pace of calls and meetings.",
        "I booked more meetings than I expected.",
        "I was on the phone more than anyone on the team.",
    ),
    "skill": (
        "I struggle on calls when prospects push back.",
        "I still lose control of calls when prospects push back.",
        "My calls are solid; objections still catch me out.",
        "I handle most calls well, objections included.",
        "I run every call the way it should be run.",
    ),
    "growth": (
        "I have not changed much since the last review.",
        "I am working on it, slowly.",
        "I improved on what we worked on.",
        "The coaching clearly helped me improve.",
        "I changed how I handle objections completely.",
    ),
}


def _clamp(value: float) -> int:
    return max(1, min(5, round(value)))


def self_assessment(
    seed: int, rep: str, skills: Mapping[str, float], coached: bool
) -> dict[str, dict[str, object]]:
    """One rep's self-assessment: per dimension a rating 1-5 and words."""
    rng = random.Random(f"{seed}/self/{rep}")
    bias = rng.choice(BIASES)
    skill = sum(skills.values()) / max(1, len(skills))
    ratings = {
        "output": _clamp(skill + bias + rng.choice((-0.5, 0.0, 0.5))),
        "activity": _clamp(3 + bias + rng.choice((-1, 0, 0, 1))),
        "skill": _clamp(skill + bias),
        "growth": _clamp((3.5 if coached else 3.0) + bias),
    }
    return {
        dimension: {"rating": rating, "words": WORDS[dimension][rating - 1]}
        for dimension, rating in ratings.items()
    }
