"""The persona of a rep a manager rehearses a review against, offline (issue 17, section 5).

Everything the persona says is something the rep said or wrote:

- asked how they see the period (or at the first turn), it answers with its self-assessment, in
  the rep's own words, the dimensions it disputes first;
- when the manager raises a dimension the rep rates a full point or more above the evidence
  (what the self-assessment disputes), it disputes it with the rep's words for that dimension;
- when the manager points at a call moment the review cites (by its account, call or quoted
  words), it recalls what the rep said there (the rep knows their own calls);
- otherwise it answers with one of the rep's own turns from their calls, chosen by the same
  retrieval engine as the practice prospect (`rep_persona`): turns the rep said in answer to
  lines like the manager's, which is how they answer push-back.

How much it says follows the rep's talk ratio on their calls: a rep who talks more than they
listen adds a second line of their own to an answer. Facts (ratings, calls, accounts, quotes)
come only from the review pack's evidence and the self-assessment, so the persona never knows
more than the rep does.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from callcoach.domain.calls import Call, SpeakerRole
from callcoach.domain.practice import TurnSpeaker
from callcoach.domain.rehearsal import (
    Dispute,
    LineSource,
    RehearsalTurn,
    SourceKind,
)
from callcoach.domain.review_evidence import EvidenceItem, EvidenceKind
from callcoach.domain.reviews import DIMENSION_LABELS, DIMENSIONS, SelfAssessment
from callcoach.roleplay.encoders import Encoder
from callcoach.roleplay.engine import ReplyEngine, Scene, SessionTurn
from callcoach.roleplay.index import merged_turns
from callcoach.roleplay.names import SceneNames
from callcoach.roleplay.persona import rep_persona

TALKATIVE_RATIO = 0.55  # design constant: above it the rep talks more than they listen
SHORT_TURN_WORDS = 6  # a rep turn this short is an acknowledgement ("Sure, that works.")
_WORD = re.compile(r"[a-z0-9']+")
# How a manager names a dimension (the words reps and managers use for it). Skill is also
# raised by naming a rubric criterion the review cites.
DIMENSION_WORDS: dict[str, tuple[str, ...]] = {
    "output": (
        "output",
        "quota",
        "attainment",
        "revenue",
        "bookings",
        "number",
        "numbers",
        "won",
        "closed",
        "pipeline",
        "target",
    ),
    "activity": (
        "activity",
        "activities",
        "volume",
        "meetings",
        "dials",
        "emails",
        "calls made",
        "touches",
        "busy",
    ),
    "skill": (
        "skill",
        "skills",
        "technique",
        "discovery",
        "objection",
        "objections",
        "pricing",
        "close",
        "closing",
        "questions",
    ),
    "growth": (
        "growth",
        "grow",
        "improve",
        "improved",
        "improvement",
        "progress",
        "coaching",
        "learn",
        "learning",
        "develop",
        "development",
    ),
}
_INVITATION = re.compile(
    r"\b(how (do|did|would) you (think|feel|see|rate|judge)|how('s| has| have| did) (it|the|your)"
    r"|your (own )?(view|take|self[- ]assessment)|in your words|tell me how you|what do you think)",
    re.IGNORECASE,
)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


@dataclass(frozen=True)
class PersonaProfile:
    """How the rep talks on their calls: what the manager is shown before rehearsing."""

    rep: str
    calls: int
    turns: int
    talk_ratio: float | None  # the rep's share of the words on their calls
    words_per_turn: float | None  # median words in one of the rep's turns
    acknowledgements: tuple[str, ...]  # their most frequent short turns
    disputes: tuple[Dispute, ...]

    @property
    def talkative(self) -> bool:
        return self.talk_ratio is not None and self.talk_ratio > TALKATIVE_RATIO


def profile_of(calls: Sequence[Call], rep: str, disputes: Sequence[Dispute]) -> PersonaProfile:
    own = [c for c in calls if c.rep == rep]
    rep_words = other_words = 0
    lengths: list[int] = []
    short: Counter[str] = Counter()
    for call in own:
        for turn in merged_turns(call):
            count = len(turn.text.split())
            if turn.role is SpeakerRole.REP:
                rep_words += count
                lengths.append(count)
                if count <= SHORT_TURN_WORDS:
                    short[turn.text.strip()] += 1
            else:
                other_words += count
    total = rep_words + other_words
    return PersonaProfile(
        rep=rep,
        calls=len(own),
        turns=len(lengths),
        talk_ratio=rep_words / total if total else None,
        words_per_turn=float(statistics.median(lengths)) if lengths else None,
        acknowledgements=tuple(t for t, _ in short.most_common(5)),
        disputes=tuple(disputes),
    )


@dataclass(frozen=True)
class PersonaFacts:
    """What the rep knows: the review's evidence about them and their own self-assessment."""

    self_assessment: SelfAssessment | None
    disputes: tuple[Dispute, ...]
    moments: tuple[EvidenceItem, ...]  # call moments of the rep's that the review cites
    names: tuple[str, ...] = ()  # accounts and people the rep may name (their own calls)

    @classmethod
    def from_evidence(
        cls,
        self_assessment: SelfAssessment | None,
        disputes: Sequence[Dispute],
        evidence: Sequence[EvidenceItem],
        people: Sequence[str] = (),
    ) -> PersonaFacts:
        moments = tuple(
            e for e in evidence if e.kind == EvidenceKind.MOMENT.value and e.quote and e.call_id
        )
        names = {n for e in evidence for n in e.all_names()} | set(people)
        return cls(self_assessment, tuple(disputes), moments, tuple(sorted(names)))


