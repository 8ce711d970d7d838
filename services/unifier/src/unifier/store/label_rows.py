"""A tenant's label catalogue and the labels on its threads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store.dialect import insert_ignore
from unifier.store.schema_workspace import labels, thread_labels

_l, _tl = labels.c, thread_labels.c


async def catalogue(conn: AsyncConnection, tenant: str) -> list[dict[str, str | None]]:
    q = sa.select(_l.label, _l.color).where(_l.tenant == tenant).order_by(_l.label)
    return [{"label": r.label, "color": r.color} for r in await conn.execute(q)]


async def ensure(conn: AsyncConnection, tenant: str, names: Sequence[str], at: datetime) -> None:
    """Add the labels the catalogue lacks (those it has keep their color)."""
    rows = [{"tenant": tenant, "label": n, "color": None, "created_at": at} for n in names]
    await insert_ignore(conn, labels, rows)


async def set_color(conn: AsyncConnection, tenant: str, name: str, color: str | None) -> None:
    await conn.execute(
        labels.update().where(_l.tenant == tenant, _l.label == name).values(color=color)
    )


async def of_thread(conn: AsyncConnection, tenant: str, tid: str) -> list[str]:
    q = sa.select(_tl.label).where(_tl.tenant == tenant, _tl.thread_id == tid).order_by(_tl.label)
    return list((await conn.execute(q)).scalars())


async def attach(conn: AsyncConnection, tenant: str, tid: str, names: Sequence[str]) -> None:
    rows = [{"tenant": tenant, "thread_id": tid, "label": n} for n in names]
    await insert_ignore(conn, thread_labels, rows)


async def detach(conn: AsyncConnection, tenant: str, tid: str, names: Sequence[str]) -> None:
    if names:
        await conn.execute(
            thread_labels.delete().where(
                _tl.tenant == tenant, _tl.thread_id == tid, _tl.label.in_(list(names))
            )
        )
