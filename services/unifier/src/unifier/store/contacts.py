"""A contact's merge pointer (``merged_into``): read it, set it, clear it, and the groups the
pointers make (a root and every contact merged into it, transitively)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store.schema import contacts


class NoContact(LookupError):
    """No contact of that id in the tenant."""


async def merged_into(conn: AsyncConnection, tenant: str, cid: str) -> str | None:
    c = contacts.c
    row = (
        await conn.execute(sa.select(c.merged_into).where(c.tenant == tenant, c.contact_id == cid))
    ).first()
    if row is None:
        raise NoContact(cid)
    into: str | None = row.merged_into
    return into


async def set_merged_into(conn: AsyncConnection, tenant: str, cid: str, into: str | None) -> None:
    await conn.execute(
        contacts.update()
        .where(contacts.c.tenant == tenant, contacts.c.contact_id == cid)
        .values(merged_into=into)
    )


async def merge_pointers(conn: AsyncConnection, tenant: str) -> dict[str, str]:
    """Every merged contact of the tenant -> the contact it is merged into."""
    c = contacts.c
    rows = await conn.execute(
        sa.select(c.contact_id, c.merged_into).where(c.tenant == tenant, c.merged_into.is_not(None))
    )
    return {r.contact_id: r.merged_into for r in rows}


def merge_children(pointers: dict[str, str]) -> dict[str, list[str]]:
    """The pointers turned round: each contact -> the contacts merged directly into it."""
    children: dict[str, list[str]] = {}
    for child, into in pointers.items():
        children.setdefault(into, []).append(child)
    return children


def merged_members(top: str, children: dict[str, list[str]]) -> list[str]:
    """``top`` and every contact merged into it, transitively (``top`` first)."""
    out, todo = [], [top]
    while todo:
        cid = todo.pop()
        if cid not in out:
            out.append(cid)
            todo += children.get(cid, [])
    return out
