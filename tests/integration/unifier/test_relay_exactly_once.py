"""The outbox relay after a crash between Kafka's ack and the outbox delete: the rows already on
the topic are recognised in its tail and deleted, not published a second time."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from hotline.kafka import EventProducer, ProducerSettings
from tests.kafka_helpers import fresh_topic, read_all
from unifier.relay import OutboxRelay
from unifier.store.engine import create_engine, migrate
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
                    r["key"],
                    r["payload"],
                    [
                        ("event_type", b"test.v1"),  # type: ignore[list-item]
                        ("event_id", str(r["event_id"]).encode()),
                    ],
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
