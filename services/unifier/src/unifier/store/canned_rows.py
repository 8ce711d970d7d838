"""A tenant's canned responses (bodies with placeholders, rendered by the service)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store.dialect import when
from unifier.store.schema_workspace import canned

_c = canned.c
COLUMNS = (_c.canned_id, _c.shortcut, _c.title, _c.body, _c.updated_at)


class ShortcutTaken(Exception):
    pass


def _row(r: Any) -> dict[str, Any]:
    out = dict(r._mapping)
    out["updated_at"] = when(out["updated_at"]).isoformat()
    return out


async def all_of(conn: AsyncConnection, tenant: str) -> list[dict[str, Any]]:
    q = sa.select(*COLUMNS).where(_c.tenant == tenant).order_by(_c.shortcut)
    return [_row(r) for r in await conn.execute(q)]


async def one(conn: AsyncConnection, tenant: str, canned_id: str) -> dict[str, Any] | None:
    q = sa.select(*COLUMNS).where(_c.tenant == tenant, _c.canned_id == canned_id)
    found = (await conn.execute(q)).first()
    return None if found is None else _row(found)


async def add(conn: AsyncConnection, tenant: str, canned_id: str, **values: Any) -> None:
    """``values``: shortcut, title, body, updated_at. A shortcut is the tenant's only once."""
    try:
        async with conn.begin_nested():
            await conn.execute(
                sa.insert(canned).values(tenant=tenant, canned_id=canned_id, **values)
            )
    except IntegrityError:
        raise ShortcutTaken(values["shortcut"]) from None


async def change(conn: AsyncConnection, tenant: str, canned_id: str, **values: Any) -> bool:
    """False when there is no such canned response."""
    try:
        async with conn.begin_nested():
            done = await conn.execute(
                canned.update()
                .where(_c.tenant == tenant, _c.canned_id == canned_id)
                .values(**values)
            )
    except IntegrityError:
        raise ShortcutTaken(values["shortcut"]) from None
    return bool(done.rowcount)


async def remove(conn: AsyncConnection, tenant: str, canned_id: str) -> bool:
    done = await conn.execute(canned.delete().where(_c.tenant == tenant, _c.canned_id == canned_id))
    return bool(done.rowcount)
