"""An unmerge gives back what arrived during the merge: the messages whose sender resolved
through an identity of the unmerged contact (``messages.resolved_contact_id``), and with them
their threads' participants (and owner, when only those messages made it the survivor's), and
the by-contact grouping keys of both contacts.

Rare agent command: it reads the tenant's messages by ``resolved_contact_id`` (no index, which
would cost every inbound insert; the column is NULL unless a merge was followed)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store.dialect import insert_ignore, upsert
from unifier.store.queries import members
from unifier.store.schema import identities, messages, participants, thread_keys, threads


async def restore_messages(conn: AsyncConnection, tenant: str, contact_id: str) -> int:
    """``contact_id`` was just unmerged: move its messages back, returns how many moved."""
    moved = await _move(conn, tenant, contact_id)
    for tid, previous in sorted(moved):
        await _follow(conn, tenant, tid, previous, contact_id)
    if moved:
        for who in sorted({contact_id, *(previous for _, previous in moved)}):
            await _regroup(conn, tenant, who)
    await _forget_confirmations(conn, tenant, contact_id)
    return sum(moved.values())


async def _move(conn: AsyncConnection, tenant: str, contact_id: str) -> dict[tuple[str, str], int]:
    """Give the messages back: (thread, contact they were on) -> how many."""
    mine = await members(conn, tenant, contact_id)
    m = messages.c
    theirs = sa.and_(m.tenant == tenant, m.resolved_contact_id.in_(mine), m.contact_id.not_in(mine))
    found = await conn.execute(sa.select(m.thread_id, m.contact_id).where(theirs))
    moved: dict[tuple[str, str], int] = {}
    for tid, previous in found:
        moved[(tid, previous)] = moved.get((tid, previous), 0) + 1
    if moved:
        await conn.execute(messages.update().where(theirs).values(contact_id=contact_id))
    return moved


async def _regroup(conn: AsyncConnection, tenant: str, contact_id: str) -> None:
    """By-contact grouping continues in the contact's latest thread it is a participant of
    (the survivor's key may point at a thread that went back with the unmerged contact)."""
    t, p, k = threads.c, participants.c, thread_keys.c
    latest = await conn.scalar(
        sa.select(t.thread_id)
        .join(participants, sa.and_(p.tenant == t.tenant, p.thread_id == t.thread_id))
        .where(t.tenant == tenant, p.contact_id == contact_id, t.merged_into.is_(None))
        .order_by(t.last_message_at.desc(), t.thread_id.desc())
        .limit(1)
    )
    key = f"grp:contact:{contact_id}"
    if latest is None:
        await conn.execute(thread_keys.delete().where(k.tenant == tenant, k.key == key))
        return
    await upsert(
        conn, thread_keys, [{"tenant": tenant, "key": key, "thread_id": latest}], ["thread_id"]
    )


async def _follow(
    conn: AsyncConnection, tenant: str, tid: str, previous: str, contact_id: str
) -> None:
    """The thread's participants (and owner) follow its messages."""
    p, t, m = participants.c, threads.c, messages.c
    row = {"tenant": tenant, "thread_id": tid, "contact_id": contact_id}
    await insert_ignore(conn, participants, [row])
    left = await conn.execute(
        sa.select(m.message_id)
        .where(m.tenant == tenant, m.thread_id == tid, m.contact_id == previous)
        .limit(1)
    )
    if left.first() is not None:
        return
    await conn.execute(
        participants.delete().where(
            p.tenant == tenant, p.thread_id == tid, p.contact_id == previous
        )
    )
    await conn.execute(
        threads.update()
        .where(t.tenant == tenant, t.thread_id == tid, t.contact_id == previous)
        .values(contact_id=contact_id)
    )


async def _forget_confirmations(conn: AsyncConnection, tenant: str, contact_id: str) -> None:
    """An accepted suggestion's agent_confirmed identity belongs to the merge it made."""
    i = identities.c
    await conn.execute(
        identities.delete().where(
            i.tenant == tenant,
            i.contact_id == contact_id,
            i.level == "agent_confirmed",
            i.rule == "suggestion.accepted",
        )
    )
