"""The outbox relay after a crash between Kafka's ack and the outbox delete: the rows already on
the topic are recognised in its tail and deleted, not published a second time."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from pathlib import Path
from typing import cast

import pytest
import sqlalchemy as sa

from hotline.kafka import EventProducer, ProducerSettings
from tests.kafka_helpers import fresh_topic, read_all
from unifier.entrypoints.relay import OutboxRelay
from unifier.store.engine import BUSY_TIMEOUT_MS, create_engine, migrate
from unifier.store.schema import outbox

pytestmark = pytest.mark.integration


def row(topic: str, i: int) -> dict[str, object]:
    return {
        "topic": topic,
        "key": f"conv-{i % 3}".encode(),
        "event_type": "test.v1",
        "event_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{topic}/{i}")),
        "payload": f'{{"n": {i}}}'.encode(),
    }


async def test_relay_recovers_from_a_crash_after_the_ack(kafka: str, dsn: str) -> None:
    topic = await fresh_topic(kafka, 3, with_dlq=False)
    engine = create_engine(dsn)
    await migrate(engine)
    producer = EventProducer(ProducerSettings(bootstrap=kafka))
    await producer.start()
    try:
        rows = [row(topic, i) for i in range(30)]
        async with engine.begin() as conn:
            await conn.execute(outbox.insert(), rows)
        # The process that "died": it published the first 12 rows, acked, but never deleted them.
        await producer.send_many(
            topic,
            [
                (
                    cast(bytes, r["key"]),
                    cast(bytes, r["payload"]),
                    [("event_type", b"test.v1"), ("event_id", str(r["event_id"]).encode())],
                )
                for r in rows[:12]
            ],
        )
        relay = OutboxRelay(engine, producer, batch=100)
        assert await relay.reconcile() == 12
        stop = asyncio.Event()
        task = asyncio.create_task(relay.run(stop, idle=0.05))
        records = await read_all(kafka, topic, expect=30, timeout=15)
        await asyncio.sleep(0.5)  # anything extra would show up now
        stop.set()
        await task
        records = await read_all(kafka, topic, timeout=5)
    finally:
        await producer.stop()
        await engine.dispose()
    ids = [dict(r.headers)["event_id"].decode() for r in records]
    assert sorted(ids) == sorted(str(r["event_id"]) for r in rows)  # each once, none missing


async def test_relay_deletes_once_another_writer_lets_go(kafka: str, tmp_path: Path) -> None:
    """SQLite: the consumer holds the write lock; the relay publishes, asks for the lock every
    few ms (its connection's busy timeout is 0 meanwhile), deletes once the lock is free, and
    leaves the connection's usual busy timeout behind."""
    topic = await fresh_topic(kafka, 1, with_dlq=False)
    db = tmp_path / "unifier.db"
    engine = create_engine(f"sqlite:///{db}")
    await migrate(engine)
    producer = EventProducer(ProducerSettings(bootstrap=kafka))
    await producer.start()
    writer = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    try:
        async with engine.begin() as conn:
            await conn.execute(outbox.insert(), [row(topic, i) for i in range(5)])
        writer.execute("BEGIN IMMEDIATE")  # the consumer, mid-transaction
        release = asyncio.get_running_loop().call_later(0.4, writer.execute, "COMMIT")
        relay = OutboxRelay(engine, producer, batch=100)
        assert await relay.relay_once() == 5
        assert not release.cancelled() and writer.in_transaction is False
        async with engine.connect() as conn:
            assert (
                await conn.execute(sa.select(sa.func.count()).select_from(outbox))
            ).scalar() == 0
            assert (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar() == BUSY_TIMEOUT_MS
        records = await read_all(kafka, topic, expect=5, timeout=10)
    finally:
        writer.close()
        await producer.stop()
        await engine.dispose()
    assert len(records) == 5
