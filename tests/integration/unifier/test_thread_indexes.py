"""Migration 0023's indexes on both databases: each partial thread index holds only the rows
its queries can match (assigned, closed, with an SLA due time), the "mine" list still reads the
assignee index and the channel filter probes messages by thread from one index (query plans;
the closed index: test_ops_rows), and 0023 goes down and up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.ext.asyncio import AsyncEngine

from unifier.store import inbox_rows
from unifier.store.engine import alembic_config
from unifier.store.schema import messages, threads

pytestmark = pytest.mark.integration
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
N = 3000
PARTIAL = ("ix_threads_assignee", "ix_threads_closed", "ix_threads_sla_due")


def thread(i: int) -> dict[str, Any]:
    """Every 3rd thread assigned, every 5th closed, every 7th with an SLA due time."""
    at = T0 + timedelta(minutes=i)
    return {
        "tenant": "acme", "thread_id": f"t{i:05}", "contact_id": "c", "channel_kind": "email",
        "open": i % 5 != 0, "opened_at": at, "last_message_at": at,
        "closed_at": at if i % 5 == 0 else None, "message_count": 1, "subject": "s",
        "assignee": ("ana", "bo")[i % 2] if i % 3 == 0 else None,
        "sla_due_at": at + timedelta(hours=1) if i % 7 == 0 else None,
    }  # fmt: skip


def message(i: int, n: int) -> dict[str, Any]:
    """Thread i's message n: by email, and the 10th thread's last one by WhatsApp."""
    kind = "whatsapp" if i % 10 == 0 and n == 2 else "email"
    return {
        "message_id": f"m{i}-{n}", "tenant": "acme", "channel_kind": kind,
        "provider_message_id": f"m{i}-{n}", "account_id": "a", "thread_id": f"t{i:05}",
        "contact_id": "c", "sender_handle": "h", "role": "customer",
        "at": T0 + timedelta(minutes=i, seconds=n), "text": "t", "edited": False,
        "deleted": False, "reactions": "{}", "rule": "r", "evidence": "e", "rule_version": "1",
        "payload": b"p",
    }  # fmt: skip


async def fill(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(sa.insert(threads), [thread(i) for i in range(N)])
        await conn.execute(sa.insert(messages), [message(i, n) for i in range(N) for n in range(3)])
    async with engine.connect() as conn:  # VACUUM runs outside a transaction
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        vacuum = "ANALYZE" if engine.dialect.name == "sqlite" else "VACUUM ANALYZE"
        await conn.execute(sa.text(vacuum))


async def index_rows(engine: AsyncEngine, name: str) -> int:
    """The rows the index holds, as the database's statistics count them."""
    if engine.dialect.name == "sqlite":
        q = sa.text("SELECT stat FROM sqlite_stat1 WHERE idx = :name")
        async with engine.connect() as conn:
            return int(str((await conn.execute(q, {"name": name})).scalar_one()).split()[0])
    q = sa.text("SELECT reltuples FROM pg_class WHERE relname = :name")
    async with engine.connect() as conn:
        return int((await conn.execute(q, {"name": name})).scalar_one())


async def test_each_partial_index_holds_only_the_rows_it_can_match(engine: AsyncEngine) -> None:
    await fill(engine)
    expected = {
        "ix_threads_assignee": sum(1 for i in range(N) if i % 3 == 0),
        "ix_threads_closed": sum(1 for i in range(N) if i % 5 == 0),
        "ix_threads_sla_due": sum(1 for i in range(N) if i % 7 == 0),
    }
    assert {name: await index_rows(engine, name) for name in PARTIAL} == expected


async def plan(engine: AsyncEngine, q: inbox_rows.ListQuery) -> str:
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execute(sa.text("SET LOCAL enable_seqscan = off"))
        compiled = inbox_rows._select(q).compile(
            conn.sync_connection, compile_kwargs={"literal_binds": True}
        )
        explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
        return "\n".join(str(r[-1]) for r in await conn.execute(sa.text(f"{explain}{compiled}")))


async def test_the_mine_list_reads_the_assignee_index(engine: AsyncEngine) -> None:
    await fill(engine)
    q = inbox_rows.ListQuery(tenant="acme", agent_id="ana", now=T0, view="mine")
    assert "ix_threads_assignee" in await plan(engine, q)
    async with engine.connect() as conn:
        page = await inbox_rows.page(conn, q)
    anas = [f"t{i:05}" for i in range(N - 1, -1, -1) if i % 6 == 0]  # newest first
    assert [r["thread_id"] for r in page.rows] == anas[:50]


async def test_the_channel_filter_probes_messages_by_thread(engine: AsyncEngine) -> None:
    await fill(engine)
    q = inbox_rows.ListQuery(tenant="acme", agent_id="ana", now=T0, channel="whatsapp")
    steps = await plan(engine, q)
    pg = engine.dialect.name == "postgresql"  # there: from the index alone
    probe = "Index Only Scan using ix_messages_thread " if pg else "INDEX ix_messages_thread "
    assert probe in steps, steps
    async with engine.connect() as conn:
        page = await inbox_rows.page(conn, q)
    assert [r["thread_id"] for r in page.rows] == [f"t{i:05}" for i in range(N - 10, -1, -10)][:50]


async def test_0023_down_and_up_again(engine: AsyncEngine) -> None:
    def step(conn: sa.Connection, down: bool) -> None:
        run = command.downgrade if down else command.upgrade
        run(alembic_config(conn), "0022" if down else "head")

    async with engine.begin() as conn:
        await conn.run_sync(step, True)
    await fill(engine)
    assert await index_rows(engine, "ix_threads_assignee") == N  # every row before 0023
    async with engine.begin() as conn:
        await conn.run_sync(step, False)
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(sa.text("ANALYZE"))
    assert await index_rows(engine, "ix_threads_assignee") == N // 3
