"""The SLA scheduler's and the recompute's reads across threads: which conversations are due
for a look (``threads.sla_next_at``, through its partial index), and which have open cycles to
recompute."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store.dialect import chunks, when
from unifier.store.schema import messages, threads
from unifier.store.schema_sla import sla_policies

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
    """(tenant, thread) the recompute looks at: the open conversations (not merged away) with a
    customer message, of tenants with policies; one query over ``threads``, each checked for a
    customer message through ``ix_messages_thread``. A resolved conversation's cycles are closed
    and keep their policy: a recompute has nothing to apply to them."""
    asked = sa.exists().where(
        _m.tenant == _t.tenant, _m.thread_id == _t.thread_id, _m.role == "customer"
    )
    configured = sa.select(sla_policies.c.tenant)
    q = sa.select(_t.tenant, _t.thread_id).where(
        _t.open.is_(True), _t.merged_into.is_(None), _t.tenant.in_(configured), asked
    )
    if tenant is not None:
        q = q.where(_t.tenant == tenant)
    return [
        (r.tenant, r.thread_id) for r in await conn.execute(q.order_by(_t.tenant, _t.thread_id))
    ]
