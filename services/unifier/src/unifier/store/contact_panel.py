"""Reads the contact panel needs besides ``queries.get_contact``: each merged member's own name
and the messages behind suggestions (found through the threads their contacts wrote in, so
the messages' thread index serves the lookup)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.domain.names import label
from unifier.store.dialect import when
from unifier.store.names import seen_of
from unifier.store.schema import messages, participants

Row = dict[str, Any]


async def own_labels(conn: AsyncConnection, tenant: str, ids: list[str]) -> dict[str, str]:
    """Each contact's own name (not its merge group's), else its id."""
    return {cid: label(await seen_of(conn, tenant, [cid])) or cid for cid in ids}


async def messages_behind(
    conn: AsyncConnection, tenant: str, contact_ids: list[str], message_ids: list[str]
) -> dict[str, Row]:
    """Message id -> its thread, channel, time and text, for messages of these contacts."""
    if not contact_ids or not message_ids:
        return {}
    p, m = participants.c, messages.c
    wrote_in = sa.select(p.thread_id).where(p.tenant == tenant, p.contact_id.in_(contact_ids))
    rows = await conn.execute(
        sa.select(m.message_id, m.thread_id, m.channel_kind, m.at, m.text, m.deleted).where(
            m.tenant == tenant, m.thread_id.in_(wrote_in), m.message_id.in_(message_ids)
        )
    )
    return {
        r.message_id: {
            "thread_id": r.thread_id,
            "channel_kind": r.channel_kind,
            "at": when(r.at).isoformat(),
            "text": None if r.deleted else r.text,
        }
        for r in rows
    }
