"""The SLA scheduler's and the recompute's reads across threads: which conversations are due
for a look (``threads.sla_next_at``, through its partial index), and which have clocks to
recompute."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store.dialect import chunks, when
from unifier.store.schema import messages, threads

_t, _m = threads.c, messages.c


async def due_threads(conn: AsyncConnection, now: datetime, limit: int) -> list[tuple[str, str]]:
    """(tenant, thread) whose next SLA look has come, earliest first: the index's range."""
    q = (
        sa.select(_t.tenant, _t.thread_id)
        .where(_t.sla_next_at.is_not(None), _t.sla_next_at <= now)
        .order_by(_t.sla_next_at)
        .limit(limit)
    )
    return [(r.tenant, r.thread_id) for r in await conn.execute(q)]


async def earliest_next(conn: AsyncConnection) -> datetime | None:
    """The earliest next look of any thread (the index's first entry). The ``IS NOT NULL``
    is what lets SQLite answer from the partial index (without it: a scan of every thread)."""
    q = sa.select(sa.func.min(_t.sla_next_at)).where(_t.sla_next_at.is_not(None))
    found = (await conn.execute(q)).scalar()
    return None if found is None else when(found)


async def forget_next(conn: AsyncConnection, tenant: str, tids: Sequence[str]) -> None:
    """No look is due for these threads (their tenant has no policies)."""
    for part in chunks(list(tids)):
        where = sa.and_(_t.tenant == tenant, _t.thread_id.in_(part))
        await conn.execute(sa.update(threads).where(where).values(sla_next_at=None))


async def threads_of(conn: AsyncConnection, tenant: str | None) -> list[tuple[str, str]]:
    """(tenant, thread) with any stored SLA cycle or a customer message: the recompute's set."""
    q = sa.select(_m.tenant, _m.thread_id).distinct().where(_m.role == "customer")
    if tenant is not None:
        q = q.where(_m.tenant == tenant)
    return sorted((r.tenant, r.thread_id) for r in await conn.execute(q))
