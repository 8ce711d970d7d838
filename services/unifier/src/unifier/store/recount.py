"""A thread after messages moved in or out of it (merges, splits): its counts, and a merged
thread folded into the one it joined."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store.call_marks import carry_callbacks
from unifier.store.schema import messages, participants, thread_keys, threads


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


async def fold_into(conn: AsyncConnection, tenant: str, src: str, dst: str, at: datetime) -> None:
    """A thread whose messages moved to ``dst``: its keys lead there, ``dst`` keeps its
    callback marks too (the latest of both), and it is closed pointing at it (never deleted:
    the merge is undone by following the pointer back)."""
    k, t = thread_keys.c, threads.c
    await carry_callbacks(conn, tenant, src, dst)
    await conn.execute(
        thread_keys.update().where(k.tenant == tenant, k.thread_id == src).values(thread_id=dst)
    )
    await conn.execute(
        threads.update()
        .where(t.tenant == tenant, t.thread_id == src)
        .values(merged_into=dst, open=False, closed_at=at)
    )
