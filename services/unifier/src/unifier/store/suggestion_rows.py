"""The rows an agent's decision on a suggestion reads and writes: the contact and the
suggestion, the decision, and the ``agent_confirmed`` identity an accept records."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store.dialect import insert_ignore
from unifier.store.schema import contacts, identities, suggestions

_s, _c, _i = suggestions.c, contacts.c, identities.c


async def contact_exists(conn: AsyncConnection, tenant: str, contact_id: str) -> bool:
    q = sa.select(_c.contact_id).where(_c.tenant == tenant, _c.contact_id == contact_id)
    return (await conn.execute(q)).first() is not None


async def suggestion(conn: AsyncConnection, tenant: str, sid: str) -> Any:
    """The suggestion's row (every column, by attribute), or None."""
    q = sa.select(suggestions).where(_s.tenant == tenant, _s.suggestion_id == sid)
    return (await conn.execute(q)).first()


async def decide(
    conn: AsyncConnection, tenant: str, sid: str, status: str, by: str, at: datetime
) -> None:
    await conn.execute(
        suggestions.update()
        .where(_s.tenant == tenant, _s.suggestion_id == sid)
        .values(status=status, decided_by=by, decided_at=at)
    )


async def reply_address(
    conn: AsyncConnection, tenant: str, kind: str, value: str, contact_id: str
) -> tuple[str, str, str] | None:
    """(channel kind, account id, handle) of a known identity with this value: another
    contact's first (the one the suggestion matched), then by level."""
    q = (
        sa.select(_i.channel_kind, _i.account_id, _i.handle)
        .where(_i.tenant == tenant, _i.kind == kind, _i.value == value)
        .order_by(_i.contact_id != contact_id, _i.level)
        .limit(1)
    )
    row = (await conn.execute(q)).first()
    return None if row is None else (row.channel_kind, row.account_id, row.handle)


async def add_identity(conn: AsyncConnection, row: Mapping[str, Any]) -> None:
    """One identity row (kept as it is when that identity is already stored)."""
    await insert_ignore(conn, identities, [dict(row)])
