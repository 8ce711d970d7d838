"""The stored event of one message, for the content routes (HTML body, attachments)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store.schema import messages


async def message_payload(
    conn: AsyncConnection, tenant: str, message_id: str, thread_id: str | None = None
) -> bytes | None:
    """The event a message of ``tenant`` was written from; None when it is not the tenant's.

    ``message_id`` has no index of its own: the thread view's links carry the thread id, which
    narrows the lookup to the thread's index entries."""
    m = messages.c
    q = sa.select(m.payload).where(m.tenant == tenant, m.message_id == message_id)
    if thread_id is not None:
        q = q.where(m.thread_id == thread_id)
    found = (await conn.execute(q.limit(1))).scalar()
    return None if found is None else bytes(found)


async def thread_payloads(
    conn: AsyncConnection, tenant: str, thread_id: str, message_ids: list[str]
) -> dict[str, bytes]:
    """The events of some messages of one thread (those with attachments to look at)."""
    if not message_ids:
        return {}
    m = messages.c
    rows = await conn.execute(
        sa.select(m.message_id, m.payload).where(
            m.tenant == tenant, m.thread_id == thread_id, m.message_id.in_(message_ids)
        )
    )
    return {r.message_id: bytes(r.payload) for r in rows}


async def thread_of_message(conn: AsyncConnection, tenant: str, message_id: str) -> str | None:
    m = messages.c
    q = sa.select(m.thread_id).where(m.tenant == tenant, m.message_id == message_id).limit(1)
    found: str | None = (await conn.execute(q)).scalar()
    return found
