"""A call being written: who is on it, what has been said, and which criterion each rep turn shows.

Phrase modules write into a `Scene` (`scene.rep(...)`, `scene.prospect(...)`); the call builder
turns the finished scene into timed transcript segments.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from callcoach.demo.accounts import Account, Contact
from callcoach.demo.grammar import Phraser
from callcoach.domain.calls import SpeakerRole

Bank = Sequence[str]
Part = Bank | str


@dataclass(frozen=True)
class Turn:
    role: SpeakerRole
    speaker: str
    text: str
    tag: str | None = None  # the criterion a rep turn expresses (ground truth, never scored)


@dataclass(frozen=True)
class Cast:
    """Everyone on the call. Optional attendees are None when absent."""

    rep: str
    champion: Contact
    buyer: Contact | None = None
    tech: Contact | None = None
    engineer: str | None = None  # a solutions engineer from the rep's side


@dataclass
class Scene:
    phraser: Phraser
    cast: Cast
    account: Account
    call_type: str
    levels: dict[str, int]
    objections: tuple[str, ...]
    result: str  # what the call leads to: advance, verbal_commit, lost, dark, continue
    first_call: bool
    compact: bool = False
    turns: list[Turn] = field(default_factory=list)
    _used: set[tuple[int, int]] = field(default_factory=set)

    @property
    def rng(self) -> random.Random:
        return self.phraser.rng

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def text(self, *parts: Part) -> str:
        """One utterance from several parts: a bank picks one template, a string is one template."""
        pieces = []
        for part in parts:
            if isinstance(part, str):
                pieces.append(self.phraser.expand(part))
            elif part:
                pieces.append(self.phraser.expand(self._fresh(part)))
        return " ".join(piece for piece in pieces if piece)

    def _fresh(self, bank: Bank) -> str:
        """A template of the bank not yet used in this call (people rarely repeat a sentence)."""
        key = id(bank)
        unused = [i for i in range(len(bank)) if (key, i) not in self._used]
        choices = unused or range(len(bank))
        index = choices[int(self.rng.random() * len(choices))]
        self._used.add((key, index))
        return bank[index]

    def last_was_question(self) -> bool:
        return bool(self.turns) and self.turns[-1].text.rstrip().endswith("?")

    def rep(self, *parts: Part, tag: str | None = None) -> None:
        self._add(SpeakerRole.REP, self.cast.rep, self.text(*parts), tag)

    def prospect(self, *parts: Part) -> None:
        self._add(SpeakerRole.PROSPECT, self.cast.champion.name, self.text(*parts), None)

    def buyer(self, *parts: Part) -> None:
        """The economic buyer speaks if on the call; otherwise the champion speaks for them."""
        who = self.cast.buyer or self.cast.champion
        self._add(SpeakerRole.PROSPECT, who.name, self.text(*parts), None)

    def tech(self, *parts: Part) -> None:
        who = self.cast.tech or self.cast.champion
        self._add(SpeakerRole.PROSPECT, who.name, self.text(*parts), None)

    def engineer(self, *parts: Part) -> None:
        if self.cast.engineer is None:
            self.rep(*parts)
            return
        self._add(SpeakerRole.OTHER, self.cast.engineer, self.text(*parts), None)

    def _add(self, role: SpeakerRole, speaker: str, text: str, tag: str | None) -> None:
        if text:
            self.turns.append(Turn(role, speaker, text, tag))

    def level(self, criterion: str) -> int:
        return self.levels[criterion]

    @contextmanager
    def using(self, **slots: str) -> Iterator[None]:
        """Extra slots for the phrases of one move (the next step, the objection's label)."""
        saved = self.phraser
        self.phraser = saved.with_slots(**slots)
        try:
            yield
        finally:
            self.phraser = saved
