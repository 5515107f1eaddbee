"""The post-session coach: a short structured dialogue built from the score and the team's moments.

Issue 17 section 3. After an attempt is scored the coach

1. **asks first**: which of your lines answered the prospect best, and what level would you give
   yourself? (stage `recall`);
2. **then shows the evidence**: the level reached beside the rep's own guess, the rep's lines the
   scorer quoted, the level-4 anchor, the level on the real call, and a real level 4-5 moment by
   a teammate on the same criterion; and asks what they would do differently (stage `reflect`);
3. **offers a retry** of the same moment (stage `retry`); a retry is a new attempt.

Every sentence is built from evidence items and cites them (`[line-N]` is the rep's own line N
of the attempt), and passes the review drafts' check (`analytics.reviews_check.check_sentence`):
a quote must be verbatim in what it cites, a number or name must be in it. Every sentence about
the attempt cites at least one of the rep's own lines. A configured model
(`CALLCOACH_PRACTICE_LLM`) may rephrase a sentence; what it writes passes the same check and must
keep a citation of the rep's line where the original had one, or the built sentence is kept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from callcoach.analytics.reviews_check import check_sentence
from callcoach.analytics.reviews_format import CITATION, Sentence
from callcoach.domain.practice import STRONG_LEVEL, Attempt, Scenario, TurnSpeaker
from callcoach.domain.review_evidence import EvidenceItem
from callcoach.llm.client import ChatClient, LlmError, numbered_proposals
from callcoach.settings import Settings

RECALL, REFLECT, RETRY, DONE = "recall", "reflect", "retry", "done"
_LEVEL_ANSWER = re.compile(r"(?<![\d.])([1-5])(?![\d.])")
MAX_QUOTES = 2  # design constant: the coach shows the scorer's two best quotes at most


@dataclass(frozen=True)
class Teammate:
    """A teammate's strong moment, names of their call already hidden."""

    name: str
    level: int
    prospect_line: str | None
    quote: str


def line_ids(attempt: Attempt) -> dict[int, str]:
    """Turn index -> the citation of the practitioner's line: `line-1` is their first line."""
    return {t.index: f"line-{n}" for n, t in enumerate(attempt.practitioner_turns, start=1)}


def evidence_of(
    scenario: Scenario,
    attempt: Attempt,
    teammate: Teammate | None,
    self_level: int | None = None,
    plan: str | None = None,
    reason: str | None = None,
) -> dict[str, EvidenceItem]:
    goal = scenario.goal
    level = attempt.score.level if attempt.score else None
    numbers = [float(self_level)] if self_level is not None else []
    if reason:
        numbers += [float(n) for n in re.findall(r"\d+(?:\.\d+)?", reason)]
    items: dict[str, EvidenceItem] = {}
    ids = line_ids(attempt)
    for turn in attempt.practitioner_turns:
        items[ids[turn.index]] = EvidenceItem(
            id=ids[turn.index],
            kind="practice_line",
            label="your line",
            quote=turn.text,
            criterion=goal.criterion_name,
            level=level,
            numbers=numbers,
            words=reason,
        )
    items["moment-1"] = EvidenceItem(
        id="moment-1",
        kind="moment",
        label="the prospect's line",
        quote=scenario.opening_line,
        criterion=goal.criterion_name,
        numbers=[1.0, 5.0],
    )
    items["goal-4"] = EvidenceItem(
        id="goal-4",
        kind="anchor",
        label="level-4 anchor",
        good_anchor=goal.anchor,
        criterion=goal.criterion_name,
        level=goal.level,
    )
    if scenario.original.quote:
        items["call-1"] = EvidenceItem(
            id="call-1",
            kind="original",
            label="the real call",
            quote=scenario.original.quote,
            level=scenario.original.level,
            criterion=goal.criterion_name,
        )
    if teammate is not None:
        items["team-1"] = EvidenceItem(
            id="team-1",
            kind="teammate",
            label="a teammate's moment",
            quote=teammate.quote,
            prospect_quote=teammate.prospect_line,
            level=teammate.level,
            criterion=goal.criterion_name,
            names=[teammate.name],
        )
    if plan:
        items["plan-1"] = EvidenceItem(id="plan-1", kind="plan", label="your plan", quote=plan)
    return items


def _short(text: str, words: int = 30) -> str:
    parts = text.split()
    return text if len(parts) <= words else " ".join(parts[:words])


def recall_question(scenario: Scenario) -> list[Sentence]:
    return [
        Sentence(
            f"Before you see the score: which of your lines answered “{_short(scenario.opening_line)}” "
            f"best, and what level from 1 to 5 would you give yourself on "
            f"{scenario.goal.criterion_name}?",
            ["moment-1"],
        )
    ]


