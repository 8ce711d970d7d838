"""One outbox relay per PostgreSQL database across processes (hosts): the relays of two
unifiers on one database never publish at once, and when the owner is killed -9 a standby takes
the lease over within seconds, reconciles, and publishes what was left, once and in order."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid
from collections import defaultdict

import pytest
import sqlalchemy as sa

from hotline.kafka import EventProducer, ProducerSettings
from tests.integration.unifier.conftest import PgCluster, new_pg_database
from tests.kafka_helpers import fresh_topic, read_all
from unifier.entrypoints.relay import OutboxRelay
from unifier.store.engine import create_engine, migrate
from unifier.store.relay_lease import AdvisoryLease, LeaseLost, lease_for
from unifier.store.schema import outbox

pytestmark = pytest.mark.integration

HOLDER = """
import asyncio, sys
from unifier.store.relay_lease import AdvisoryLease
async def main():
    lease = AdvisoryLease(sys.argv[1])
    assert await lease.try_acquire()
    print("owned", flush=True)
    await asyncio.sleep(3600)
asyncio.run(main())
"""


def rows(topic: str, start: int, n: int) -> list[dict[str, object]]:
    return [
        {
            "topic": topic,
            "key": f"conv-{i % 4}".encode(),
            "event_type": "test.v1",
            "event_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{topic}/{i}")),
            "payload": str(i).encode(),
        }
        for i in range(start, start + n)
    ]


async def test_two_relays_one_owner_and_a_killed_owner_is_taken_over(
    kafka: str, postgres: PgCluster
) -> None:
    dsn = new_pg_database(postgres)
    topic = await fresh_topic(kafka, 2, with_dlq=False)
    engines = [create_engine(dsn), create_engine(dsn)]
    await migrate(engines[0])
    async with engines[0].begin() as conn:
        await conn.execute(outbox.insert(), rows(topic, 0, 40))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, dsn], stdout=subprocess.PIPE, text=True
    )
    producer = EventProducer(ProducerSettings(bootstrap=kafka))
    await producer.start()
    relays = [OutboxRelay(e, producer, batch=7) for e in engines]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(r.run(stop, idle=0.05)) for r in relays]
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "owned"
        await asyncio.wait_for(asyncio.gather(*(r.started.wait() for r in relays)), 10)
        await asyncio.sleep(1.5)  # standbys: each asked for the lease at least twice
        assert not any(r.owner for r in relays) and sum(r.published for r in relays) == 0
        holder.kill()  # kill -9 of the owning process
        killed_at = time.monotonic()
        holder.wait()
        await _until(lambda: any(r.owner for r in relays), 5.0)
        takeover = time.monotonic() - killed_at
        async with engines[0].begin() as conn:  # more rows while the new owner publishes
            await conn.execute(outbox.insert(), rows(topic, 40, 40))
        owners = await _watch_owners(relays, 3.0)
        records = await read_all(kafka, topic, expect=80, timeout=20)
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        await producer.stop()
        holder.kill()
        for e in engines:
            await e.dispose()
    assert takeover < 3.0, f"takeover took {takeover:.2f} s"
    assert max(owners) == 1, "two relays owned the lease at once"
    values = [int(r.value or b"") for r in records]
    assert sorted(values) == list(range(80)), "each row published exactly once"
    per_key: dict[bytes, list[int]] = defaultdict(list)
    for r in records:
        per_key[r.key or b""].append(int(r.value or b""))
    assert all(v == sorted(v) for v in per_key.values()), "order per key kept"


async def _until(check: object, timeout: float) -> None:
    assert callable(check)
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "no relay took the lease over in time"
        await asyncio.sleep(0.02)


async def _watch_owners(relays: list[OutboxRelay], seconds: float) -> list[int]:
    seen = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        seen.append(sum(r.owner for r in relays))
        await asyncio.sleep(0.01)
    return seen


async def test_a_relay_that_loses_its_session_stops_and_stands_by(
    kafka: str, postgres: PgCluster
) -> None:
    """The server ends the owner's lock session (what it does to a vanished host after the
    keepalive probes): the owner stops at its next confirmation, another relay takes over."""
    dsn = new_pg_database(postgres)
    engine = create_engine(dsn)
    await migrate(engine)
    first, second = AdvisoryLease(dsn), AdvisoryLease(dsn)
    try:
        assert await first.try_acquire() and not await second.try_acquire()
        async with engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name LIKE 'hotline-relay%' AND pid IN "
                    "(SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)"
                )
            )
        with pytest.raises(Exception, match="lock session"):
            await first.confirm()
        assert await second.try_acquire()
        await second.confirm()
    finally:
        await first.release()
        await second.release()
        await engine.dispose()


def test_sqlite_keeps_the_single_host_default(tmp_path: object) -> None:
    assert not isinstance(lease_for(f"sqlite:///{tmp_path}/u.db"), AdvisoryLease)
    assert isinstance(lease_for("postgresql+asyncpg://u@h/db"), AdvisoryLease)


class FlakyLease:
    """Owned, then lost after ``confirms`` confirmations, then owned again."""

    retry_s = 0.05

    def __init__(self, confirms: int) -> None:
        self.confirms, self.acquired, self.released = confirms, 0, 0

    async def try_acquire(self) -> bool:
        self.acquired += 1
        return True

    async def confirm(self) -> None:
        self.confirms -= 1
        if self.confirms == 0:
            raise LeaseLost("session gone")

    async def release(self) -> None:
        self.released += 1


async def test_a_relay_that_loses_its_lease_stops_then_takes_it_again_and_reconciles(
    kafka: str, tmp_path: object
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/u.db")
    await migrate(engine)
    topic = await fresh_topic(kafka, 1, with_dlq=False)
    async with engine.begin() as conn:
        await conn.execute(outbox.insert(), rows(topic, 0, 30))
    producer = EventProducer(ProducerSettings(bootstrap=kafka))
    await producer.start()
    lease = FlakyLease(confirms=3)
    relay = OutboxRelay(engine, producer, batch=10, lease=lease)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop, idle=0.05))
    try:
        records = await read_all(kafka, topic, expect=30, timeout=20)
    finally:
        stop.set()
        await task
        await producer.stop()
        await engine.dispose()
    assert lease.acquired == 2 and lease.released >= 1, "stood by, then took the lease again"
    assert sorted(int(r.value or b"") for r in records) == list(range(30))
