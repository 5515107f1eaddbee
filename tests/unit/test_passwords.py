"""Password strength: zxcvbn refuses common and guessable passwords, with its feedback."""

from __future__ import annotations

import pytest

from callcoach.services.accounts.passwords import (
    WeakPasswordError,
    check_password,
    hash_password,
    verify_password,
)


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("Password123!", "similar to a commonly used password"),
        ("qwertyuiop12", "similar to a commonly used password"),
        ("1234567890", "too easy to guess"),
        ("short", "at least 10 characters"),
        (" padded password here ", "spaces"),
    ],
)
def test_common_and_short_passwords_are_refused_with_the_reason(password: str, why: str) -> None:
    with pytest.raises(WeakPasswordError, match=why):
        check_password(password)


def test_a_password_built_from_the_account_is_refused() -> None:
    # Strong enough for zxcvbn on its own ...
    check_password("mia.jones2024")
    # ... but not for the account whose name and email it is built from.
    with pytest.raises(WeakPasswordError, match="username, name or email") as refused:
        check_password("mia.jones2024", ("mjones", "mia.jones@northwind.example", None))
    assert "Add another word or two" in str(refused.value)
    with pytest.raises(WeakPasswordError, match="username, name or email"):
        check_password("AnaAlvarez2026", ("ana", None, "Ana Alvarez"))


def test_uncommon_passphrases_pass_and_are_kept_as_argon2id() -> None:
    for password in ("kestrel ledger quinoa", "correct horse battery", "Tr0ub4dor&3-vellum"):
        check_password(password, ("mia", "mia@example.com"))
    stored = hash_password("kestrel ledger quinoa")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "kestrel ledger quinoa")
    assert not verify_password(stored, "kestrel ledger quinoA")
    # A long passphrase past zxcvbn's input limit is estimated on its first 72 characters.
    check_password("kestrel ledger quinoa " * 5 + "end")
