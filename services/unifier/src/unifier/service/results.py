"""Reply results from the channels: reply status, and our sent Message-ID threads the answer."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import events as ev
from unifier.service.outbound import record_results
from unifier.store.dialect import upsert
from unifier.store.schema import replies, thread_keys


async def apply_results(conn: AsyncConnection, tenant: str, results: list[ev.ReplyResult]) -> None:
    for r in results:
        await conn.execute(
            replies.update()
            .where(replies.c.tenant == tenant, replies.c.reply_id == r.reply_id)
            .values(status=r.status)
        )
    keys = [
        {"tenant": tenant, "key": f"mid:{r.provider_message_id}", "thread_id": r.conversation_id}
        for r in results
        if r.status == "sent" and r.provider_message_id and r.channel.kind == "email"
    ]
    await upsert(conn, thread_keys, keys, ["thread_id"])
    await record_results(conn, tenant, results)


async def reply_status(conn: AsyncConnection, tenant: str, reply_id: str) -> str | None:
    row = await conn.execute(
        sa.select(replies.c.status).where(
            replies.c.tenant == tenant, replies.c.reply_id == reply_id
        )
    )
    return row.scalar_one_or_none()
