"""The rows of a reply request: the answer kept per Idempotency-Key, the customer message it
answers, the request queued in the outbox, and the reply's status its results set."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import events as ev
from unifier.store.call_views import not_a_call
from unifier.store.dialect import when
from unifier.store.schema import messages, outbox, replies

_r, _m = replies.c, messages.c


class Answered(NamedTuple):
    """The customer message a reply answers."""

    channel_kind: ev.ChannelKind
    account_id: str
    sender_handle: str
    payload: bytes


async def stored_answer(
    conn: AsyncConnection, tenant: str, key: str
) -> tuple[dict[str, Any], datetime] | None:
    """The answer given to this Idempotency-Key, and when."""
    q = sa.select(_r.response, _r.created_at).where(_r.tenant == tenant, _r.idempotency_key == key)
    row = (await conn.execute(q)).first()
    return None if row is None else (json.loads(row.response), when(row.created_at))


async def forget_answer(conn: AsyncConnection, tenant: str, key: str) -> None:
    await conn.execute(replies.delete().where(_r.tenant == tenant, _r.idempotency_key == key))


async def add_request(conn: AsyncConnection, values: Mapping[str, Any]) -> None:
    """The request's row, with the answer (``response``, a dict) kept for its key."""
    row = {**values, "response": json.dumps(values["response"])}
    await conn.execute(sa.insert(replies).values(**row))


async def queue_request(conn: AsyncConnection, topic: str, event: ev.ReplyRequested) -> None:
    """The request in the outbox, keyed by conversation (the relay publishes it)."""
    await conn.execute(
        sa.insert(outbox).values(
            topic=topic,
            key=event.conversation_id.encode(),
            event_type=ev.event_tag(event),
            event_id=event.event_id,
            payload=ev.encode(event),
        )
    )


async def answered(
    conn: AsyncConnection, tenant: str, tid: str, channel: str | None
) -> Answered | None:
    """The thread's latest customer message (on ``channel`` when given); a call is none."""
    cols = (_m.channel_kind, _m.account_id, _m.sender_handle, _m.payload)
    q = sa.select(*cols).where(
        _m.tenant == tenant, _m.thread_id == tid, _m.role == "customer", not_a_call(messages)
    )
    if channel:
        q = q.where(_m.channel_kind == channel)
    row = (await conn.execute(q.order_by(_m.at.desc()).limit(1))).first()
    return None if row is None else Answered(*row)


async def set_statuses(conn: AsyncConnection, tenant: str, statuses: Mapping[str, str]) -> None:
    """``statuses``: reply id -> status."""
    for reply_id, status in statuses.items():
        await conn.execute(
            replies.update()
            .where(replies.c.tenant == tenant, replies.c.reply_id == reply_id)
            .values(status=status)
        )
