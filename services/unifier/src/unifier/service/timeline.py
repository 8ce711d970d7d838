"""The thread as agents read it: its messages (with names, decisions, delivery), internal notes
and system activity in one time-ordered timeline, and the channels a reply can go to."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.domain.reach import Reach, channels
from unifier.service.commands import CommandError, known
from unifier.store import queries, read_marks, thread_rows, timeline_rows
from unifier.store.thread_rows import ThreadHead

Row = dict[str, Any]
KIND_ORDER = {
    "message": 0,
    "call": 0,
    "activity": 1,
    "note": 2,
}  # at one instant: what happened, then why


async def thread_view(conn: AsyncConnection, tenant: str, tid: str) -> Row | None:
    """The thread (``queries.get_thread``) plus ``timeline``: items ``{"type": "message" |
    "call" | "note" | "activity", "at": datetime, ...}`` oldest first (a call: its message
    row with ``call``, the record)."""
    thread = await queries.get_thread(conn, tenant, tid)
    if thread is None:
        return None
    await _author_names(conn, tenant, thread["messages"])
    items = [
        {**m, "type": "call" if m["call"] else "message", "at": datetime.fromisoformat(m["at"])}
        for m in thread["messages"]
    ]
    items += [{**n, "type": "note"} for n in await timeline_rows.thread_notes(conn, tenant, tid)]
    items += [
        {**a, "type": "activity"} for a in await timeline_rows.thread_activity(conn, tenant, tid)
    ]
    items.sort(key=lambda i: (i["at"], KIND_ORDER[i["type"]]))
    thread["timeline"] = items
    return thread


async def _author_names(conn: AsyncConnection, tenant: str, msgs: list[Row]) -> None:
    """Our replies show their agent's name (the stored author is the agent's id)."""
    ours = [m for m in msgs if m["direction"] == "outbound" and m["author"]]
    names = await timeline_rows.agent_names(conn, tenant, {m["author"] for m in ours})
    for m in ours:
        m["sender_name"] = names.get(m["author"], m["sender_name"])


async def reply_channels(
    conn: AsyncConnection, tenant: str, tid: str, contact_id: str, now: datetime | None = None
) -> list[Reach]:
    """The channels of the contact (and the contacts merged into it) and of this thread's
    customer messages, the customer's last one first; each says whether a reply can go there."""
    handles = await timeline_rows.handles(
        conn, tenant, await queries.members(conn, tenant, contact_id)
    )
    last = await timeline_rows.last_inbound(conn, tenant, tid)
    return channels(handles, last, now or datetime.now(UTC))


async def mark_read(conn: AsyncConnection, tenant: str, tid: str, agent_id: str, seen: int) -> None:
    """The agent has seen the thread's first ``seen`` messages (the count of what was shown)."""
    await read_marks.mark_read(conn, tenant, tid, agent_id, seen, datetime.now(UTC))


async def thread_head(conn: AsyncConnection, tenant: str, tid: str) -> ThreadHead:
    return known(await thread_rows.head(conn, tenant, tid), f"conversation {tid}")


async def reachable_channel(
    conn: AsyncConnection, tenant: str, tid: str, channel: str | None
) -> str:
    """The channel a reply goes to (``channel``, default the customer's last), or a 404/422
    ``CommandError`` saying why none can take it: nothing is written then."""
    head = await thread_head(conn, tenant, tid)
    reach = await reply_channels(conn, tenant, tid, head.contact_id or "")
    if not reach:
        raise CommandError(422, "no_recipient", "the customer has no channel to answer on")
    chosen = next((r for r in reach if r.kind == channel), None) if channel else reach[0]
    if chosen is None:
        raise CommandError(422, "no_channel", f"the customer cannot be reached on {channel}")
    if chosen.blocked:
        raise CommandError(422, "unreachable", chosen.blocked)
    return chosen.kind
