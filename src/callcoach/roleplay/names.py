"""Names of other calls' accounts and people in a candidate reply: find them, adapt or refuse.

Rule (issue 17): personal data of other calls never leaks into a practice session; a reply that
names another account is adapted or not used.

Two detectors, both built from the organisation's own calls (no hand-written name lists):

- Known names: every call's account, its rep, the speaker labels that look like names, and the
  contacts the caller passes (CRM). A name matches in full (case-insensitive) or by one of its
  distinctive words (case-sensitive: "Priya" for "Priya Shah", "Northwind" for "Northwind
  Traders"); a word shared by the names of many conversations ("Inc", "Group") is not
  distinctive. Known names are adapted: an account becomes the scenario's account, a person on
  the replying side becomes the persona, a person on the asking side becomes the counterpart
  (the rep practising, or the manager), when the scenario names them; otherwise the reply is
  not used.
- Unknown names, from corpus statistics: a capitalised word in mid-sentence (or starting a run
  of capitalised words) that the organisation's calls write in lower case less often than
  capitalised mid-sentence, and that occurs in few conversations (a word in many conversations
  is the organisation's own vocabulary: its product, its charity, weekdays). Nothing to map it
  to, so the reply is not used. Also e-mail addresses, phone numbers and web addresses.

Months and weekdays are capitalised by orthography and never count as names.

Not caught: an unknown single name at the start of a sentence ("Riley loves it"), names written
in lower case, and names the calls never capitalise. Those rely on the known-name list.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’\-]*")
_SENTENCE_END = re.compile(r"[.!?]\s*$")
_CONTACT_DETAIL = re.compile(
    r"[\w.+-]+@[\w-]+\.[\w.]+"  # e-mail
    r"|(?:https?://|www\.)\S+"  # web address
    r"|\+?\d[\d\s().-]{7,}\d"  # phone number: 9+ digits with separators
)
# English writes the pronoun "I" (and its contractions) capitalised everywhere: orthography,
# not a name.
_PRONOUN_I = re.compile(r"^I(?:['’][a-z]+)?$")
# Months and weekdays are capitalised by orthography too (from the standard library's calendar).
_CALENDAR_WORDS = frozenset(
    w.lower() for w in (*calendar.month_name, *calendar.month_abbr, *calendar.day_name) if w
)

SPECIFIC_SHARE = 0.02  # a word capitalised in at most 2% of conversations (or 2) is specific
SPECIFIC_MIN = 2  # ...and always when it occurs in at most this many conversations
SHARED_NAME_WORD = 3  # a name word in the names of more conversations than this is not distinctive


class NameSide(StrEnum):
    ACCOUNT = "account"
    REPLIER = "replier"  # a person on the side of the role that replies (the persona)
    ASKER = "asker"  # a person on the other side (the rep practising, or the manager)


@dataclass(frozen=True)
class KnownName:
    text: str
    side: NameSide
    conversation: str


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    surface: str
    known: KnownName | None  # None: an unknown name or a contact detail
    whole_name: bool = True  # False: one distinctive word of a longer known name


@dataclass(frozen=True)
class SceneNames:
    """Who the practice scenario is about; None when the scenario has no such name."""

    account: str | None = None
    persona: str | None = None
    counterpart: str | None = None
    allowed_text: str = ""  # everything the scenario already says: names in it may be repeated


@dataclass(frozen=True)
class Adapted:
    text: str | None  # None: the reply may not be used
    replacements: tuple[tuple[str, str], ...] = ()
    refused: tuple[str, ...] = ()  # the names that made it unusable


def _tokens(text: str) -> list[tuple[int, int, str, bool]]:
    """(start, end, word, starts a sentence) for each word."""
    result = []
    for match in _TOKEN.finditer(text):
        before = text[: match.start()]
        initial = not before.strip() or bool(_SENTENCE_END.search(before))
        result.append((match.start(), match.end(), match.group(), initial))
    return result


@dataclass
class NameCatalogue:
    """What the organisation's calls say about names; built once per reply index."""

    known: list[KnownName]
    lower_counts: Counter[str]
    capital_mid_counts: Counter[str]
    capital_conversations: dict[str, set[str]]
    conversations: int
    _word_owners: dict[str, list[KnownName]] = field(default_factory=dict)
    _full_patterns: list[tuple[re.Pattern[str], KnownName]] = field(default_factory=list)

    @classmethod
    def build(cls, texts: Iterable[tuple[str, str]], known: Sequence[KnownName]) -> NameCatalogue:
        """`texts`: (conversation, text) for every turn of every call."""
        lower: Counter[str] = Counter()
        capital_mid: Counter[str] = Counter()
        where: dict[str, set[str]] = defaultdict(set)
        conversations: set[str] = set()
        for conversation, text in texts:
            conversations.add(conversation)
            for _, _, word, initial in _tokens(text):
                key = word.lower()
                if word[0].isupper():
                    where[key].add(conversation)
                    if not initial:
                        capital_mid[key] += 1
                else:
                    lower[key] += 1
        catalogue = cls(
            known=list(known),
            lower_counts=lower,
            capital_mid_counts=capital_mid,
            capital_conversations=dict(where),
            conversations=len(conversations),
        )
        catalogue._index_known()
        return catalogue

    def _index_known(self) -> None:
        owners_of_word: dict[str, set[str]] = defaultdict(set)
        for name in self.known:
            for _, _, word, _ in _tokens(name.text):
                owners_of_word[word].add(name.conversation)
        words: dict[str, list[KnownName]] = defaultdict(list)
        for name in self.known:
            parts = _tokens(name.text)
            # A one-word name matches as written ("Summit" the account, not "summit" the word).
            flags = re.IGNORECASE if len(parts) > 1 else 0
            self._full_patterns.append(
                (re.compile(rf"(?<!\w){re.escape(name.text)}(?!\w)", flags), name)
            )
            if len(parts) < 2:
                continue
            for _, _, word, _ in parts:
                if (
                    word[0].isupper()
                    and len(word) > 1
                    and len(owners_of_word[word]) <= SHARED_NAME_WORD
                    and self.lower_counts[word.lower()] <= self.capital_mid_counts[word.lower()]
                ):
                    words[word].append(name)
        self._word_owners = dict(words)
        self._full_patterns.sort(key=lambda item: -len(item[1].text))

    def _specific(self, word: str) -> bool:
        key = word.lower()
        spread = len(self.capital_conversations.get(key, ()))
        limit = max(SPECIFIC_MIN, int(SPECIFIC_SHARE * self.conversations))
        return spread <= limit and self.lower_counts[key] < max(1, self.capital_mid_counts[key])

    def mentions(self, text: str) -> list[Mention]:
        found: list[Mention] = []
        taken: list[tuple[int, int]] = []

        def free(start: int, end: int) -> bool:
            return all(end <= s or start >= e for s, e in taken)

        for pattern, name in self._full_patterns:  # longest names first
            for match in pattern.finditer(text):
                if free(match.start(), match.end()):
                    found.append(Mention(match.start(), match.end(), match.group(), name))
                    taken.append((match.start(), match.end()))
        tokens = _tokens(text)
        for i, (start, end, word, initial) in enumerate(tokens):
            if (
                not free(start, end)
                or not word[0].isupper()
                or _PRONOUN_I.match(word)
                or word.lower() in _CALENDAR_WORDS
            ):
                continue
            owners = self._word_owners.get(word)
            if owners:
                found.append(Mention(start, end, word, owners[0], whole_name=False))
                taken.append((start, end))
                continue
            next_capital = i + 1 < len(tokens) and tokens[i + 1][2][0].isupper()
            if (not initial or next_capital) and self._specific(word):
                found.append(Mention(start, end, word, None))
                taken.append((start, end))
        for match in _CONTACT_DETAIL.finditer(text):
            if free(match.start(), match.end()):
                found.append(Mention(match.start(), match.end(), match.group(), None))
        return sorted(found, key=lambda m: m.start)


