"""Recount a thread after messages moved in or out of it (merges, splits)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store.schema import messages, participants, threads


async def recount(conn: AsyncConnection, tenant: str, tid: str) -> None:
    """A thread's count, last message and participants from its messages."""
    m, t = messages.c, threads.c
    stats = (
        await conn.execute(
            sa.select(sa.func.count(), sa.func.max(m.at)).where(  # the customers' side
                m.tenant == tenant, m.thread_id == tid, m.direction == "inbound"
            )
        )
    ).one()
    values: dict[str, object] = {"message_count": stats[0]}
    if stats[1] is not None:
        values["last_message_at"] = stats[1]
    await conn.execute(
        threads.update().where(t.tenant == tenant, t.thread_id == tid).values(values)
    )
    rows = await conn.execute(
        sa.select(m.contact_id)
        .distinct()
        .where(m.tenant == tenant, m.thread_id == tid, m.contact_id != "")
    )
    p = participants.c
    await conn.execute(participants.delete().where(p.tenant == tenant, p.thread_id == tid))
    parts = [{"tenant": tenant, "thread_id": tid, "contact_id": r.contact_id} for r in rows]
    if parts:
        await conn.execute(sa.insert(participants), parts)