@dataclass
class RehearsalPersona:
    """The offline persona: a dialogue policy over the rep's own words (module docstring)."""

    engine: ReplyEngine | None  # None when the rep has no turns to retrieve from
    profile: PersonaProfile
    facts: PersonaFacts
    criterion_names: dict[str, str] = field(default_factory=dict)  # criterion name -> id

    def reply(self, turns: Sequence[RehearsalTurn]) -> RehearsalTurn:
        if not turns or turns[-1].speaker is not TurnSpeaker.PRACTITIONER:
            raise ValueError("the persona answers a line of the manager's")
        line = turns[-1].text
        said = {s.ref for t in turns if t.speaker is TurnSpeaker.PERSONA for s in t.sources}
        first = not any(t.speaker is TurnSpeaker.PERSONA for t in turns)
        parts: list[tuple[str, LineSource]] = []
        stance = "answers"
        if _INVITATION.search(line) and self._self_view_left(said):
            parts, stance = self._self_view(said), "self-assessment"
        else:
            moment = self._moment_named(line, said)
            if moment is not None:
                parts.append(_moment_part(moment))
                stance = "recalls"
            dispute = self._dispute_raised(line, moment)
            if dispute is not None and f"dimension:{dispute.dimension}" not in said:
                parts.append(_dispute_part(dispute))
                stance = "disputes"
            if not parts and first and self._self_view_left(said):
                parts, stance = self._self_view(said), "self-assessment"
        if not parts or (self.profile.talkative and len(parts) == 1 and stance != "disputes"):
            own = self._own_turn(turns)
            if own is not None:
                parts.append(own)
        if not parts:
            parts.append(self._acknowledgement(turns))
        text = " ".join(t for t, _ in parts)
        return RehearsalTurn(TurnSpeaker.PERSONA, text, tuple(s for _, s in parts), stance)

    # -- what the rep says about themself --------------------------------------------------

    def _self_view_left(self, said: set[str | None]) -> bool:
        own = self.facts.self_assessment
        return own is not None and any(f"dimension:{d.value}" not in said for d in DIMENSIONS)

    def _self_view(self, said: set[str | None]) -> list[tuple[str, LineSource]]:
        """The self-assessment in the rep's words: disputed dimensions first, then the rest;
        one dimension for a quiet rep, two for a talkative one."""
        own = self.facts.self_assessment
        assert own is not None
        order = [d.dimension for d in self.facts.disputes] + [d.value for d in DIMENSIONS]
        left = [d for d in dict.fromkeys(order) if f"dimension:{d}" not in said]
        parts = []
        for dimension in left[: 2 if self.profile.talkative else 1]:
            entry = own.of(dimension)
            label = DIMENSION_LABELS[next(d for d in DIMENSIONS if d.value == dimension)]
            parts.append(
                (
                    f"{label}, I'd say {entry.rating}: {entry.words}",
                    LineSource(
                        SourceKind.SELF_ASSESSMENT,
                        f"self-assessment, {dimension} ({entry.rating})",
                        f"dimension:{dimension}",
                    ),
                )
            )
        return parts

    def _dispute_raised(self, line: str, moment: EvidenceItem | None) -> Dispute | None:
        words = set(_words(line))
        text = line.lower()
        for dispute in self.facts.disputes:
            keys = DIMENSION_WORDS.get(dispute.dimension, ())
            named = any((k in text) if " " in k else (k in words) for k in keys)
            if dispute.dimension == "skill":
                named = named or moment is not None or any(n in text for n in self.criterion_names)
            if named:
                return dispute
        return None

    # -- what the rep knows of their calls ------------------------------------------------

    def _moment_named(self, line: str, said: set[str | None]) -> EvidenceItem | None:
        """The cited moment the manager points at: by account, call id or the rep's words."""
        text = line.lower()
        words = set(_words(line))
        best: tuple[float, EvidenceItem] | None = None
        for moment in self.facts.moments:
            if moment.id in said:
                continue
            score = 0.0
            if moment.account and moment.account.lower() in text:
                score += 2
            if moment.call_id and moment.call_id.lower() in text:
                score += 3
            quote = set(_words(moment.quote or ""))
            if quote:
                score += 2 * len(words & quote) / len(quote)
            if moment.criterion and moment.criterion.lower() in text:
                score += 0.5
            if score >= 1 and (best is None or score > best[0]):
                best = (score, moment)
        return best[1] if best else None

    # -- how the rep talks ----------------------------------------------------------------

    def _own_turn(self, turns: Sequence[RehearsalTurn]) -> tuple[str, LineSource] | None:
        if self.engine is None:
            return None
        concern = self.facts.disputes[0].words if self.facts.disputes else ""
        session = [
            SessionTurn(
                SpeakerRole.PROSPECT if t.speaker is TurnSpeaker.PRACTITIONER else SpeakerRole.REP,
                t.text,
            )
            for t in turns
        ]
        names = SceneNames(allowed_text=" ".join(self.facts.names))
        chosen = self.engine.choose(Scene(concern=concern, names=names), session)
        if chosen is None:
            return None
        source = chosen.source
        return chosen.text, LineSource(
            SourceKind.OWN_TURN,
            f"your rep's own words, call {source.call_id}",
            f"{source.call_id}#{','.join(str(s) for s in source.segments)}",
        )

    def _acknowledgement(self, turns: Sequence[RehearsalTurn]) -> tuple[str, LineSource]:
        used = {t.text for t in turns if t.speaker is TurnSpeaker.PERSONA}
        for text in self.profile.acknowledgements:
            if text not in used:
                return text, LineSource(SourceKind.OWN_TURN, "a short answer the rep often gives")
        fallback = self.profile.acknowledgements[0] if self.profile.acknowledgements else "Okay."
        return fallback, LineSource(SourceKind.OWN_TURN, "a short answer the rep often gives")


