"""A thread's callback marks when its calls move (merges, splits): ``threads.callback_due_at``
and ``callback_done_at`` follow the calls.

* Merge: the thread merged into keeps the latest of both threads' due and done times, so it
  needs a callback when either thread's latest missed call is later than both threads' latest
  answered call or call back.
* Split: each side's due time is the latest missed call among its own calls (none when it
  keeps none). Done times stay where they are and the new thread gets the source's too (with
  its calls' answers): an answered call or a call back reached the customer, whichever item
  it sits next to, so a split never flags a callback that was settled.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.domain.calls import callback_marks
from unifier.store.call_rows import at_or_none, mark_callbacks, record_of
from unifier.store.dialect import when
from unifier.store.schema import messages, threads
from unifier.store.schema_calls import calls

Marks = tuple[datetime | None, datetime | None]  # (due at, done at)


async def thread_marks(conn: AsyncConnection, tenant: str, tid: str) -> Marks:
    t = threads.c
    row = (
        await conn.execute(
            sa.select(t.callback_due_at, t.callback_done_at).where(
                t.tenant == tenant, t.thread_id == tid
            )
        )
    ).one()
    return at_or_none(row[0]), at_or_none(row[1])


async def carry_callbacks(conn: AsyncConnection, tenant: str, src: str, dst: str) -> None:
    """``src`` merged into ``dst``: ``dst`` keeps the latest due and done time of both."""
    await mark_callbacks(conn, tenant, {dst: await thread_marks(conn, tenant, src)})


async def split_callbacks(conn: AsyncConnection, tenant: str, src: str, new: str) -> None:
    """Calls moved from ``src`` to ``new``: each side's due time from its own calls."""
    _, done = await thread_marks(conn, tenant, src)
    t = threads.c
    for tid in (src, new):
        due, answered = await calls_marks(conn, tenant, tid)
        where = sa.and_(t.tenant == tenant, t.thread_id == tid)
        await conn.execute(threads.update().where(where).values(callback_due_at=due))
        await mark_callbacks(conn, tenant, {tid: (None, answered)})
    await mark_callbacks(conn, tenant, {new: (None, done)})


async def calls_marks(conn: AsyncConnection, tenant: str, tid: str) -> Marks:
    """The latest due and done time the calls in ``tid`` give (None: none does)."""
    m = messages.c
    rows = await conn.execute(
        sa.select(calls, m.at.label("item_at"))
        .join(messages, sa.and_(m.tenant == calls.c.tenant, m.message_id == calls.c.message_id))
        .where(calls.c.tenant == tenant, m.thread_id == tid)
    )
    marks = [callback_marks(record_of(r), when(r.item_at)) for r in rows]
    dues = [due for due, _ in marks if due is not None]
    dones = [done for _, done in marks if done is not None]
    return max(dues, default=None), max(dones, default=None)
