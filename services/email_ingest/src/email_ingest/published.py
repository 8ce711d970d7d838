"""Did a record we sent before a crash reach Kafka? A bounded look at the topic's tail.

Used once at IMAP poller start when the checkpoint holds a pending UID: the record may have
been acked just before the crash. Reading the last ``window`` records of each partition for
the key and marker (event id) tells us whether to skip the UID or publish it again. This is a
point lookup with a deadline, not a consumer loop: nothing is committed, no group is joined.
"""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.client import AIOKafkaClient

from email_ingest.checkpoint import Pending
from hotline.kafka import KafkaUnavailable

WINDOW = 500


async def was_published(bootstrap: str, topic: str, pending: Pending, timeout: float = 10) -> bool:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, isolation_level="read_committed"
    )
    tps = await asyncio.wait_for(_partitions(bootstrap, topic), timeout)
    await consumer.start()
    try:
        return await asyncio.wait_for(_search(consumer, tps, pending), timeout)
    finally:
        await consumer.stop()


async def _partitions(bootstrap: str, topic: str) -> list[TopicPartition]:
    client = AIOKafkaClient(bootstrap_servers=bootstrap)
    await client.bootstrap()
    try:
        cluster = await client.fetch_all_metadata()
        parts = cluster.partitions_for_topic(topic)
    finally:
        await client.close()
    if not parts:  # never answer "not published" for a topic we cannot see
        raise KafkaUnavailable(f"no partitions known for {topic}")
    return [TopicPartition(topic, p) for p in sorted(parts)]


async def _search(consumer: AIOKafkaConsumer, tps: list[TopicPartition], pending: Pending) -> bool:
    consumer.assign(tps)
    ends = await consumer.end_offsets(tps)
    begins = await consumer.beginning_offsets(tps)
    for tp in tps:
        consumer.seek(tp, max(begins[tp], ends[tp] - WINDOW))
    key = pending.partition_key.encode()
    while await _behind(consumer, tps, ends):
        for records in (await consumer.getmany(timeout_ms=200)).values():
            if any(r.key == key and _marker(r.headers, r.key) == pending.event_id for r in records):
                return True
    return False


async def _behind(
    consumer: AIOKafkaConsumer, tps: list[TopicPartition], ends: dict[TopicPartition, int]
) -> bool:
    for tp in tps:
        if await consumer.position(tp) < ends[tp]:
            return True
    return False


def _marker(headers: object, key: bytes | None) -> str:
    for name, value in headers or ():  # type: ignore[attr-defined]
        if name == "event_id":
            return bytes(value).decode()
    return (key or b"").decode()
