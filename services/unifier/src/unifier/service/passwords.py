"""Password hashing with argon2id (argon2-cffi's ``PasswordHasher``, its recommended
parameters). A hash made with older parameters is replaced at the next successful sign-in."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 1024  # hashing a megabyte on every attempt would be a cheap denial of service
_hasher = PasswordHasher()
# verified against when the email is unknown, so a miss takes as long as a wrong password
_DECOY = _hasher.hash("decoy password that matches nothing")


def hash_password(password: str, hasher: PasswordHasher = _hasher) -> str:
    return hasher.hash(password)


def verify(stored: str | None, password: str, hasher: PasswordHasher = _hasher) -> bool:
    try:
        return hasher.verify(stored or _DECOY, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str, hasher: PasswordHasher = _hasher) -> bool:
    return hasher.check_needs_rehash(stored)


def weakness(password: str) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < MIN_LENGTH:
        return f"a password needs at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"a password has at most {MAX_LENGTH} characters"
    return None
