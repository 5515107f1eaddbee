"""The offline persona: answers with what real people said, chosen from the organisation's calls.

No generative model. For the turn to answer (the rep's practice line, or the manager's line in a
review rehearsal) the engine

1. retrieves the replies of the persona's role that answered turns like it, in conversations
   about the scenario's concern (`features.retrieve`);
2. ranks them with the learned ranker (`features.candidate_features`, `RankingParameters`);
3. shifts the ranking by difficulty: at 3 towards replies that resist, at 1 towards replies that
   concede, at 2 as real people answered (`resistance`);
4. takes the best reply that stays consistent with the scenario: not a reply already used in the
   session, not one contradicting a number the persona already gave (`facts`), and with other
   calls' names replaced by the scenario's or, when that cannot be done, not used (`names`).

The engine is role-generic: the index says which role replies (`ReplyIndex.reply_as`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from callcoach.domain.calls import SpeakerRole
from callcoach.roleplay.defaults import DEFAULT_PARAMETERS
from callcoach.roleplay.facts import contradicted
from callcoach.roleplay.features import (
    DialogueVectors,
    ReplyMap,
    candidate_features,
    nearest_replies,
    retrieve,
)
from callcoach.roleplay.index import CONTEXT_TURNS, ReplyCandidate, ReplyIndex, mean_direction
from callcoach.roleplay.names import SceneNames, adapt_names
from callcoach.roleplay.parameters import RankingParameters
from callcoach.roleplay.resistance import (
    DIFFICULTIES,
    NEUTRAL_DIFFICULTY,
    ResistanceDirection,
    difficulty_adjusted,
)


@dataclass(frozen=True)
class Scene:
    """What the persona knows: the moment it was cut from and who is who."""

    concern: str  # the persona's line at the moment (the objection)
    context: tuple[tuple[SpeakerRole, str], ...] = ()  # the transcript lines before it
    own_lines: tuple[str, ...] = ()  # the persona's own lines in the source call
    names: SceneNames = field(default_factory=SceneNames)
    source_conversation: str | None = None  # the call it was cut from: its names may be used
    moment_position: int = 0  # the concern's place among the source call's turns


@dataclass(frozen=True)
class ReplySource:
    call_id: str
    segments: tuple[int, ...]


@dataclass(frozen=True)
class SessionTurn:
    role: SpeakerRole
    text: str
    source: ReplySource | None = None  # for the persona's replies: where they came from


@dataclass(frozen=True)
class RankedReply:
    row: int
    candidate: ReplyCandidate
    relevance: float  # the ranker's score
    resistance: float  # 0 when no resistance direction was learned
    score: float  # after the difficulty shift


@dataclass(frozen=True)
class ChosenReply:
    text: str  # the reply as the persona says it (names adapted)
    source: ReplySource
    original: str  # the reply as it was said in the source call
    replacements: tuple[tuple[str, str], ...]
    relevance: float
    resistance: float
    passed_over: dict[str, int] = field(default_factory=dict)  # reason -> replies skipped


def _normalised(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


class ReplyEngine:
    def __init__(
        self,
        index: ReplyIndex,
        parameters: RankingParameters = DEFAULT_PARAMETERS,
        *,
        reply_map: ReplyMap | None = None,
        resistance: ResistanceDirection | None = None,
        learn_resistance: bool = True,
    ) -> None:
        if len(index) == 0:
            raise ValueError(f"no {index.reply_as} replies to choose from: the index is empty")
        self.index = index
        self.parameters = parameters
        self.reply_map = reply_map or ReplyMap.fit_index(index, parameters.ridge_alpha)
        if resistance is None and learn_resistance:
            resistance = ResistanceDirection.fit(index)
        self.resistance = resistance

    @property
    def reply_as(self) -> SpeakerRole:
        return self.index.reply_as

    @property
    def difficulty_available(self) -> bool:
        """False when the calls had too few known outcomes to learn what resisting looks like."""
        return self.resistance is not None

    def _check(self, session: Sequence[SessionTurn], difficulty: int) -> str:
        if difficulty not in DIFFICULTIES:
            raise ValueError(f"difficulty must be 1, 2 or 3, not {difficulty}")
        if not session or session[-1].role is self.reply_as:
            raise ValueError(f"the {self.reply_as} persona answers a turn of the other side")
        prompt = session[-1].text.strip()
        if not prompt:
            raise ValueError("the turn to answer is empty")
        return prompt

    def dialogue_vectors(self, scene: Scene, session: Sequence[SessionTurn]) -> DialogueVectors:
        turns: list[tuple[SpeakerRole, str]] = [*scene.context]
        if scene.concern.strip():
            turns.append((self.reply_as, scene.concern))
        turns.extend((t.role, t.text) for t in session[:-1])
        own = list(scene.own_lines) or [t for r, t in turns if r is self.reply_as]
        own += [t.text for t in session if t.role is self.reply_as]
        context = [t for _, t in turns[-CONTEXT_TURNS:]]
        texts = [session[-1].text, *context, *own]
        if scene.concern.strip():
            texts.append(scene.concern)
        encoded = self.index.encode_texts(texts)
        dimension = self.index.replies.shape[1]
        return DialogueVectors(
            prompt=encoded[0],
            context=mean_direction(encoded[1 : 1 + len(context)]),
            concern=encoded[-1] if scene.concern.strip() else np.zeros(dimension, np.float32),
            own=encoded[1 + len(context) : 1 + len(context) + len(own)],
            position=scene.moment_position + len(session) + 1,
        )

    def rank(
        self, scene: Scene, session: Sequence[SessionTurn], difficulty: int = NEUTRAL_DIFFICULTY
    ) -> list[RankedReply]:
        """The retrieved replies, best first, before the consistency checks."""
        self._check(session, difficulty)
        dialogue = self.dialogue_vectors(scene, session)
        rows = retrieve(self.index, dialogue, self.parameters.retrieve, np.zeros(0, np.int64))
        neighbours = nearest_replies(self.index, rows, self.parameters.neighbours)
        features = candidate_features(self.index, rows, dialogue, neighbours, self.reply_map)
        relevance = self.parameters.score(features)
        resistance = (
            self.resistance.score(self.index.replies[rows])
            if self.resistance is not None
            else np.zeros(len(rows), dtype=np.float32)
        )
        score = difficulty_adjusted(
            relevance, resistance, difficulty, self.parameters.difficulty_step
        )
        order = np.argsort(-score, kind="stable")
        return [
            RankedReply(
                int(rows[i]),
                self.index.candidates[rows[i]],
                float(relevance[i]),
                float(resistance[i]),
                float(score[i]),
            )
            for i in order
        ]

    def choose(
        self,
        scene: Scene,
        session: Sequence[SessionTurn],
        difficulty: int = NEUTRAL_DIFFICULTY,
        *,
        accept: Callable[[RankedReply], str | None] | None = None,
    ) -> ChosenReply | None:
        """The persona's next reply, or None when no retrieved reply stays consistent.

        `accept` may refuse a reply for the caller's own reason (returned as the reason it was
        passed over, e.g. a practice session's pacing of concessions); None accepts it.
        """
        ranked = self.rank(scene, session, difficulty)
        persona_turns = [t for t in session if t.role is self.reply_as]
        used_sources = {t.source for t in persona_turns if t.source is not None}
        used_texts = {_normalised(t.text) for t in persona_turns}
        used_vectors = (
            self.index.encode_texts([t.text for t in persona_turns]) if persona_turns else None
        )
        stated = [*scene.own_lines, scene.concern, *(t.text for t in persona_turns)]
        allowed = " ".join(
            [
                scene.names.allowed_text,
                scene.concern,
                *(t for _, t in scene.context),
                *scene.own_lines,
                *(t.text for t in session),
            ]
        )
        names = SceneNames(
            scene.names.account, scene.names.persona, scene.names.counterpart, allowed
        )
        passed_over: Counter[str] = Counter()
        for option in ranked:
            candidate = option.candidate
            source = ReplySource(candidate.call_id, candidate.segments)
            vector = self.index.replies[option.row]
            if (
                source in used_sources
                or _normalised(candidate.text) in used_texts
                or (
                    used_vectors is not None
                    and float(np.max(used_vectors @ vector)) >= self.parameters.repeat_similarity
                )
            ):
                passed_over["already said in this session"] += 1
                continue
            if contradicted(candidate.text, stated):
                passed_over["contradicts a number already given"] += 1
                continue
            refused = accept(option) if accept is not None else None
            if refused:
                passed_over[refused] += 1
                continue
            adapted = adapt_names(
                candidate.text, self.index.names, names, scene.source_conversation
            )
            if adapted.text is None:
                passed_over["names another call's account or person"] += 1
                continue
            return ChosenReply(
                text=adapted.text,
                source=source,
                original=candidate.text,
                replacements=adapted.replacements,
                relevance=option.relevance,
                resistance=option.resistance,
                passed_over=dict(passed_over),
            )
        return None
