"""Password hashing with argon2 through pwdlib; a hash made with older parameters is upgraded on login."""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash

MIN_LENGTH = 10
WEAK = "密码至少10位，且不能全是数字或全是字母。"


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify(password: str, stored: str) -> tuple[bool, str | None]:
    """(matches, a new hash to store when the stored one uses outdated parameters)."""
    return _hasher().verify_and_update(password, stored)


def dummy_verify() -> None:
    """Spend the time a real check takes, so an unknown user name answers as slowly as a wrong password."""
    _hasher().verify("x" * MIN_LENGTH, _dummy_hash())


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("not-a-password")


def weakness(password: str) -> str | None:
    """A Chinese message when the password is too weak, else None."""
    if len(password) < MIN_LENGTH or password.isdigit() or password.isalpha():
        return WEAK
    return None
