"""An unmerge gives back what arrived during the merge: the messages whose sender resolved
through an identity of the unmerged contact (``messages.resolved_contact_id``), and with them
their threads' participants (and owner, when only those messages made it the survivor's), and
the by-contact grouping keys of both contacts."""

from __future__ import annotations

from collections import Counter

from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store import restore_rows, thread_rows
from unifier.store.queries import members

ACCEPTED = "suggestion.accepted"  # the rule of an accepted suggestion's identity


async def restore_messages(conn: AsyncConnection, tenant: str, contact_id: str) -> int:
    """``contact_id`` was just unmerged: move its messages back, returns how many moved."""
    moved = await _move(conn, tenant, contact_id)
    for tid, previous in sorted(moved):
        await _follow(conn, tenant, tid, previous, contact_id)
    if moved:
        for who in sorted({contact_id, *(previous for _, previous in moved)}):
            await _regroup(conn, tenant, who)
    await restore_rows.drop_confirmations(conn, tenant, contact_id, ACCEPTED)
    return sum(moved.values())


async def _move(conn: AsyncConnection, tenant: str, contact_id: str) -> Counter[tuple[str, str]]:
    """Give the messages back: (thread, contact they were on) -> how many."""
    mine = await members(conn, tenant, contact_id)
    moved = Counter(await restore_rows.resolved_elsewhere(conn, tenant, mine))
    if moved:
        await restore_rows.give_back(conn, tenant, mine, contact_id)
    return moved


async def _regroup(conn: AsyncConnection, tenant: str, contact_id: str) -> None:
    """By-contact grouping continues in the contact's latest thread it is a participant of
    (the survivor's key may point at a thread that went back with the unmerged contact)."""
    latest = await restore_rows.latest_thread(conn, tenant, contact_id)
    key = f"grp:contact:{contact_id}"
    if latest is None:
        await thread_rows.drop_key(conn, tenant, key)
    else:
        await thread_rows.point_keys(conn, tenant, {key: latest})


async def _follow(
    conn: AsyncConnection, tenant: str, tid: str, previous: str, contact_id: str
) -> None:
    """The thread's participants (and owner) follow its messages."""
    await restore_rows.add_participant(conn, tenant, tid, contact_id)
    if not await restore_rows.has_messages_of(conn, tenant, tid, previous):
        await restore_rows.hand_over(conn, tenant, tid, previous, contact_id)
