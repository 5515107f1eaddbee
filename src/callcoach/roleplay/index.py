"""The index of candidate replies: every turn of one role that answers a turn of the other.

Built from the organisation's calls. For each turn of the replying role (the prospect, or the rep
for a persona of the rep) that follows a turn of the other role, it keeps the reply, the turn it
answered (the prompt), the turns before that (the context), the replier's earlier lines in that
call, the call's account and people, and where it came from (call, segments). Consecutive
segments of one role are one turn; segments of other roles (a third party) are left out.

Every distinct text is encoded once through the injected encoder.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from callcoach.domain.calls import Call, SpeakerRole
from callcoach.roleplay.encoders import Encoder
from callcoach.roleplay.names import KnownName, NameCatalogue, NameSide

CONTEXT_TURNS = 4  # design constant: the turns before the prompt that make up its context
_NAME_LIKE = re.compile(r"^[A-Z][A-Za-z'’.\-]*(?: [A-Z][A-Za-z'’.\-]*)*$")


@dataclass(frozen=True)
class Turn:
    role: SpeakerRole
    speaker: str
    text: str
    segments: tuple[int, ...]


def merged_turns(call: Call) -> list[Turn]:
    """The call's rep and prospect turns, consecutive segments of one role joined."""
    turns: list[Turn] = []
    for seg in call.segments:
        if seg.role is SpeakerRole.OTHER or not seg.text.strip():
            continue
        if turns and turns[-1].role is seg.role:
            last = turns[-1]
            turns[-1] = Turn(
                last.role,
                last.speaker,
                f"{last.text} {seg.text.strip()}",
                (*last.segments, seg.index),
            )
        else:
            turns.append(Turn(seg.role, seg.speaker, seg.text.strip(), (seg.index,)))
    return turns


def other_role(role: SpeakerRole) -> SpeakerRole:
    return SpeakerRole.REP if role is SpeakerRole.PROSPECT else SpeakerRole.PROSPECT


@dataclass(frozen=True)
class ReplyCandidate:
    call_id: str
    conversation: str  # replies of one conversation never serve as evidence for each other
    segments: tuple[int, ...]
    position: int  # the reply's place among the call's merged turns, from 0
    text: str
    prompt: str
    context: tuple[str, ...]  # up to CONTEXT_TURNS turns before the prompt, oldest first
    earlier_own: tuple[str, ...]  # the replier's earlier lines in the call
    account: str | None
    won: bool | None  # the call's outcome for the rep, when known


def mean_direction(vectors: np.ndarray) -> np.ndarray:
    """The normalised mean of unit vectors (zeros when there are none)."""
    if len(vectors) == 0:
        return np.zeros(vectors.shape[1], dtype=np.float32)
    total = vectors.sum(axis=0)
    norm = float(np.linalg.norm(total))
    return np.asarray(total / norm if norm > 0 else total, dtype=np.float32)


@dataclass
class ReplyIndex:
    reply_as: SpeakerRole
    candidates: list[ReplyCandidate]
    replies: np.ndarray  # one unit row per candidate
    prompts: np.ndarray
    contexts: np.ndarray  # mean direction of the context turns (zeros when none)
    conversation_codes: np.ndarray  # int per candidate
    conversations: list[str]
    # The replier's lines of every conversation (for "conversations about the same concern").
    concern_lines: np.ndarray
    concern_line_codes: np.ndarray
    previous_own: np.ndarray  # the replier's line before the prompt (zeros when none)
    positions: np.ndarray
    names: NameCatalogue
    encode: Encoder
    _codes: dict[str, int] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._codes = {c: i for i, c in enumerate(self.conversations)}

    def __len__(self) -> int:
        return len(self.candidates)

    def code_of(self, conversation: str | None) -> int:
        """The conversation's code, -1 when it has no reply in the index."""
        if conversation is None:
            return -1
        return self._codes.get(conversation, -1)

    def encode_texts(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self.encode(list(texts)), dtype=np.float32)


