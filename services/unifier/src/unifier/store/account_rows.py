"""The rows of accounts: agents, their sessions and the tenant's API tokens (SQL only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store.dialect import when
from unifier.store.schema_accounts import agents, api_tokens, sessions

_a, _s, _t = agents.c, sessions.c, api_tokens.c


@dataclass(frozen=True)
class AgentRow:
    tenant: str
    agent_id: str
    email: str
    name: str
    role: str
    password_hash: str
    failed_logins: int
    locked_until: datetime | None
    disabled_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class SessionRow:
    tenant: str
    agent_id: str
    name: str
    role: str
    csrf_token: str
    last_seen_at: datetime
    expires_at: datetime
    disabled: bool


@dataclass(frozen=True)
class TokenRow:
    token_id: str
    tenant: str
    name: str
    created_by: str | None
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


def _maybe(value: Any) -> datetime | None:
    return None if value is None else when(value)


def _agent(row: Any) -> AgentRow:
    m = row._mapping
    return AgentRow(
        **{k: m[k] for k in ("tenant", "agent_id", "email", "name", "role", "password_hash")},
        failed_logins=m["failed_logins"],
        locked_until=_maybe(m["locked_until"]),
        disabled_at=_maybe(m["disabled_at"]),
        created_at=when(m["created_at"]),
    )


def _token(row: Any) -> TokenRow:
    m = row._mapping
    return TokenRow(
        **{k: m[k] for k in ("token_id", "tenant", "name", "created_by")},
        created_at=when(m["created_at"]),
        revoked_at=_maybe(m["revoked_at"]),
        last_used_at=_maybe(m["last_used_at"]),
    )


async def insert_agent(conn: AsyncConnection, row: AgentRow) -> None:
    await conn.execute(agents.insert().values(**vars(row)))


async def email_taken(conn: AsyncConnection, email: str) -> bool:
    found = await conn.execute(sa.select(_a.agent_id).where(_a.email == email))
    return found.first() is not None


async def agent_by_email(conn: AsyncConnection, email: str) -> AgentRow | None:
    row = (await conn.execute(sa.select(agents).where(_a.email == email))).first()
    return _agent(row) if row else None


async def agent(conn: AsyncConnection, tenant: str, agent_id: str) -> AgentRow | None:
    q = sa.select(agents).where(_a.tenant == tenant, _a.agent_id == agent_id)
    row = (await conn.execute(q)).first()
    return _agent(row) if row else None


async def list_agents(conn: AsyncConnection, tenant: str) -> list[AgentRow]:
    q = sa.select(agents).where(_a.tenant == tenant).order_by(_a.email)
    return [_agent(r) for r in await conn.execute(q)]


async def update_agent(conn: AsyncConnection, tenant: str, agent_id: str, **values: Any) -> None:
    """Set columns of one agent (password_hash, failed_logins, locked_until, disabled_at)."""
    q = agents.update().where(_a.tenant == tenant, _a.agent_id == agent_id).values(**values)
    await conn.execute(q)


async def insert_session(conn: AsyncConnection, session_hash: str, **values: Any) -> None:
    await conn.execute(sessions.insert().values(session_hash=session_hash, **values))


async def session(conn: AsyncConnection, session_hash: str) -> SessionRow | None:
    q = (
        sa.select(_s.tenant, _s.agent_id, _a.name, _a.role, _s.csrf_token)
        .add_columns(_s.last_seen_at, _s.expires_at, _a.disabled_at)
        .join(agents, sa.and_(_a.tenant == _s.tenant, _a.agent_id == _s.agent_id))
        .where(_s.session_hash == session_hash)
    )
    row = (await conn.execute(q)).first()
    if row is None:
        return None
    m = row._mapping
    return SessionRow(
        **{k: m[k] for k in ("tenant", "agent_id", "name", "role", "csrf_token")},
        last_seen_at=when(m["last_seen_at"]),
        expires_at=when(m["expires_at"]),
        disabled=m["disabled_at"] is not None,
    )


async def touch_session(conn: AsyncConnection, session_hash: str, now: datetime) -> None:
    q = sessions.update().where(_s.session_hash == session_hash).values(last_seen_at=now)
    await conn.execute(q)


async def delete_session(conn: AsyncConnection, session_hash: str) -> None:
    await conn.execute(sessions.delete().where(_s.session_hash == session_hash))


async def delete_sessions_of(conn: AsyncConnection, tenant: str, agent_id: str) -> int:
    q = sessions.delete().where(_s.tenant == tenant, _s.agent_id == agent_id)
    return (await conn.execute(q)).rowcount


async def insert_token(conn: AsyncConnection, token_hash: str, row: TokenRow) -> None:
    await conn.execute(api_tokens.insert().values(token_hash=token_hash, **vars(row)))


async def token_by_hash(conn: AsyncConnection, token_hash: str) -> TokenRow | None:
    q = sa.select(api_tokens).where(_t.token_hash == token_hash)
    row = (await conn.execute(q)).first()
    return _token(row) if row else None


async def list_tokens(conn: AsyncConnection, tenant: str) -> list[TokenRow]:
    q = sa.select(api_tokens).where(_t.tenant == tenant).order_by(_t.created_at)
    return [_token(r) for r in await conn.execute(q)]


async def update_token(conn: AsyncConnection, tenant: str, token_id: str, **values: Any) -> int:
    """Set revoked_at or last_used_at of one token; the number of rows changed."""
    q = api_tokens.update().where(_t.tenant == tenant, _t.token_id == token_id).values(**values)
    return (await conn.execute(q)).rowcount
