"""The rows an agent's thread command reads and writes: a thread's head, its messages moved to
another thread, a split's new thread, and the thread keys that follow them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store.dialect import upsert, when
from unifier.store.schema import messages, thread_keys, threads

_t, _m, _k = threads.c, messages.c, thread_keys.c


class ThreadHead(NamedTuple):
    open: bool
    contact_id: str | None
    subject: str
    snoozed_until: datetime | None = None


class MovedMessage(NamedTuple):
    """A message about to leave its thread, with what a split needs of it."""

    message_id: str
    at: datetime
    channel_kind: str
    account_id: str
    provider_message_id: str
    direction: str
    payload: bytes


async def head(conn: AsyncConnection, tenant: str, tid: str) -> ThreadHead | None:
    q = sa.select(_t.open, _t.contact_id, _t.subject, _t.snoozed_until).where(
        _t.tenant == tenant, _t.thread_id == tid
    )
    row = (await conn.execute(q)).first()
    if row is None:
        return None
    snoozed = when(row.snoozed_until) if row.snoozed_until else None
    return ThreadHead(bool(row.open), row.contact_id, row.subject, snoozed)


async def set_snooze(conn: AsyncConnection, tenant: str, tid: str, until: datetime | None) -> None:
    await conn.execute(
        threads.update().where(_t.tenant == tenant, _t.thread_id == tid).values(snoozed_until=until)
    )


async def set_open(conn: AsyncConnection, tenant: str, tid: str, open_: bool, at: datetime) -> None:
    await conn.execute(
        threads.update()
        .where(_t.tenant == tenant, _t.thread_id == tid)
        .values(open=open_, closed_at=None if open_ else at)
    )


async def message_ids(conn: AsyncConnection, tenant: str, tid: str) -> list[str]:
    q = sa.select(_m.message_id).where(_m.tenant == tenant, _m.thread_id == tid)
    return list((await conn.execute(q)).scalars())


async def messages_of(
    conn: AsyncConnection, tenant: str, tid: str, ids: list[str]
) -> list[MovedMessage]:
    """Those of ``ids`` that belong to the thread, oldest first."""
    cols = (_m.message_id, _m.at, _m.channel_kind, _m.account_id, _m.provider_message_id)
    q = (
        sa.select(*cols, _m.direction, _m.payload)
        .where(_m.tenant == tenant, _m.thread_id == tid, _m.message_id.in_(ids))
        .order_by(_m.at)
    )
    return [MovedMessage(*r) for r in await conn.execute(q)]


async def move_messages(
    conn: AsyncConnection, tenant: str, ids: list[str], src: str, dst: str, why: Mapping[str, str]
) -> None:
    """``why``: the decision the moved rows record (rule, evidence, rule_version)."""
    await conn.execute(
        messages.update()
        .where(_m.tenant == tenant, _m.thread_id == src, _m.message_id.in_(ids))
        .values(thread_id=dst, **why)
    )


async def add_thread(conn: AsyncConnection, values: Mapping[str, Any]) -> None:
    await conn.execute(sa.insert(threads).values(**values))


async def move_keys(conn: AsyncConnection, tenant: str, keys: set[str], src: str, dst: str) -> None:
    """Those of ``keys`` that lead to ``src`` lead to ``dst`` instead."""
    if keys:
        await conn.execute(
            thread_keys.update()
            .where(_k.tenant == tenant, _k.thread_id == src, _k.key.in_(sorted(keys)))
            .values(thread_id=dst)
        )


async def point_keys(conn: AsyncConnection, tenant: str, keys: Mapping[str, str]) -> None:
    """``keys``: thread key -> thread id (a key already known moves to that thread)."""
    rows = [{"tenant": tenant, "key": k, "thread_id": t} for k, t in keys.items()]
    await upsert(conn, thread_keys, rows, ["thread_id"])


async def drop_key(conn: AsyncConnection, tenant: str, key: str) -> None:
    await conn.execute(thread_keys.delete().where(_k.tenant == tenant, _k.key == key))
