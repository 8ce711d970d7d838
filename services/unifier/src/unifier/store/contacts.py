"""A contact's merge pointer (``merged_into``): read it, set it, clear it."""

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
