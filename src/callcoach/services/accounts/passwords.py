"""Passwords: strength checked by zxcvbn, stored as argon2id hashes.

zxcvbn (Dropbox's estimator, maintained as the `zxcvbn` package on PyPI) estimates how many
guesses an attacker needs from its frequency lists (common passwords, names, English words),
keyboard patterns, dates, sequences, repeats and l33t substitutions, plus the account's own
words (username, email, rep name), so "Password123!" and "mia.jones2024" for the user mia.jones
are refused where a length rule alone would accept them.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from callcoach.services.common import ServiceError

MIN_PASSWORD_LENGTH = 10
# zxcvbn's score 3 is "safely unguessable: moderate protection from an offline slow-hash
# attack" (at least 10^8 guesses); with argon2id that is years of one GPU's time.
MIN_PASSWORD_SCORE = 3
# zxcvbn refuses longer inputs (its matching is quadratic); past this prefix a password only
# gets stronger, so the prefix is what is estimated.
_ESTIMATED_PREFIX = 72
_hasher = PasswordHasher()  # argon2id, argon2-cffi's RFC 9106 "low memory" parameters
# zxcvbn keeps the user inputs in a module-level dictionary while it estimates: two requests
# estimating at once would see each other's words without this lock.
_zxcvbn_lock = threading.Lock()
_WORD = re.compile(r"[^\W_]+")


class WeakPasswordError(ServiceError):
    """The password is too short or too guessable; the message says why and what helps."""


def _user_words(user_inputs: Iterable[str | None]) -> list[str]:
    """The account's words as zxcvbn dictionary entries: each whole value, an email's local part,
    each word, and the words joined as people join them ("Ana Alvarez": ana, alvarez,
    anaalvarez, ana.alvarez, alvarez_ana, ...)."""
    words: set[str] = set()
    for value in user_inputs:
        if not value:
            continue
        value = value.lower()
        parts = [part for part in _WORD.findall(value) if len(part) > 1]
        words.update([value, value.split("@")[0], *parts])
        for ordered in (parts, parts[::-1]):
            words.update(joiner.join(ordered) for joiner in ("", ".", "_", "-", " "))
    return sorted(w for w in words if w)


def check_password(password: str, user_inputs: Iterable[str | None] = ()) -> None:
    """Refuse a short, common or guessable password, saying what zxcvbn found."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPasswordError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if password.strip() != password:
        raise WeakPasswordError("the password must not start or end with spaces")
    with _zxcvbn_lock:
        result = zxcvbn(password[:_ESTIMATED_PREFIX], user_inputs=_user_words(user_inputs))
    if int(result["score"]) >= MIN_PASSWORD_SCORE:
        return
    feedback = result.get("feedback") or {}
    reasons: list[str] = []
    if any(m.get("dictionary_name") == "user_inputs" for m in result.get("sequence", [])):
        reasons.append("It is built from your username, name or email.")
    if feedback.get("warning"):
        reasons.append(str(feedback["warning"]))
    reasons.extend(str(s) for s in feedback.get("suggestions") or [])
    if not reasons:
        reasons.append("Add another word or two. Uncommon words are better.")
    raise WeakPasswordError("the password is too easy to guess. " + " ".join(reasons))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


# Verified against when the username is unknown, so that a wrong username costs as much time as
# a wrong password and timing does not reveal which usernames exist.
DUMMY_HASH = _hasher.hash("callcoach-no-such-user")
