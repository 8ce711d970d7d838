"""Pure rules of accounts: secrets and their digests, lockout arithmetic, session expiry, the
constant-time CSRF comparison and where a sign-in may send the browser next."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

HOME = "/inbox"
TOUCH_EVERY = timedelta(minutes=1)  # a session's last_seen_at is written at most this often


@dataclass(frozen=True)
class AccountPolicy:
    """The settings that govern sign-in (built from ``UnifierSettings`` by the entry points)."""

    max_failures: int = 5  # wrong passwords in a row before the account locks
    lock_for: timedelta = timedelta(minutes=15)
    idle: timedelta = timedelta(hours=8)  # a session unused this long ends
    absolute: timedelta = timedelta(hours=72)  # and every session ends this long after sign-in


def new_secret() -> str:
    """256 random bits, URL-safe: a session cookie, a CSRF token or an API token."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """What is stored of a secret: its SHA-256 (hex). A lookup by hash, nothing to brute-force."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same_secret(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison; an empty or missing value never matches."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def normalize_email(email: str) -> str:
    return email.strip().lower()


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and locked_until > now


def after_failure(failed: int, now: datetime, policy: AccountPolicy) -> tuple[int, datetime | None]:
    """A wrong password: the new failure count and, at the limit, the end of the lock (the
    count restarts so the next lock needs ``max_failures`` more)."""
    failed += 1
    if failed >= policy.max_failures:
        return 0, now + policy.lock_for
    return failed, None


def session_expires(created_at: datetime, policy: AccountPolicy) -> datetime:
    return created_at + policy.absolute


def session_alive(
    last_seen_at: datetime, expires_at: datetime, now: datetime, policy: AccountPolicy
) -> bool:
    return now < expires_at and now < last_seen_at + policy.idle


def needs_touch(last_seen_at: datetime, now: datetime) -> bool:
    return now - last_seen_at >= TOUCH_EVERY


def local_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (never another origin, never a
    protocol-relative ``//host``, never a backslash trick); anything else goes home."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return HOME
    if any(c in target for c in "\\\r\n\t") or any(ord(c) < 32 for c in target):
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("/login"):
        return HOME
    return target
