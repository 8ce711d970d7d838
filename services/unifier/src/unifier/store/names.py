"""Names for the read side: what each contact (with the contacts merged into it) was called on
each channel, read through the threads it wrote in so the messages' thread index serves it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.domain.names import Seen, display_name, handle_label, label
from unifier.store.contacts import merge_children, merge_pointers, merged_members
from unifier.store.dialect import when
from unifier.store.schema import messages, participants

Row = dict[str, Any]


async def _groups(conn: AsyncConnection, tenant: str, ids: Iterable[str]) -> dict[str, list[str]]:
    """Each contact id -> its root's members: the root and every contact merged into it."""
    parent = await merge_pointers(conn, tenant)
    children = merge_children(parent)

    def root(cid: str) -> str:
        hops = 0
        while cid in parent and hops < 1000:  # a cycle cannot be written, but never spin
            cid, hops = parent[cid], hops + 1
        return cid

    return {cid: merged_members(root(cid), children) for cid in ids}


async def _seen(conn: AsyncConnection, tenant: str, ids: set[str]) -> dict[str, list[Seen]]:
    """The customer's (name, channel, handle, last time) of each contact's inbound messages."""
    if not ids:
        return {}
    p, m = participants.c, messages.c
    wrote_in = sa.select(p.thread_id).where(p.tenant == tenant, p.contact_id.in_(sorted(ids)))
    rows = await conn.execute(
        sa.select(m.contact_id, m.sender_name, m.channel_kind, m.sender_handle, sa.func.max(m.at))
        .where(
            m.tenant == tenant,
            m.thread_id.in_(wrote_in),
            m.contact_id.in_(sorted(ids)),
            m.direction == "inbound",
            m.role == "customer",
        )
        .group_by(m.contact_id, m.sender_name, m.channel_kind, m.sender_handle)
    )
    out: dict[str, list[Seen]] = {}
    for cid, name, kind, handle, last in rows:
        out.setdefault(cid, []).append(Seen(name, kind, handle, when(last)))
    return out


async def seen_of(conn: AsyncConnection, tenant: str, members: list[str]) -> list[Seen]:
    """What these contacts (one contact and those merged into it) were seen as."""
    seen = await _seen(conn, tenant, set(members))
    return [s for m in members for s in seen.get(m, [])]


async def seen_as(conn: AsyncConnection, tenant: str, ids: Iterable[str]) -> dict[str, list[Seen]]:
    """Each contact id -> what it and the contacts merged with it were seen as."""
    groups = await _groups(conn, tenant, set(ids))
    seen = await _seen(conn, tenant, {m for g in groups.values() for m in g})
    return {cid: [s for m in g for s in seen.get(m, [])] for cid, g in groups.items()}


async def add_contact_names(conn: AsyncConnection, tenant: str, rows: list[Row]) -> None:
    """``contact_name`` on each conversation row."""
    seen = await seen_as(conn, tenant, {r["contact_id"] for r in rows})
    for r in rows:
        r["contact_name"] = label(seen[r["contact_id"]])


async def add_sender_names(conn: AsyncConnection, tenant: str, thread: Row) -> None:
    """``contact_name`` on the thread and ``sender_name`` on each message: the name it came
    with, else its contact's name from any channel, else its handle formatted by channel; an
    agent reply shows its author."""
    inbound = [m for m in thread["messages"] if m["direction"] == "inbound"]
    seen = await seen_as(conn, tenant, {thread["contact_id"], *(m["contact_id"] for m in inbound)})
    thread["contact_name"] = label(seen[thread["contact_id"]])
    for m in thread["messages"]:
        if m["direction"] != "inbound":
            m["sender_name"] = m["author"] or m["sender_handle"]
        elif not m["sender_name"]:
            known = display_name(seen[m["contact_id"]]) if m["role"] == "customer" else None
            m["sender_name"] = known or handle_label(m["channel_kind"], m["sender_handle"])
