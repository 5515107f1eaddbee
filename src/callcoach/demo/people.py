"""The sales org: managers and their teams, reps with distinct skill profiles and tenures.

The first twelve reps follow twelve archetypes a sales manager will recognise (the closer who
never discovers, the friendly rep who tells everyone there is no rush, the rookie...), so the
default demo has a story; larger orgs add reps drawn around the same archetypes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from callcoach.demo.grammar import pick_one
from callcoach.demo.model import SUPPORTED_CRITERIA, DemoConfig, RepProfile, WorkCalendar
from callcoach.demo.names import FIRST_NAMES, LAST_NAMES, REGIONS, SEGMENTS, VENDOR_DOMAIN
from callcoach.domain.calls import Rep, Team


@dataclass(frozen=True)
class Archetype:
    key: str
    description: str
    skills: tuple[float, float, float, float, float]  # in SUPPORTED_CRITERIA order
    tenure_months: tuple[float, float]  # range of tenure at the end of the window


ARCHETYPES: tuple[Archetype, ...] = (
    Archetype(
        "veteran-closer", "top performer, strong everywhere", (3.7, 4.2, 3.9, 4.5, 3.5), (40, 80)
    ),
    Archetype(
        "consultant",
        "superb discovery, never asks for the business",
        (4.6, 2.3, 3.4, 2.0, 4.0),
        (20, 40),
    ),
    Archetype(
        "friendly",
        "liked by everyone, tells prospects there is no rush",
        (3.4, 1.4, 2.4, 2.4, 3.0),
        (14, 30),
    ),
    Archetype(
        "feature-demoer", "lists features instead of outcomes", (2.1, 2.7, 2.9, 3.1, 1.5), (18, 36)
    ),
    Archetype("all-rounder", "solid, no weak spot", (3.5, 3.3, 3.4, 3.4, 3.5), (24, 60)),
    Archetype(
        "pushy",
        "closes hard, argues with objections, skips discovery",
        (1.7, 3.6, 1.6, 4.2, 2.5),
        (10, 24),
    ),
    Archetype("objection-pro", "handles objections in depth", (3.2, 3.0, 4.6, 3.2, 3.6), (30, 70)),
    Archetype(
        "urgency-specialist",
        "makes the cost of waiting concrete",
        (2.9, 4.6, 2.9, 3.4, 3.1),
        (12, 30),
    ),
    Archetype("rookie", "ramping: two months in", (2.2, 1.9, 1.6, 2.7, 2.3), (2, 2.5)),
    Archetype("ramping", "ramping: four months in", (3.1, 2.8, 2.3, 1.7, 3.2), (4, 4.5)),
    Archetype(
        "curious-new-hire",
        "ramping: five months in, asks good questions",
        (4.0, 2.4, 3.1, 2.9, 2.2),
        (5, 5.5),
    ),
    Archetype(
        "struggling", "tenured but behind on everything", (2.0, 2.3, 2.6, 1.5, 1.8), (12, 26)
    ),
)
RAMPING_MONTHS = 6


def _unique_name(rng: random.Random, taken: set[str]) -> tuple[str, str]:
    while True:
        first, last = pick_one(rng, FIRST_NAMES), pick_one(rng, LAST_NAMES)
        if f"{first} {last}" not in taken:
            taken.add(f"{first} {last}")
            return first, last


def email_for(first: str, last: str) -> str:
    return f"{first}.{last}@{VENDOR_DOMAIN}".lower().replace(" ", "")


def team_names(count: int) -> list[str]:
    """'Mid-Market East', 'Mid-Market West', then every region x segment, then numbered pods."""
    names = ["Mid-Market East", "Mid-Market West"]
    for segment in SEGMENTS:
        for region in REGIONS:
            name = f"{segment} {region}"
            if name not in names:
                names.append(name)
    pod = 2
    while len(names) < count:
        names.extend(f"{base} {pod}" for base in list(names[: count - len(names)]))
        pod += 1
    return names[:count]


def make_org(
    config: DemoConfig, calendar: WorkCalendar, rng: random.Random
) -> tuple[list[Team], list[str], list[RepProfile]]:
    """Teams (each with a manager), the managers' names, and the reps' profiles."""
    taken: set[str] = set()
    teams: list[Team] = []
    managers: list[str] = []
    for name in team_names(config.team_count):
        first, last = _unique_name(rng, taken)
        managers.append(f"{first} {last}")
        teams.append(
            Team(name=name, manager=f"{first} {last}", manager_email=email_for(first, last))
        )

    # Archetypes go round-robin over teams, so every team has strong, weak and ramping reps.
    reps: list[RepProfile] = []
    order = list(range(len(ARCHETYPES)))
    rng.shuffle(order)
    for index in range(config.rep_count):
        archetype = ARCHETYPES[order[index % len(order)]]
        spread = 0.2 if index < len(ARCHETYPES) else 0.6
        skills = {
            criterion: min(4.8, max(1.2, base + rng.uniform(-spread, spread)))
            for criterion, base in zip(SUPPORTED_CRITERIA, archetype.skills, strict=True)
        }
        tenure_months = rng.uniform(*archetype.tenure_months)
        if index >= len(ARCHETYPES) and rng.random() < 0.15:
            tenure_months = rng.uniform(1.5, 5.5)  # larger orgs keep hiring
        start_day = calendar.days - 1 - round(tenure_months * 21.7)
        first, last = _unique_name(rng, taken)
        team_index = index % len(teams)
        team = teams[team_index]
        rep = Rep(
            name=f"{first} {last}",
            email=email_for(first, last),
            team=team.name,
            manager=team.manager,
            start_date=calendar.date_of(start_day),
        )
        reps.append(
            RepProfile(
                rep=rep,
                index=index,
                team_index=team_index,
                archetype=archetype.key,
                skills=skills,
                start_day=start_day,
                call_share=rng.uniform(0.85, 1.15) * (0.8 if tenure_months < RAMPING_MONTHS else 1),
                wpm=rng.randint(138, 172),
                patience=rng.uniform(0.35, 1.4),
                fluency=rng.uniform(0.55, 0.95),
                dials_per_day=rng.randint(18, 55),
            )
        )
    return teams, managers, reps


def is_ramping(profile: RepProfile, day: int) -> bool:
    return profile.tenure_months(day) < RAMPING_MONTHS


__all__ = ["ARCHETYPES", "SUPPORTED_CRITERIA", "is_ramping", "make_org", "team_names"]