def _moment_part(moment: EvidenceItem) -> tuple[str, LineSource]:
    where = f" with {moment.account}" if moment.account else ""
    who = "they" if moment.speaker == "prospect" else "I"  # an objection the review quotes
    return (
        f'On that call{where} {who} said "{moment.quote}".',
        LineSource(
            SourceKind.CALL_MOMENT,
            f"call {moment.call_id}" + (f", {moment.criterion}" if moment.criterion else ""),
            moment.id,
        ),
    )


def _dispute_part(dispute: Dispute) -> tuple[str, LineSource]:
    return (
        f"I don't see it that way, I put myself at {dispute.self_rating} on {dispute.dimension}: "
        f"{dispute.words}",
        LineSource(
            SourceKind.SELF_ASSESSMENT,
            f"self-assessment, {dispute.dimension} ({dispute.self_rating}; the evidence says "
            f"{dispute.evidence_rating})",
            f"dimension:{dispute.dimension}",
        ),
    )


def rehearsal_persona(
    calls: Sequence[Call],
    rep: str,
    encode: Encoder,
    facts: PersonaFacts,
    criterion_names: dict[str, str] | None = None,
) -> RehearsalPersona:
    """The persona of `rep` from their calls (the retrieval index), self-assessment and pack."""
    own = [c for c in calls if c.rep == rep]
    try:
        engine: ReplyEngine | None = rep_persona(own, rep, encode) if own else None
    except ValueError:  # calls without a single rep turn answering the other side
        engine = None
    return RehearsalPersona(
        engine=engine,
        profile=profile_of(own, rep, facts.disputes),
        facts=facts,
        criterion_names={k.lower(): v for k, v in (criterion_names or {}).items()},
    )
