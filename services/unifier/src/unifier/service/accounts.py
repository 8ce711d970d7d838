"""Agent and admin accounts: create, change password, disable, and sign in with lockout."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.domain.accounts import AccountPolicy, after_failure, is_locked, normalize_email
from unifier.service import passwords
from unifier.service.commands import CommandError, known
from unifier.store import account_rows
from unifier.store.account_rows import AgentRow

ROLES = ("admin", "agent")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class SignInRefused(Exception):
    """Wrong email or password (one message for both), or the account is locked."""

    reason: str  # "invalid" | "locked"
    locked_until: datetime | None = None


def _check_new(email: str, name: str, role: str, password: str) -> None:
    if not _EMAIL.match(email) or len(email) > 320:
        raise CommandError(422, "invalid_email", f"not an email address: {email!r}")
    if not name.strip() or len(name) > 200:
        raise CommandError(422, "invalid_name", "a name of 1 to 200 characters is required")
    if role not in ROLES:
        raise CommandError(422, "invalid_role", f"role must be one of {', '.join(ROLES)}")
    if problem := passwords.weakness(password):
        raise CommandError(422, "weak_password", problem)


async def create_agent(
    conn: AsyncConnection, tenant: str, email: str, name: str, role: str, password: str
) -> AgentRow:
    email = normalize_email(email)
    _check_new(email, name, role, password)
    if await account_rows.email_taken(conn, email):
        raise CommandError(409, "email_taken", f"an account with {email} exists")
    row = AgentRow(
        tenant=tenant,
        agent_id="a_" + uuid.uuid4().hex[:16],
        email=email,
        name=name.strip(),
        role=role,
        password_hash=passwords.hash_password(password),
        failed_logins=0,
        locked_until=None,
        disabled_at=None,
        created_at=datetime.now(UTC),
    )
    await account_rows.insert_agent(conn, row)
    return row


async def _existing(conn: AsyncConnection, tenant: str, agent_id: str) -> AgentRow:
    return known(await account_rows.agent(conn, tenant, agent_id), f"agent {agent_id}")


async def change_password(
    conn: AsyncConnection, tenant: str, agent_id: str, current: str, new: str
) -> None:
    """The current password proves it is the agent; other sessions stay (sign out everywhere
    ends them)."""
    found = await _existing(conn, tenant, agent_id)
    if not passwords.verify(found.password_hash, current):
        raise CommandError(403, "wrong_password", "the current password is wrong")
    if problem := passwords.weakness(new):
        raise CommandError(422, "weak_password", problem)
    await account_rows.update_agent(
        conn, tenant, agent_id, password_hash=passwords.hash_password(new)
    )


async def disable_agent(conn: AsyncConnection, tenant: str, agent_id: str) -> int:
    """The agent can no longer sign in; every session of theirs ends. Sessions ended."""
    await _existing(conn, tenant, agent_id)
    now = datetime.now(UTC)
    await account_rows.update_agent(conn, tenant, agent_id, disabled_at=now)
    return await account_rows.delete_sessions_of(conn, tenant, agent_id)


async def sign_in(
    conn: AsyncConnection, email: str, password: str, now: datetime, policy: AccountPolicy
) -> AgentRow:
    """The agent whose password this is, or ``SignInRefused``. Wrong passwords count toward
    the lock; a success resets the count and upgrades an outdated hash."""
    found = await account_rows.agent_by_email(conn, normalize_email(email))
    if found is not None and is_locked(found.locked_until, now):
        raise SignInRefused("locked", found.locked_until)
    ok = passwords.verify(found.password_hash if found else None, password)
    if found is None or found.disabled_at is not None:
        raise SignInRefused("invalid")
    if not ok:
        failed, until = after_failure(found.failed_logins, now, policy)
        await account_rows.update_agent(
            conn, found.tenant, found.agent_id, failed_logins=failed, locked_until=until
        )
        raise SignInRefused("locked" if until else "invalid", until)
    changes: dict[str, object] = {"failed_logins": 0, "locked_until": None, "last_seen_at": now}
    if passwords.needs_rehash(found.password_hash):
        changes["password_hash"] = passwords.hash_password(password)
    await account_rows.update_agent(conn, found.tenant, found.agent_id, **changes)
    return found
