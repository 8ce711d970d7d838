"""The operations report's store queries (``unifier.store.ops_rows``) on both databases: the
conversations opened in a window, each one's first customer message and the first reply after
it (its own thread's, whatever other threads and tenants hold), those opened before it counted
per channel, inbox and agent, and by the query plans that each part of the thread queries is
found by an index of migration 0021 or earlier (on SQLite: no scan of threads at all)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from unifier.domain.ops_report import Carried
from unifier.store import ops_rows
from unifier.store.schema import messages, threads

pytestmark = pytest.mark.integration
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H, M = timedelta(hours=1), timedelta(minutes=1)
START, END = T0, T0 + 24 * H


def thread(tenant: str, tid: str, opened: timedelta, closed: timedelta | None) -> dict[str, Any]:
    return {
        "tenant": tenant, "thread_id": tid, "contact_id": "c", "channel_kind": "email",
        "open": closed is None, "opened_at": T0 + opened, "last_message_at": T0 + opened,
        "closed_at": None if closed is None else T0 + closed, "message_count": 1, "subject": "s",
    }  # fmt: skip


def message(tenant: str, tid: str, pmid: str, role: str, at: timedelta) -> dict[str, Any]:
    return {
        "message_id": pmid, "tenant": tenant, "channel_kind": "email", "provider_message_id": pmid,
        "account_id": "support@acme.test", "thread_id": tid, "contact_id": "c",
        "sender_handle": "h", "role": role, "at": T0 + at, "text": "t", "edited": False,
        "deleted": False, "reactions": "{}", "rule": "r", "evidence": "e", "rule_version": "1",
        "payload": b"p", "direction": "outbound" if role == "agent" else "inbound",
    }  # fmt: skip


THREADS = [
    thread("acme", "outreach", 0 * H, None),  # we wrote first, she answered, we replied
    thread("acme", "old-open", -30 * 24 * H, None),  # the backlog it carries in
    thread("acme", "old-closed", -30 * 24 * H, -29 * 24 * H),  # no concern of the window
    thread("acme", "closed-later", -2 * H, 30 * H),  # open at the window's end
    thread("acme", "closed-within", -2 * H, 3 * H),  # closed before the end: no backlog
    thread("other", "elsewhere", -H, None),  # another tenant's
]
MESSAGES = [
    message("acme", "outreach", "o1", "agent", 0 * M),
    message("acme", "outreach", "o2", "customer", 10 * M),
    message("acme", "outreach", "o3", "agent", 25 * M),
    message("other", "elsewhere", "e1", "customer", -H),  # earlier than any of acme's
    message("acme", "closed-later", "c1", "customer", -2 * H),
]


async def test_the_window_s_conversations_and_their_first_reply(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(sa.insert(threads), THREADS)
        await conn.execute(sa.insert(messages), MESSAGES)
        await conn.execute(  # assigned, and a missed call of the old conversation is unreturned
            sa.update(threads)
            .where(threads.c.thread_id == "old-open")
            .values(assignee="ana", callback_due_at=T0 - H)
        )
    async with engine.connect() as conn:
        found = {c.thread_id: c for c in await ops_rows.conversations(conn, "acme", START, END)}
        carried = await ops_rows.carried(conn, "acme", START, END)
    assert sorted(found) == ["outreach"]
    outreach = found["outreach"]
    assert (outreach.first_customer_at, outreach.first_reply_at) == (T0 + 10 * M, T0 + 25 * M)
    assert outreach.account == "support@acme.test" and outreach.closed_at is None
    assert sorted(carried, key=lambda c: c.account) == [
        Carried("email", "", "ana", backlog=1, callbacks_owed=1),  # old-open: no message
        Carried("email", "support@acme.test", None, backlog=1, callbacks_owed=0),  # closed-later
    ]


async def plan(engine: AsyncEngine, query: sa.Select[Any]) -> list[str]:
    sql = str(query.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
    explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    async with engine.connect() as conn:
        return [str(r[-1]) for r in await conn.execute(sa.text(explain + sql))]


async def test_every_thread_is_found_by_an_index(engine: AsyncEngine) -> None:
    history = [
        thread("acme", f"h{i}", -i * 20 * M, None if i % 50 == 0 else -i * 20 * M + H)
        for i in range(1, 5000)
    ]
    async with engine.begin() as conn:
        await conn.execute(sa.insert(threads), history)
        await conn.execute(sa.text("ANALYZE"))
    opened = await plan(engine, ops_rows.conversations_query("acme", START, END))
    carried = await plan(engine, ops_rows.carried_query("acme", START, END))
    if engine.dialect.name == "sqlite":  # PostgreSQL may hash-join the few candidates
        for steps in (opened, carried):
            assert not [s for s in steps if s.startswith(("SCAN threads", "SCAN m"))], steps
    assert any("ix_threads_opened" in s for s in opened), opened
    for index in ("ix_threads_open_assignee", "ix_threads_closed", "ix_threads_callback_due"):
        assert any(index in s for s in carried), (index, carried)
