"""The coach's debrief of a manager after a review rehearsal, offline and cited.

Built from the rehearsal's score on the review-conversation rubric (the same scoring engine as
calls) and from what the rehearsal's lines plainly show. Every statement about the manager's
delivery cites the manager's own line by number with a verbatim quote of it; a quote that is not
in the cited line is dropped (checked by `verify_citations`), as review drafts are checked.

Order (the coach engages rather than just scores): first it asks the manager to judge their own
delivery, then per criterion the level reached with the manager's line that shows it, what the
level-4 anchor asks, and a question about what they would say instead; then the plain checks
(did the opening ask for the rep's view; which points named a call; how each dispute was met;
whether it ended with two practice assignments and a dated checkpoint).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from callcoach.domain.practice import TurnSpeaker
from callcoach.domain.rehearsal import RehearsalTurn
from callcoach.domain.review_evidence import EvidenceItem
from callcoach.domain.rubric import Rubric
from callcoach.domain.scores import CallScore, ScoreStatus

GOOD_LEVEL = 4
_QUESTION_FIRST = re.compile(
    r"\b(how (do|did|would) you (think|feel|see|rate)|your (own )?(view|take|self[- ]assessment)"
    r"|tell me how you|what do you think|in your words|walk me through)",
    re.IGNORECASE,
)
_VERDICT = re.compile(
    r"\b(you('re| are) (a|at) [1-5]|i('ve| have) (rated|given) you|your rating|i rate(d)? you"
    r"|(a|at) [1-5] on)\b",
    re.IGNORECASE,
)
_ASKS_REP = re.compile(
    r"\b(what would you|which (one|of these)|how would you|what do you want|what do you think"
    r"|what would help|where do you want|what should we)\b",
    re.IGNORECASE,
)
_PRACTICE = re.compile(r"\b(practi[cs]e|rehears\w*|role[- ]?play\w*|sessions?|drill)\b", re.I)
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DATE = re.compile(
    rf"\b(\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}(st|nd|rd|th)|({_MONTHS})\.? \d{{1,2}}|\d{{1,2}} ({_MONTHS})"
    r"|(monday|tuesday|wednesday|thursday|friday)|in (30|thirty|\d+) days|(thirty|30) days from"
    r"|the (first|second|third|fourth|fifth|tenth|twelfth|fourteenth|fifteenth|twentieth)"
    r"|next week|in (two|three|four) weeks)\b",
    re.IGNORECASE,
)
_CHECKPOINT = re.compile(r"\b(checkpoint|check[- ]in|meet again|follow[- ]up|review again)\b", re.I)
_DIMENSION_OR_RATING = re.compile(
    r"\b(output|activity|skill|growth|quota|attainment|discovery|objections?|pricing|closing"
    r"|rated?|rating|[1-5] out of 5)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Citation:
    line: int  # the manager's line, numbered from 1 over the whole rehearsal
    quote: str  # verbatim from that line


@dataclass
class DebriefItem:
    """One statement of the debrief with the manager's lines it stands on."""

    topic: str  # a criterion id, or "opening", "anchoring", "disputes", "close"
    text: str
    cites: list[Citation] = field(default_factory=list)
    level: int | None = None
    good_anchor: str | None = None
    question: str | None = None


@dataclass
class Debrief:
    opening_question: str
    overall: float | None
    items: list[DebriefItem]
    scored: bool
    reason: str | None = None  # why the rehearsal could not be scored


def _numbered(turns: Sequence[RehearsalTurn]) -> list[tuple[int, RehearsalTurn]]:
    return [(i + 1, t) for i, t in enumerate(turns)]


def _short(text: str, words: int = 18) -> str:
    parts = text.split()
    return text if len(parts) <= words else " ".join(parts[:words])


def _cite(line: int, text: str) -> Citation:
    return Citation(line, _short(text))


def _names_a_call(text: str, moments: Sequence[EvidenceItem]) -> bool:
    lowered = text.lower()
    for moment in moments:
        if moment.account and moment.account.lower() in lowered:
            return True
        if moment.call_id and moment.call_id.lower() in lowered:
            return True
    return bool(re.search(r"\b(on|in) (the|your) [\w' -]{0,30}\bcall\b", lowered))


def criterion_items(
    score: CallScore, rubric: Rubric, turns: Sequence[RehearsalTurn]
) -> list[DebriefItem]:
    """Per criterion: the level, the manager's line behind it, the level-4 anchor, a question."""
    items = []
    for crit in rubric.criteria:
        found = next((c for c in score.criteria if c.criterion_id == crit.id), None)
        if found is None or found.level is None:
            continue
        cites = [
            Citation(e.segment + 1, e.quote)
            for e in found.evidence
            if e.segment < len(turns) and turns[e.segment].speaker is TurnSpeaker.PRACTITIONER
        ]
        if found.level >= GOOD_LEVEL:
            text = f"{crit.name}: level {found.level}. {crit.anchor(found.level)}"
            question = "What made this part work, so you can do it again in the real meeting?"
        else:
            text = (
                f"{crit.name}: level {found.level} ({crit.anchor(found.level)}). "
                f"Level {GOOD_LEVEL} asks: {crit.anchor(GOOD_LEVEL)}"
            )
            where = f" at line {cites[0].line}" if cites else ""
            question = f"What would you say instead{where}, to reach level {GOOD_LEVEL}?"
        items.append(
            DebriefItem(
                crit.id,
                text,
                cites,
                level=found.level,
                good_anchor=crit.anchor(GOOD_LEVEL),
                question=question,
            )
        )
    return items


