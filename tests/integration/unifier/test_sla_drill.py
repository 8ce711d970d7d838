"""kill -9 drill around due times, on both databases: the unifier (consumer, SLA scheduler,
relay) is killed while first-response clocks warn and come due, and while it is down they pass;
the instances after it find the same clocks from the stored conversations. At the end each
conversation has exactly one warning and one breach on hotline.conversations, each breach at
its due time, and the outbox is empty."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from hotline import events as ev
from hotline import unified as un
from hotline.topics import CONVERSATIONS
from tests.integration.unifier.harness import publish, read_unified
from tests.unit.unifier.factory import T0, ident, message
from unifier.store.engine import create_engine

TARGET = timedelta(seconds=4)
POLICY = """
[[tenants]]
tenant = "{tenant}"
[[tenants.policies]]
name = "drill"
first_response = "4s"
resolution = "1h"
hours = "calendar"
warn_at = 0.5
"""


def worker(kafka: str, dsn: str, sla_file: Path, group: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "HOTLINE_KAFKA_BOOTSTRAP": kafka,
        "HOTLINE_DATABASE_URL": dsn,
        "HOTLINE_GROUP_ID": group,
        "HOTLINE_INSTANCE_ID": group,
        "HOTLINE_ENV": "test",
        "HOTLINE_LOG_LEVEL": "ERROR",
        "HOTLINE_SLA_FILE": str(sla_file),
        "HOTLINE_SLA_POLL_SECONDS": "0.2",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "unifier.worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def customers(tenant: str, prefix: str, n: int) -> list[ev.Event]:
    at = datetime.now(UTC) - T0
    kinds: list[ev.ChannelKind] = ["email", "whatsapp"]
    out: list[ev.Event] = []
    for i in range(n):
        kind = kinds[i % 2]
        handle = f"{prefix}{i}@example.test" if kind == "email" else f"+49151{prefix}{i:04d}"
        ids = [ident("email" if kind == "email" else "phone", handle)]
        out.append(message(f"{prefix}{i}", kind, handle=handle, ids=ids, tenant=tenant, at=at))
    return out


def kill(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait()


class Store:
    """Reads of the worker's database (nothing before the worker has migrated it)."""

    def __init__(self, dsn: str, tenant: str) -> None:
        self.engine, self.tenant = create_engine(dsn), tenant

    async def rows(self, sql: str) -> list[Any]:
        try:
            async with self.engine.connect() as conn:
                return list(await conn.execute(sa.text(sql), {"t": self.tenant}))
        except sa.exc.DBAPIError:  # not migrated yet
            return []

    async def count(self, sql: str) -> int:
        found = await self.rows(sql)
        return int(found[0][0]) if found else 0

    async def stored(self) -> int:
        return await self.count("select count(*) from messages where tenant = :t")

    async def settled(self, n: int) -> bool:
        """n clocks breached, and the outbox relayed every event."""
        breached = "select count(*) from sla_clocks where tenant = :t and state = 'breached'"
        left = await self.rows("select count(*) from outbox")
        return await self.count(breached) == n and bool(left) and left[0][0] == 0


async def until(check: Callable[[], Awaitable[bool]], seconds: float) -> None:
    end = time.monotonic() + seconds
    while not await check() and time.monotonic() < end:
        await asyncio.sleep(0.1)


async def test_kill_minus_nine_around_due_times(kafka: str, dsn: str, tmp_path: Path) -> None:
    tenant, group = "k" + uuid.uuid4().hex[:8], "sla-" + uuid.uuid4().hex[:8]
    sla_file = tmp_path / "sla.toml"
    sla_file.write_text(POLICY.format(tenant=tenant))
    store = Store(dsn, tenant)

    async def all_stored() -> bool:
        return await store.stored() == 20

    proc = worker(kafka, dsn, sla_file, group)
    try:
        await publish(kafka, customers(tenant, "a", 20))
        await until(all_stored, 30)
        assert await all_stored()
        await asyncio.sleep(3.0)  # the warnings (at 2 s) are out, the due times (4 s) near
        kill(proc)
        await publish(kafka, customers(tenant, "b", 10))  # while it is down: clocks start
        await asyncio.sleep(2.0)  # the first 20 come due with nobody running
        proc = worker(kafka, dsn, sla_file, group)
        await asyncio.sleep(3.5)  # started (~2 s), and killed again at work
        kill(proc)
        proc = worker(kafka, dsn, sla_file, group)
        await until(lambda: store.settled(30), 60)
        await asyncio.sleep(1.5)  # more scheduler rounds: nothing more may go out
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    threads = {r[0] for r in await store.rows("select thread_id from threads where tenant = :t")}
    await store.engine.dispose()
    await _check(kafka, tenant, threads)


async def _check(kafka: str, tenant: str, threads: set[str]) -> None:
    events = [
        e
        for e in await read_unified(kafka, CONVERSATIONS, tenant)
        if isinstance(e, un.SlaWarning | un.SlaBreached)
    ]
    counts = Counter((e.conversation_id, e.target, un.unified_tag(e)) for e in events)
    assert len(threads) == 30
    kinds = ("sla.warning.v1", "sla.breached.v1")
    want = {(t, "first_response", k) for t in threads for k in kinds}
    assert set(counts) == want, "no breach or warning lost"
    assert set(counts.values()) == {1}, "none duplicated"
    for e in events:
        if isinstance(e, un.SlaBreached):
            assert e.at == e.due_at == e.started_at + TARGET  # at its due time, not at restart
