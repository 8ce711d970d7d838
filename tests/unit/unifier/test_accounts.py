"""The pure parts of accounts: argon2 verify and rehash, lockout arithmetic, session expiry, the
CSRF comparison, where a sign-in may send the browser, and the per-process rate limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from unifier.domain.accounts import (
    HOME,
    AccountPolicy,
    after_failure,
    digest,
    is_locked,
    local_next,
    needs_touch,
    new_secret,
    same_secret,
    session_alive,
)
from unifier.domain.login_limits import SlidingWindow
from unifier.service import passwords

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
POLICY = AccountPolicy(max_failures=3, lock_for=timedelta(minutes=15))
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def test_argon2_verifies_the_password_and_nothing_else() -> None:
    stored = passwords.hash_password("correct horse battery")
    assert stored.startswith("$argon2id$") and "horse" not in stored
    assert passwords.verify(stored, "correct horse battery")
    assert not passwords.verify(stored, "correct horse batterY")
    assert not passwords.verify("not a hash", "correct horse battery")
    assert not passwords.verify(None, "decoy password that matches nothing")  # unknown email
    assert not passwords.needs_rehash(stored)


def test_a_hash_with_old_parameters_needs_a_rehash() -> None:
    old = passwords.hash_password("correct horse battery", CHEAP)
    assert passwords.verify(old, "correct horse battery")  # still signs in ...
    assert passwords.needs_rehash(old)  # ... and is then upgraded to today's parameters


@pytest.mark.parametrize(
    ("password", "problem"),
    [("short", "at least 12"), ("x" * 1025, "at most 1024"), ("twelve chars", None)],
)
def test_weak_passwords(password: str, problem: str | None) -> None:
    found = passwords.weakness(password)
    assert (found is None) if problem is None else (problem in (found or ""))


def test_lockout_arithmetic() -> None:
    assert after_failure(0, NOW, POLICY) == (1, None)
    assert after_failure(1, NOW, POLICY) == (2, None)
    failed, until = after_failure(2, NOW, POLICY)  # the third in a row locks
    assert (failed, until) == (0, NOW + timedelta(minutes=15))
    assert is_locked(until, NOW + timedelta(minutes=14, seconds=59))
    assert not is_locked(until, NOW + timedelta(minutes=15))
    assert not is_locked(None, NOW)


def test_a_session_ends_when_idle_or_at_its_absolute_end() -> None:
    policy = AccountPolicy(idle=timedelta(hours=1), absolute=timedelta(hours=10))
    end = NOW + policy.absolute
    assert session_alive(NOW, end, NOW + timedelta(minutes=59), policy)
    assert not session_alive(NOW, end, NOW + timedelta(hours=1), policy)
    late = NOW + timedelta(hours=9, minutes=59)
    assert session_alive(late - timedelta(minutes=5), end, late, policy)
    assert not session_alive(end - timedelta(minutes=1), end, end, policy)


def test_last_seen_is_written_at_most_once_a_minute() -> None:
    assert not needs_touch(NOW, NOW + timedelta(seconds=59))
    assert needs_touch(NOW, NOW + timedelta(seconds=60))


def test_csrf_comparison() -> None:
    token = new_secret()
    assert same_secret(token, token)
    assert not same_secret(token[:-1] + ("a" if token[-1] != "a" else "b"), token)
    assert not same_secret("", "")  # a missing token never matches a missing session value
    assert not same_secret(None, token) and not same_secret(token, None)
    assert len(token) >= 43 and new_secret() != token
    assert digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


@pytest.mark.parametrize(
    ("target", "goes"),
    [
        ("/inbox/conversations/c1?x=1#m2", "/inbox/conversations/c1?x=1#m2"),
        ("/admin", "/admin"),
        (None, HOME),
        ("", HOME),
        ("https://evil.example/", HOME),
        ("//evil.example/inbox", HOME),
        ("/\\evil.example", HOME),
        ("\\\\evil.example", HOME),
        ("javascript:alert(1)", HOME),
        ("inbox", HOME),
        ("/inbox\r\nSet-Cookie: x=1", HOME),
        ("/\tevil", HOME),
        ("/login?next=//evil.example", HOME),
    ],
)
def test_next_is_a_local_path_only(target: str | None, goes: str) -> None:
    assert local_next(target) == goes


def test_the_rate_limit_slides() -> None:
    window = SlidingWindow(limit=2, window=60)
    assert window.allow("1.2.3.4", 0) and window.allow("1.2.3.4", 10)
    assert not window.allow("1.2.3.4", 59)
    assert window.allow("5.6.7.8", 59)  # per key
    assert window.allow("1.2.3.4", 60.5)  # the first attempt left the window