def plain_checks(
    turns: Sequence[RehearsalTurn], moments: Sequence[EvidenceItem]
) -> list[DebriefItem]:
    """What the lines plainly show, each citing the manager's lines."""
    numbered = _numbered(turns)
    manager = [(n, t.text) for n, t in numbered if t.speaker is TurnSpeaker.PRACTITIONER]
    items: list[DebriefItem] = []
    if not manager:
        return items
    first_line, first = manager[0]
    verdict_lines = [(n, text) for n, text in manager if _VERDICT.search(text)]
    if _QUESTION_FIRST.search(first) and not _VERDICT.search(first):
        heard = sum(
            1
            for n, t in numbered
            if t.speaker is TurnSpeaker.PERSONA
            and n > first_line
            and (not verdict_lines or n < verdict_lines[0][0])
        )
        text = (
            f"You opened by asking for the rep's view (line {first_line}), and the rep spoke "
            f"{heard} time(s) before you gave a rating."
        )
        items.append(DebriefItem("opening", text, [_cite(first_line, first)]))
    else:
        text = (
            f"You opened with your own view (line {first_line}) before asking for the rep's: "
            "start with their self-assessment and let them finish."
        )
        items.append(DebriefItem("opening", text, [_cite(first_line, first)]))
    points = [(n, text) for n, text in manager if _DIMENSION_OR_RATING.search(text)]
    anchored = [(n, text) for n, text in points if _names_a_call(text, moments)]
    loose = [(n, text) for n, text in points if not _names_a_call(text, moments)]
    if points:
        text = (
            f"{len(anchored)} of the {len(points)} lines where you made a point about the rep "
            "named a specific call."
        )
        if loose:
            lines = ", ".join(str(n) for n, _ in loose[:4])
            word = "Line" if len(loose) == 1 else "Lines"
            text += f" {word} {lines} did not: name the call and what was said."
        items.append(
            DebriefItem("anchoring", text, [_cite(n, t) for n, t in (loose or anchored)[:4]])
        )
    for n, turn in numbered:
        if turn.speaker is not TurnSpeaker.PERSONA or turn.stance != "disputes":
            continue
        answer = next(((m, t) for m, t in manager if m > n), None)
        if answer is None:
            items.append(
                DebriefItem("disputes", f"The rep disputed at line {n}; you did not answer.")
            )
            continue
        m, reply = answer
        how = (
            "answered with a specific call, which is what makes a dispute discussable"
            if _names_a_call(reply, moments)
            else "answered without pointing at a call: bring the moment that shows it"
        )
        items.append(
            DebriefItem(
                "disputes",
                f"The rep disputed at line {n}; you {how} (line {m}).",
                [_cite(m, reply)],
            )
        )
    asks = [(n, t) for n, t in manager if _ASKS_REP.search(t)]
    if asks:
        items.append(
            DebriefItem(
                "plan",
                f"You asked the rep for their own ideas {len(asks)} time(s).",
                [_cite(n, t) for n, t in asks[:3]],
            )
        )
    else:
        items.append(
            DebriefItem(
                "plan",
                "You did not ask the rep what they would work on: build the plan with them.",
            )
        )
    closing = manager[-3:]
    practice = [(n, t) for n, t in closing if _PRACTICE.search(t)]
    checkpoint = [(n, t) for n, t in closing if _DATE.search(t)]
    two = any(re.search(r"\b(two|2|both)\b", t, re.IGNORECASE) for _, t in practice)
    parts = [
        ("named two practice assignments" if two else "named practice")
        if practice
        else "named no practice assignment",
        "set a dated checkpoint"
        if checkpoint
        else (
            "mentioned a checkpoint without a date"
            if any(_CHECKPOINT.search(t) for _, t in closing)
            else "set no dated checkpoint"
        ),
    ]
    items.append(
        DebriefItem(
            "close",
            f"In your last lines you {parts[0]} and {parts[1]}: the review ends with two practice "
            "assignments and a checkpoint on a named date.",
            [_cite(n, t) for n, t in dict.fromkeys([*practice, *checkpoint])],
        )
    )
    return items


def verify_citations(items: list[DebriefItem], turns: Sequence[RehearsalTurn]) -> list[DebriefItem]:
    """Keep only citations whose quote is verbatim in the cited line, which is the manager's."""
    for item in items:
        item.cites = [
            c
            for c in item.cites
            if 1 <= c.line <= len(turns)
            and turns[c.line - 1].speaker is TurnSpeaker.PRACTITIONER
            and c.quote in turns[c.line - 1].text
        ]
    return items


def build_debrief(
    score: CallScore,
    rubric: Rubric,
    turns: Sequence[RehearsalTurn],
    moments: Sequence[EvidenceItem],
) -> Debrief:
    opening = (
        "Before the scores: how do you think it went? Which moment would you change if you "
        "had it again?"
    )
    checks = plain_checks(turns, moments)
    if score.status is not ScoreStatus.SCORED:
        return Debrief(opening, None, verify_citations(checks, turns), False, score.reason)
    items = criterion_items(score, rubric, turns) + checks
    return Debrief(opening, score.overall, verify_citations(items, turns), True)
