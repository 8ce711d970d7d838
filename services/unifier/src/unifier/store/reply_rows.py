"""What a reply result writes besides the message: the reply's status, and thread keys."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store.dialect import upsert
from unifier.store.schema import replies, thread_keys


async def set_statuses(conn: AsyncConnection, tenant: str, statuses: Mapping[str, str]) -> None:
    """``statuses``: reply id -> status."""
    for reply_id, status in statuses.items():
        await conn.execute(
            replies.update()
            .where(replies.c.tenant == tenant, replies.c.reply_id == reply_id)
            .values(status=status)
        )


async def status_of(conn: AsyncConnection, tenant: str, reply_id: str) -> str | None:
    row = await conn.execute(
        sa.select(replies.c.status).where(
            replies.c.tenant == tenant, replies.c.reply_id == reply_id
        )
    )
    return row.scalar_one_or_none()


async def point_keys(conn: AsyncConnection, tenant: str, keys: Mapping[str, str]) -> None:
    """``keys``: thread key -> thread id (a key already known moves to that thread)."""
    rows = [{"tenant": tenant, "key": k, "thread_id": t} for k, t in keys.items()]
    await upsert(conn, thread_keys, rows, ["thread_id"])