def evidence_sentences(
    scenario: Scenario, attempt: Attempt, teammate: Teammate | None, self_level: int | None
) -> list[Sentence]:
    lines = attempt.practitioner_turns
    ids = line_ids(attempt)
    every = [ids[t.index] for t in lines]
    goal = scenario.goal
    score = attempt.score
    out: list[Sentence] = []
    if score is None or score.level is None:
        return out
    quoted = [ids[e.turn] for e in score.evidence if e.turn in ids] or every[-1:]
    guess = (
        f"You gave yourself {self_level}; the scorer gave"
        if self_level is not None
        else "You gave yourself no level; the scorer gave"
    )
    out.append(Sentence(f"{guess} level {score.level} on {goal.criterion_name}", quoted))
    for item in score.evidence[:MAX_QUOTES]:
        if item.turn in ids:
            out.append(Sentence(f"Your line: “{item.quote}”", [ids[item.turn]]))
    if not score.evidence and lines:
        out.append(Sentence(f"Your last line: “{lines[-1].text}”", [ids[lines[-1].index]]))
    out.append(
        Sentence(f"Level 4 on {goal.criterion_name} looks like this: “{goal.anchor}”", ["goal-4"])
    )
    if scenario.original.quote and scenario.original.level is not None:
        out.append(
            Sentence(
                f"On the real call you reached level {scenario.original.level} here: "
                f"“{_short(scenario.original.quote, 40)}”",
                ["call-1"],
            )
        )
    if teammate is not None:
        before = (
            f"the prospect said “{_short(teammate.prospect_line)}” and "
            if teammate.prospect_line
            else ""
        )
        out.append(
            Sentence(
                f"{teammate.name} reached level {teammate.level} on {goal.criterion_name} on a real "
                f"call: {before}they answered “{_short(teammate.quote, 45)}”",
                ["team-1"],
            )
        )
    out.append(
        Sentence(
            f"What would you do differently when the prospect says “{_short(scenario.opening_line)}”?",
            ["moment-1"],
        )
    )
    return out


def unscorable_sentences(attempt: Attempt, reason: str) -> list[Sentence]:
    every = list(line_ids(attempt).values())
    return [
        Sentence(f"This attempt could not be scored: {reason}", every[-1:]),
        Sentence("Try the same moment again now, and say a little more in each turn", []),
    ]


def retry_offer(plan: str) -> list[Sentence]:
    return [
        Sentence(f"Your plan: “{_short(plan, 60)}”", ["plan-1"]),
        Sentence("Try the same moment again now: the prospect opens with the same line", []),
    ]


def self_level_of(answer: str) -> int | None:
    match = _LEVEL_ANSWER.search(answer)
    return int(match.group(1)) if match else None


def checked(
    sentences: Sequence[Sentence], evidence: Mapping[str, EvidenceItem], names: Sequence[str]
) -> list[dict[str, Any]]:
    """The coach's message: each sentence rendered with its check."""
    result = []
    for sentence in sentences:
        text = sentence.render()
        verdict = check_sentence(text, evidence, names)
        result.append(
            {"text": text, "cites": sentence.cites, "check": verdict.status,
             "problems": verdict.problems}
        )  # fmt: skip
    return result


COACH_PROMPT = (
    "You are a warm, direct sales coach talking to a rep right after a practice attempt. Rewrite "
    "each numbered sentence so it sounds natural and encouraging, addressed to the rep as 'you'. "
    "Keep every quote in curly quotes exactly as written, every number and every name. Do not "
    "add any fact, advice or praise that is not in the sentence. For each sentence return its "
    "number, the new text without citations, and the ids it cites, chosen only from the ids "
    "given with it. Answer with JSON only."
)


def phrase(
    sentences: Sequence[Sentence],
    evidence: Mapping[str, EvidenceItem],
    names: Sequence[str],
    settings: Settings,
) -> tuple[list[Sentence], dict[str, Any]]:
    """The sentences as the model phrased them where they pass the check; the built ones else."""
    from callcoach.services.practice.prospect import endpoint_of

    stats: dict[str, Any] = {"sent": len(sentences), "kept": 0, "errors": []}
    ids = sorted({c for s in sentences for c in s.cites})
    if not ids:
        return list(sentences), stats
    client = ChatClient(endpoint_of(settings))
    schema = {
        "type": "object",
        "properties": {
            "sentences": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "n": {"type": "integer"},
                        "text": {"type": "string"},
                        "cites": {"type": "array", "items": {"type": "string", "enum": ids}},
                    },
                    "required": ["n", "text", "cites"],
                },
            }
        },
        "required": ["sentences"],
    }
    numbered = [{"n": n, "text": s.text, "cites": s.cites} for n, s in enumerate(sentences)]
    try:
        proposals = numbered_proposals(client, COACH_PROMPT, numbered, schema, max_tokens=900)
    except (LlmError, ValueError, TypeError, AttributeError) as exc:
        stats["errors"].append(str(exc).splitlines()[0][:200])
        return list(sentences), stats
    finally:
        client.close()
    result = []
    for n, original in enumerate(sentences):
        proposal = proposals.get(n)
        kept = original
        if proposal is not None and original.cites:
            text = CITATION.sub("", str(proposal.get("text", ""))).strip().rstrip(".").strip()
            cites = [c for c in proposal.get("cites", []) if isinstance(c, str) and c in evidence]
            own = [c for c in original.cites if c.startswith("line-")]
            keeps_line = not own or any(c.startswith("line-") for c in cites)
            candidate = Sentence(text, cites)
            if (
                text
                and cites
                and keeps_line
                and check_sentence(candidate.render(), evidence, names).status == "ok"
            ):
                kept = candidate
                stats["kept"] += 1
        result.append(kept)
    return result, stats


def practitioner_lines(attempt: Attempt) -> list[tuple[str, str]]:
    """(citation id, line) of the rep's own lines, for showing what `[line-N]` cites."""
    ids = line_ids(attempt)
    return [(ids[t.index], t.text) for t in attempt.turns if t.speaker is TurnSpeaker.PRACTITIONER]


__all__ = [
    "DONE",
    "RECALL",
    "REFLECT",
    "RETRY",
    "STRONG_LEVEL",
    "Teammate",
    "checked",
    "evidence_of",
    "evidence_sentences",
    "phrase",
    "practitioner_lines",
    "recall_question",
    "retry_offer",
    "self_level_of",
    "unscorable_sentences",
]
