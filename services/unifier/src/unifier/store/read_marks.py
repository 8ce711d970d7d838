"""What each agent has read: viewing a thread marks its messages seen (unread = the thread's
message_count - seen_count)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store.dialect import upsert
from unifier.store.schema_workspace import reads


async def mark_read(
    conn: AsyncConnection, tenant: str, thread_id: str, agent_id: str, count: int, now: datetime
) -> None:
    """``count``: the thread's message count as the agent was shown it."""
    row = {
        "tenant": tenant,
        "thread_id": thread_id,
        "agent_id": agent_id,
        "seen_count": count,
        "read_at": now,
    }
    await upsert(conn, reads, [row], update=("seen_count", "read_at"))


async def seen_count(conn: AsyncConnection, tenant: str, thread_id: str, agent_id: str) -> int:
    r = reads.c
    q = sa.select(r.seen_count).where(
        r.tenant == tenant, r.thread_id == thread_id, r.agent_id == agent_id
    )
    return (await conn.execute(q)).scalar() or 0
