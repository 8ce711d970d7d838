"""make bench-inbox's code at a tiny scale (200 conversations): the seeder fills a real
PostgreSQL as sized, the store migrates to head over it, the list shape pages and searches
correctly, the unifier serves the timed operations over HTTP to agents signed in at ``/login``
(their "Mine" view holds their conversations), and a message published to Kafka reaches every
SSE client. No timing is asserted: the bench reports timings, this checks that
what it times is right."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from bench import inbox_data as data
from bench.inbox_auth import TIMED_AGENTS, Credential, give_passwords, signed_in
from bench.inbox_bench import to_head
from bench.inbox_ops import Fixtures, fixtures, http_ops, sql_ops
from bench.inbox_queries import ListAsk, list_page
from bench.inbox_seed import seed
from bench.inbox_sse import fan_out
from bench.inbox_timing import served
from bench.pg_cluster import Cluster
from bench.schema_steps import revision
from unifier.store.engine import MIGRATIONS, create_engine
from unifier.store.inbox_search import WORD

pytestmark = pytest.mark.integration
SIZES = data.Sizes(threads=200, messages=2000, agents=5)

HEAD = max(p.name[:4] for p in (MIGRATIONS / "versions").glob("0*.py"))  # the store ends there


@pytest.fixture(scope="module")
def store() -> Iterator[tuple[Cluster, dict[str, object]]]:
    root = Path(tempfile.mkdtemp(prefix="bench-inbox-test-"))
    root.chmod(0o755)  # the postgres user keeps its cluster below it
    cluster, facts = seed(SIZES, root)
    try:
        asyncio.run(to_head(cluster))
        yield cluster, facts
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


async def counts(dsn: str) -> dict[str, int]:
    engine = create_engine(dsn)
    try:
        async with engine.connect() as conn:
            out = {}
            for table in ("threads", "messages", "agents", "thread_participants"):
                q = sa.text(f"SELECT count(*) FROM {table}")  # our own table names
                out[table] = (await conn.execute(q)).scalar_one()
            total = sa.text("SELECT sum(message_count) FROM threads")
            out["sum_message_count"] = (await conn.execute(total)).scalar_one()
            out["revision"] = await revision(engine)
            return out
    finally:
        await engine.dispose()


def test_the_seeded_store_is_as_sized(store: tuple[Cluster, dict[str, object]]) -> None:
    cluster, facts = store
    got = asyncio.run(counts(cluster.dsn))
    assert got == {"threads": 200, "messages": 2000, "agents": 5, "thread_participants": 200,
                   "sum_message_count": 2000, "revision": HEAD}  # fmt: skip
    assert facts["reused"] is False
    assert (cluster.home / "seeded.json").exists()  # a second run would reuse it


async def pages(dsn: str) -> tuple[list[dict[str, object]], list[dict[str, object]], Fixtures]:
    engine = create_engine(dsn)
    try:
        async with engine.connect() as conn:
            fx = await fixtures(conn, data.TENANT, data.agent_ids(SIZES)[:TIMED_AGENTS])
            now = datetime.now(UTC)
            first = await list_page(conn, data.TENANT, "agent-000", ListAsk(), now)
            last = first[-1]
            after = (last["last_message_at"], last["thread_id"])
            second = await list_page(conn, data.TENANT, "agent-000", ListAsk(after=after), now)
            for op in sql_ops(conn, fx).values():
                await op(0)  # every timed operation runs
            return first, second, fx
    finally:
        await engine.dispose()


def test_keyset_pages_follow_each_other(store: tuple[Cluster, dict[str, object]]) -> None:
    first, second, fx = asyncio.run(pages(store[0].dsn))
    keys = [(r["last_message_at"], r["thread_id"]) for r in first + second]
    assert len(first) == len(second) == 50
    assert keys == sorted(keys, reverse=True)  # newest first, no overlap, no gap
    assert len(set(keys)) == 100
    assert all(r["contact_name"] and r["last"] for r in first)  # with their last message
    assert fx.threads50  # the thread read is timed on 50-message threads


async def searched(dsn: str, word: str) -> tuple[set[str], set[str]]:
    """The threads the list's search finds, and those with a message holding ``word``."""
    engine = create_engine(dsn)
    try:
        async with engine.connect() as conn:
            ask = ListAsk(text=word, limit=500)
            rows = await list_page(conn, data.TENANT, "agent-000", ask, datetime.now(UTC))
            q = sa.text("SELECT thread_id, text FROM messages")
            holding = {  # the last (here: only) word matches as a prefix
                t
                for t, text in await conn.execute(q)
                if any(w.startswith(word) for w in WORD.findall(text.lower()))
            }
            return {str(r["thread_id"]) for r in rows}, holding
    finally:
        await engine.dispose()


def test_search_finds_the_threads_with_the_word(store: tuple[Cluster, dict[str, object]]) -> None:
    found, holding = asyncio.run(searched(store[0].dsn, "balance"))
    assert holding and found == holding


async def assigned(dsn: str, agents: list[str]) -> dict[str, set[str]]:
    """The threads assigned to each agent in the store."""
    engine = create_engine(dsn)
    try:
        async with engine.connect() as conn:
            q = sa.text("SELECT thread_id FROM threads WHERE assignee = :a")
            return {a: {r[0] for r in await conn.execute(q, {"a": a})} for a in agents}
    finally:
        await engine.dispose()


async def over_http(base: str, fx: Fixtures, who: list[Credential],
                    theirs: dict[str, set[str]]) -> None:  # fmt: skip
    api = f"/api/tenants/{data.TENANT}/conversations"
    async with signed_in(base, who) as (clients, sign_in_ms):
        assert len(sign_in_ms) == len(who)
        for op in http_ops(clients, fx).values():
            await op(1)  # asserts 200 itself
        r = await clients[fx.agents[0]].get(f"{api}/{fx.thread(0)}")
        assert len(r.json()["messages"]) == 50
        for agent, client in clients.items():  # each agent's Mine is its own, not empty
            mine = await client.get(api, params={"view": "mine", "limit": "500"})
            assert mine.status_code == 200, (agent, mine.status_code)
            rows = mine.json()
            assert rows, f"{agent}: an empty Mine view (signed in as someone else?)"
            assert {r["thread_id"] for r in rows} == theirs[agent]


def test_http_and_sse_fan_out(store: tuple[Cluster, dict[str, object]], kafka: str) -> None:
    cluster = store[0]
    fx = asyncio.run(pages(cluster.dsn))[2]
    assert len(fx.agents) == TIMED_AGENTS
    who = asyncio.run(give_passwords(cluster.dsn, data.TENANT, fx.agents))
    theirs = asyncio.run(assigned(cluster.dsn, fx.agents))
    with served(cluster.dsn, kafka, data.TENANT, consume=False) as (base, _):
        asyncio.run(over_http(base, fx, who, theirs))
    with served(cluster.dsn, kafka, data.TENANT, consume=True) as (base, pid):
        sse = asyncio.run(fan_out(base, pid, data.TENANT, 7, 1, kafka, who[:2]))
    assert sse["publish_to_arrival_ms"]["n"] == 7  # every client, every round
    assert sse["sessions"] == 2  # the clients share two agents' sessions
    assert sse["rss_kib_all_agents"] > 0