def _known_names(
    call: Call, conversation: str, reply_as: SpeakerRole, contacts: Sequence[str]
) -> list[KnownName]:
    names: list[KnownName] = []
    if call.account:
        names.append(KnownName(call.account, NameSide.ACCOUNT, conversation))
    rep_side = NameSide.REPLIER if reply_as is SpeakerRole.REP else NameSide.ASKER
    customer_side = NameSide.ASKER if reply_as is SpeakerRole.REP else NameSide.REPLIER
    if call.rep and _NAME_LIKE.match(call.rep):
        names.append(KnownName(call.rep, rep_side, conversation))
    for seg in call.segments:
        label = seg.speaker.strip()
        if seg.role is not SpeakerRole.OTHER and _NAME_LIKE.match(label):
            side = rep_side if seg.role is SpeakerRole.REP else customer_side
            names.append(KnownName(label, side, conversation))
    names.extend(KnownName(c, customer_side, conversation) for c in contacts if c.strip())
    return list(dict.fromkeys(names))


def build_reply_index(
    calls: Sequence[Call],
    encode: Encoder,
    reply_as: SpeakerRole = SpeakerRole.PROSPECT,
    *,
    outcomes: Mapping[str, bool] | None = None,
    contacts: Mapping[str, Sequence[str]] | None = None,
    conversation_of: Callable[[Call], str] | None = None,
) -> ReplyIndex:
    """Index the replies of `reply_as` in `calls`.

    `outcomes`: call id -> won (for difficulty); `contacts`: call id -> names of the customer's
    people (from the CRM); `conversation_of`: groups records of one conversation (a dialogue
    recorded from two sides) so they never serve as evidence for each other.
    """
    if reply_as is SpeakerRole.OTHER:
        raise ValueError("a persona replies as the rep or the prospect")
    asker = other_role(reply_as)
    outcomes = outcomes or {}
    contacts = contacts or {}
    candidates: list[ReplyCandidate] = []
    known: list[KnownName] = []
    texts: list[tuple[str, str]] = []
    concern_texts: list[tuple[str, str]] = []
    for call in calls:
        conversation = conversation_of(call) if conversation_of else call.external_id
        known.extend(_known_names(call, conversation, reply_as, contacts.get(call.external_id, ())))
        turns = merged_turns(call)
        texts.extend((conversation, t.text) for t in turns)
        own: list[str] = []
        for position, turn in enumerate(turns):
            if turn.role is not reply_as:
                continue
            concern_texts.append((conversation, turn.text))
            if position > 0 and turns[position - 1].role is asker:
                before = turns[max(0, position - 1 - CONTEXT_TURNS) : position - 1]
                candidates.append(
                    ReplyCandidate(
                        call_id=call.external_id,
                        conversation=conversation,
                        segments=turn.segments,
                        position=position,
                        text=turn.text,
                        prompt=turns[position - 1].text,
                        context=tuple(t.text for t in before),
                        earlier_own=tuple(own),
                        account=call.account,
                        won=outcomes.get(call.external_id),
                    )
                )
            own.append(turn.text)
    distinct = list(dict.fromkeys(t for _, t in texts))
    matrix = np.asarray(encode(distinct), dtype=np.float32) if distinct else np.zeros((0, 1))
    row = {t: i for i, t in enumerate(distinct)}
    dimension = matrix.shape[1]

    def vectors(items: Sequence[str]) -> np.ndarray:
        if not items:
            return np.zeros((0, dimension), dtype=np.float32)
        return np.asarray(matrix[[row[t] for t in items]], dtype=np.float32)

    conversations = list(dict.fromkeys(c.conversation for c in candidates))
    code = {c: i for i, c in enumerate(conversations)}
    return ReplyIndex(
        reply_as=reply_as,
        candidates=candidates,
        replies=vectors([c.text for c in candidates]),
        prompts=vectors([c.prompt for c in candidates]),
        contexts=(
            np.stack([mean_direction(vectors(c.context)) for c in candidates])
            if candidates
            else np.zeros((0, dimension), dtype=np.float32)
        ),
        conversation_codes=np.array([code[c.conversation] for c in candidates], dtype=np.int64),
        conversations=conversations,
        concern_lines=vectors([t for _, t in concern_texts]),
        concern_line_codes=np.array([code.get(c, -1) for c, _ in concern_texts], dtype=np.int64),
        previous_own=np.stack(
            [
                vectors(c.earlier_own[-1:])[0]
                if c.earlier_own
                else np.zeros(dimension, dtype=np.float32)
                for c in candidates
            ]
        )
        if candidates
        else np.zeros((0, dimension), dtype=np.float32),
        positions=np.array([c.position for c in candidates], dtype=np.int64),
        names=NameCatalogue.build(texts, known),
        encode=encode,
    )
