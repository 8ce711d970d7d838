"""Agent commands on conversations: close/reopen, merge and split. Each is an event."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import unified as un
from unifier.domain.split import SplitMessage, split_keys, split_subject
from unifier.domain.unify import reply_token
from unifier.service.commands import MANUAL, CommandError, event_id, manual_info
from unifier.store.dialect import upsert
from unifier.store.recount import fold_into, recount
from unifier.store.schema import messages, thread_keys, threads
from unifier.store.write import write_outbox


async def _thread(conn: AsyncConnection, tenant: str, tid: str) -> sa.Row[tuple[bool, str | None]]:
    row = (
        await conn.execute(
            sa.select(threads.c.open, threads.c.contact_id).where(
                threads.c.tenant == tenant, threads.c.thread_id == tid
            )
        )
    ).first()
    if row is None:
        raise CommandError(404, "not_found", f"conversation {tid}")
    return row  # type: ignore[return-value]


async def set_open(
    conn: AsyncConnection, tenant: str, tid: str, *, open_: bool, by: str
) -> un.UnifiedEvent:
    row = await _thread(conn, tenant, tid)
    now = datetime.now(UTC)
    await conn.execute(
        threads.update()
        .where(threads.c.tenant == tenant, threads.c.thread_id == tid)
        .values(open=open_, closed_at=None if open_ else now)
    )
    event: un.UnifiedEvent
    if open_:
        event = un.ConversationOpened(
            event_id=event_id(),
            tenant=tenant,
            occurred_at=now,
            conversation_id=tid,
            contact_id=row.contact_id or "",
            reopened=True,
            decision=manual_info("manual.reopen", f"{by} reopened the conversation"),
        )
    else:
        event = un.ConversationClosed(
            event_id=event_id(), tenant=tenant, occurred_at=now, conversation_id=tid, closed_by=by
        )
    await write_outbox(conn, [event])
    return event


async def move_messages(
    conn: AsyncConnection,
    tenant: str,
    ids: list[str],
    src: str,
    dst: str,
    *,
    action: Literal["merge", "split"],
    by: str,
) -> list[un.UnifiedEvent]:
    """Move messages between threads (merge or split), recount both, one event per message."""
    m = messages.c
    evidence = f"{by}: {action} from conversation {src} into {dst}"
    await conn.execute(
        messages.update()
        .where(m.tenant == tenant, m.thread_id == src, m.message_id.in_(ids))
        .values(thread_id=dst, rule=f"manual.{action}", evidence=evidence, rule_version=MANUAL)
    )
    for tid in (src, dst):
        await recount(conn, tenant, tid)
    now = datetime.now(UTC)
    out: list[un.UnifiedEvent] = [
        un.ThreadDecided(
            event_id=event_id(),
            tenant=tenant,
            occurred_at=now,
            conversation_id=dst,
            message_id=mid,
            action=action,
            previous_conversation_id=src,
            decision=manual_info(f"manual.{action}", evidence),
        )
        for mid in ids
    ]
    await write_outbox(conn, out)
    return out


async def merge_threads(
    conn: AsyncConnection, tenant: str, src: str, dst: str, by: str
) -> list[un.UnifiedEvent]:
    await _thread(conn, tenant, src), await _thread(conn, tenant, dst)
    if src == dst:
        raise CommandError(409, "same_conversation", "cannot merge a conversation into itself")
    m = messages.c
    ids = list(
        (
            await conn.execute(
                sa.select(m.message_id).where(m.tenant == tenant, m.thread_id == src)
            )
        ).scalars()
    )
    out = await move_messages(conn, tenant, ids, src, dst, action="merge", by=by)
    await fold_into(conn, tenant, src, dst, datetime.now(UTC))
    return out


async def split_thread(
    conn: AsyncConnection, tenant: str, src: str, ids: list[str], by: str
) -> tuple[str, list[un.UnifiedEvent]]:
    """Move messages to a new thread with their thread keys, a reply token and a subject."""
    row = await _thread(conn, tenant, src)
    m = messages.c
    cols = (m.message_id, m.at, m.channel_kind, m.account_id, m.provider_message_id)
    found = list(
        (
            await conn.execute(
                sa.select(*cols, m.direction, m.payload)
                .where(m.tenant == tenant, m.thread_id == src, m.message_id.in_(ids))
                .order_by(m.at)
            )
        ).all()
    )
    if not found or len(found) != len(set(ids)):
        raise CommandError(422, "unknown_messages", "every message must belong to the conversation")
    moved = [SplitMessage(*r[2:]) for r in found]
    new = str(uuid.uuid5(un.UNIFIED_NAMESPACE, f"split\x1f{src}\x1f{found[0].message_id}"))
    await conn.execute(
        sa.insert(threads).values(
            tenant=tenant,
            thread_id=new,
            contact_id=row.contact_id,
            channel_kind=found[0].channel_kind,
            open=True,
            opened_at=found[0].at,
            last_message_at=found[-1].at,
            message_count=0,
            subject=split_subject(moved, await _subject(conn, tenant, src)),
        )
    )
    await _move_keys(conn, tenant, split_keys(moved), src, new)
    return new, await move_messages(conn, tenant, ids, src, new, action="split", by=by)


async def _subject(conn: AsyncConnection, tenant: str, tid: str) -> str:
    t = threads.c
    q = sa.select(t.subject).where(t.tenant == tenant, t.thread_id == tid)
    subject: str = (await conn.execute(q)).scalar_one()
    return subject


async def _move_keys(
    conn: AsyncConnection, tenant: str, keys: set[str], src: str, new: str
) -> None:
    """The moved messages' keys that still lead to the source now lead to the new thread; the
    new thread's reply token is its own."""
    k = thread_keys.c
    if keys:
        await conn.execute(
            thread_keys.update()
            .where(k.tenant == tenant, k.thread_id == src, k.key.in_(sorted(keys)))
            .values(thread_id=new)
        )
    token = {"tenant": tenant, "key": "tok:" + reply_token(new), "thread_id": new}
    await upsert(conn, thread_keys, [token], ["thread_id"])
