"""The inbox's "due time" order on both databases: the earliest SLA due time first, the
conversations without one last, paged by the due-time cursor without a skip or a repeat."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.unifier.harness import decide_batch
from tests.unit.unifier.factory import ident, message
from unifier.store import inbox_rows, sla_rows
from unifier.store.inbox_rows import ListQuery


async def test_due_order_pages(engine: AsyncEngine) -> None:
    tenant, now = "i" + uuid.uuid4().hex[:8], datetime.now(UTC)
    tids = []
    for n in range(4):
        ids = [ident("email", f"c{n}@x.test")]
        m = message(f"m{n}", tenant=tenant, handle=f"c{n}@x.test", ids=ids)
        [tid] = (await decide_batch(engine, tenant, [m])).touched_threads
        tids.append(tid)
    dues = {tids[0]: now + timedelta(hours=2), tids[2]: now + timedelta(minutes=5)}
    async with engine.begin() as conn:
        for tid, due in dues.items():
            await sla_rows.set_thread(conn, tenant, tid, {"sla_due_at": due})
    seen: list[str] = []
    after = None
    async with engine.connect() as conn:
        for _ in range(5):
            q = ListQuery(tenant, "a1", now, sort="due", after=after, limit=1)
            page = await inbox_rows.page(conn, q)
            seen += [r["thread_id"] for r in page.rows]
            if page.next is None:
                break
            after = page.next
    assert seen[:2] == [tids[2], tids[0]]
    assert sorted(seen[2:]) == sorted([tids[1], tids[3]]) and len(seen) == 4
