"""Server-side sessions of signed-in agents and the API tokens of integrations.

The browser holds a random token; the database holds its SHA-256 only, so a leaked table
signs no one in. The same goes for API tokens, which are shown once when created.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.domain.accounts import (
    AccountPolicy,
    digest,
    needs_touch,
    new_secret,
    session_alive,
    session_expires,
)
from unifier.service.commands import CommandError
from unifier.store import account_rows
from unifier.store.account_rows import AgentRow, SessionRow, TokenRow


@dataclass(frozen=True)
class NewSession:
    token: str  # for the cookie; never stored
    csrf_token: str


@dataclass(frozen=True)
class SessionLookup:
    status: Literal["valid", "expired", "unknown"]
    row: SessionRow | None = None


async def start(
    conn: AsyncConnection, agent: AgentRow, client: str, now: datetime, policy: AccountPolicy
) -> NewSession:
    token, csrf = new_secret(), new_secret()
    await account_rows.insert_session(
        conn,
        digest(token),
        tenant=agent.tenant,
        agent_id=agent.agent_id,
        csrf_token=csrf,
        created_at=now,
        last_seen_at=now,
        expires_at=session_expires(now, policy),
        client=client[:300],
    )
    return NewSession(token, csrf)


async def lookup(
    conn: AsyncConnection, token: str, now: datetime, policy: AccountPolicy
) -> SessionLookup:
    """The session of a cookie: valid (last_seen_at refreshed at most once a minute), expired
    (and deleted), or unknown (signed out, or never was)."""
    key = digest(token)
    row = await account_rows.session(conn, key)
    if row is None or row.disabled:
        return SessionLookup("unknown")
    if not session_alive(row.last_seen_at, row.expires_at, now, policy):
        await account_rows.delete_session(conn, key)
        return SessionLookup("expired")
    if needs_touch(row.last_seen_at, now):
        await account_rows.touch_session(conn, key, now)
        await account_rows.update_agent(conn, row.tenant, row.agent_id, last_seen_at=now)
    return SessionLookup("valid", row)


async def end(conn: AsyncConnection, token: str) -> None:
    await account_rows.delete_session(conn, digest(token))


async def end_everywhere(conn: AsyncConnection, tenant: str, agent_id: str) -> int:
    return await account_rows.delete_sessions_of(conn, tenant, agent_id)


async def create_token(
    conn: AsyncConnection, tenant: str, name: str, by: str
) -> tuple[TokenRow, str]:
    """A new API token of ``tenant``: its row and the secret, which is never shown again."""
    if not name.strip() or len(name) > 200:
        raise CommandError(422, "invalid_name", "a token name of 1 to 200 characters is required")
    secret = "hlt_" + new_secret()
    row = TokenRow(
        token_id="t_" + uuid.uuid4().hex[:16],
        tenant=tenant,
        name=name.strip(),
        created_by=by,
        created_at=datetime.now(UTC),
        revoked_at=None,
        last_used_at=None,
    )
    await account_rows.insert_token(conn, digest(secret), row)
    return row, secret


async def revoke_token(conn: AsyncConnection, tenant: str, token_id: str) -> None:
    changed = await account_rows.update_token(conn, tenant, token_id, revoked_at=datetime.now(UTC))
    if not changed:
        raise CommandError(404, "not_found", f"token {token_id}")


async def token_owner(conn: AsyncConnection, secret: str, now: datetime) -> TokenRow | None:
    """The live token with this secret (its last_used_at refreshed at most once a minute)."""
    row = await account_rows.token_by_hash(conn, digest(secret))
    if row is None or row.revoked_at is not None:
        return None
    if row.last_used_at is None or needs_touch(row.last_used_at, now):
        await account_rows.update_token(conn, row.tenant, row.token_id, last_used_at=now)
    return row
