"""Calls as agents read them: a thread's call items and callback flag, the recording of one
call, the number to call back; and the conditions other queries add (a message that is no
call, a thread waiting for a call back)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import unified as un
from unifier.store.call_rows import record_of
from unifier.store.schema import identities, messages, threads
from unifier.store.schema_calls import calls


def not_a_call(m: sa.FromClause) -> sa.ColumnElement[bool]:
    """A ``messages`` row that is no call's item (something written: a reply can answer it)."""
    c = calls.c
    return ~sa.exists().where(
        c.tenant == m.c.tenant,
        c.call_id == m.c.provider_message_id,
        c.channel_kind == m.c.channel_kind,
    )


def needs_callback() -> sa.ColumnElement[bool]:
    """The thread's latest missed call is later than its latest answered call or call back."""
    t = threads.c
    return sa.and_(
        t.callback_due_at.is_not(None),
        sa.or_(t.callback_done_at.is_(None), t.callback_due_at > t.callback_done_at),
    )


async def thread_calls(
    conn: AsyncConnection, tenant: str, message_ids: Sequence[str]
) -> dict[str, un.CallRecord]:
    """Message id -> its call, for a thread's call items."""
    if not message_ids:
        return {}
    c = calls.c
    rows = await conn.execute(
        sa.select(calls).where(c.tenant == tenant, c.message_id.in_(sorted(message_ids)))
    )
    return {r.message_id: record_of(r) for r in rows}


async def add_calls(conn: AsyncConnection, tenant: str, thread: dict[str, Any]) -> None:
    """A thread as the API reads it: each call item's ``call`` (the record, JSON-ready; None on
    other messages)."""
    found = await thread_calls(conn, tenant, [m["message_id"] for m in thread["messages"]])
    for m in thread["messages"]:
        record = found.get(m["message_id"])
        m["call"] = plain(record) if record else None


def plain(record: un.CallRecord) -> dict[str, Any]:
    """The record as JSON-ready data with every field (None and defaults included), so API
    clients always find the same keys."""
    asdict = msgspec.structs.asdict
    out = asdict(record)
    out["channel"] = asdict(record.channel)
    out["recordings"] = [asdict(r) for r in record.recordings]
    out["transcripts"] = [asdict(t) for t in record.transcripts]
    out["voicemail"] = asdict(record.voicemail) if record.voicemail else None
    found: dict[str, Any] = msgspec.to_builtins(out)
    return found


async def call_of_message(
    conn: AsyncConnection, tenant: str, message_id: str
) -> un.CallRecord | None:
    return (await thread_calls(conn, tenant, [message_id])).get(message_id)


async def latest_call(conn: AsyncConnection, tenant: str, tid: str) -> un.CallRecord | None:
    """The thread's most recent call (by its item's time)."""
    c, m = calls.c, messages.c
    row = (
        await conn.execute(
            sa.select(calls)
            .join(  # by the messages' primary key: the call's item is keyed by its call id
                messages,
                sa.and_(
                    m.tenant == c.tenant,
                    m.provider_message_id == c.call_id,
                    m.channel_kind == c.channel_kind,
                ),
            )
            .where(c.tenant == tenant, m.tenant == tenant, m.thread_id == tid)
            .order_by(m.at.desc(), c.call_id.desc())
            .limit(1)
        )
    ).first()
    return record_of(row) if row else None


async def phones(conn: AsyncConnection, tenant: str, contacts: list[str]) -> list[str]:
    """The contacts' phone numbers, the most trusted first (a linking level before a
    carrier-asserted one), then by number."""
    i = identities.c
    rows = await conn.execute(
        sa.select(i.value)
        .where(i.tenant == tenant, i.contact_id.in_(contacts), i.kind == "phone")
        .order_by(i.verified.desc(), i.value)
    )
    return list(dict.fromkeys(r.value for r in rows))