def _replacement(mention: Mention, scene: SceneNames) -> str | None:
    assert mention.known is not None
    target = {
        NameSide.ACCOUNT: scene.account,
        NameSide.REPLIER: scene.persona,
        NameSide.ASKER: scene.counterpart,
    }[mention.known.side]
    if not target:
        return None
    if mention.whole_name or mention.known.side is NameSide.ACCOUNT:
        return target
    # One word of a person's name ("Priya" of "Priya Shah"): the scenario person's first name.
    return target.split()[0]


def adapt_names(
    text: str, catalogue: NameCatalogue, scene: SceneNames, scene_conversation: str | None
) -> Adapted:
    """The reply with other calls' names replaced by the scenario's, or None when it can't be.

    A name the scenario already uses (in its own lines) or that belongs to the scenario's own
    call stays as it is.
    """
    allowed = scene.allowed_text.lower()
    pieces: list[str] = []
    replacements: list[tuple[str, str]] = []
    refused: list[str] = []
    cursor = 0
    for mention in catalogue.mentions(text):
        own = mention.known is not None and mention.known.conversation == scene_conversation
        if own or re.search(rf"(?<!\w){re.escape(mention.surface.lower())}(?!\w)", allowed):
            continue
        target = _replacement(mention, scene) if mention.known is not None else None
        if target is None:
            refused.append(mention.surface)
            continue
        pieces.append(text[cursor : mention.start])
        pieces.append(target)
        replacements.append((mention.surface, target))
        cursor = mention.end
    if refused:
        return Adapted(None, tuple(replacements), tuple(refused))
    pieces.append(text[cursor:])
    return Adapted("".join(pieces), tuple(replacements))
