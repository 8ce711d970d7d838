"""The outbox relay as a child process of the unifier: woken by the parent, started again when
it dies, gone when its parent is gone, and never two at a time for one database."""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable

import pytest
import sqlalchemy as sa

from hotline.topics import CONVERSATIONS
from tests.integration.unifier.harness import eventually, publish, read_unified, running
from tests.integration.unifier.harness import settings_for as unifier_settings
from tests.kafka_helpers import fresh_topic, read_all
from tests.unit.unifier.factory import whatsapp_run
from unifier.entrypoints.relay_process import RelayConfig, RelayProcess, exclusive
from unifier.store.engine import create_engine, migrate
from unifier.store.relay_lease import lease_for
from unifier.store.schema import messages, outbox

pytestmark = pytest.mark.integration


async def test_a_killed_relay_is_started_again_and_nothing_is_lost_or_doubled(
    kafka: str, dsn: str
) -> None:
    tenant = "t" + uuid.uuid4().hex[:8]
    async with running(unifier_settings(kafka, dsn, relay_process=True)) as rt:
        relay = rt.relay
        assert isinstance(relay, RelayProcess)

        async def relayed(n: int) -> bool:  # n messages stored, their outbox rows all sent
            async with rt.engine.connect() as conn:
                stored = await conn.scalar(
                    sa.select(sa.func.count())
                    .select_from(messages)
                    .where(messages.c.tenant == tenant)
                )
                left = await conn.scalar(sa.select(sa.func.count()).select_from(outbox))
            return stored == n and left == 0

        await publish(kafka, whatsapp_run(tenant, 0, 20))
        await eventually(lambda: relayed(20))
        assert await relay.ready()  # the child announced that it publishes
        first = len(await read_unified(kafka, CONVERSATIONS, tenant))
        assert relay.proc is not None
        os.kill(relay.proc.pid, signal.SIGKILL)
        await eventually(lambda: negated(relay.ready))  # /readyz says so until it is back
        await publish(kafka, whatsapp_run(tenant, 20, 20))
        await eventually(lambda: relayed(40))
        await eventually(relay.ready)
        ids = Counter(e.event_id for e in await read_unified(kafka, CONVERSATIONS, tenant))
        assert relay.starts == 2
    assert first >= 40 and len(ids) == 2 * first and max(ids.values()) == 1


async def negated(check: Callable[[], Awaitable[bool]]) -> bool:
    return not await check()


def outbox_rows(topic: str, n: int) -> list[dict[str, object]]:
    return [
        {
            "topic": topic,
            "key": b"k",
            "event_type": "test.v1",
            "event_id": f"{topic}-{i}",
            "payload": b"{}",
        }
        for i in range(n)
    ]


async def pending(dsn: str) -> int:
    engine = create_engine(dsn)
    try:
        async with engine.connect() as conn:
            return int(
                (await conn.execute(sa.select(sa.func.count()).select_from(outbox))).scalar_one()
            )
    finally:
        await engine.dispose()


async def test_one_relay_per_database_and_end_of_input_stops_it(kafka: str, dsn: str) -> None:
    """While another relay holds the database's lock (SQLite: the host's flock; PostgreSQL: the
    database's lease) the child publishes nothing; once it is free the child publishes;
    closing its input (what a dead parent does) stops it."""
    topic = await fresh_topic(kafka, 1, with_dlq=False)
    engine = create_engine(dsn)
    await migrate(engine)
    async with engine.begin() as conn:
        await conn.execute(outbox.insert(), outbox_rows(topic, 5))
    await engine.dispose()
    relay = RelayProcess(unifier_settings(kafka, dsn))
    stop = asyncio.Event()
    lease = lease_for(dsn)
    with exclusive(RelayConfig.of(unifier_settings(kafka, dsn)).lock_path()):
        assert await lease.try_acquire()
        task = asyncio.create_task(relay.run(stop))
        await asyncio.sleep(3.0)  # long enough for a child to start and publish
        assert relay.alive() and await pending(dsn) == 5
        await lease.release()
    assert len(await read_all(kafka, topic, expect=5, timeout=15)) == 5
    await eventually(lambda: _none_pending(dsn))
    assert relay.proc is not None
    relay.proc.stdin.close()  # type: ignore[union-attr]
    assert await asyncio.wait_for(relay.proc.wait(), 15) == 0
    stop.set()
    await task


async def _none_pending(dsn: str) -> bool:
    return await pending(dsn) == 0
