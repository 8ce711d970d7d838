"""Helpers for tests against the real broker: fresh topics, end offsets, reading a topic."""

from __future__ import annotations

import asyncio
import uuid

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

from hotline.kafka.admin import ensure_topics, partitions_of
from hotline.topics import TopicSpec


async def fresh_topic(bootstrap: str, n_partitions: int = 1, with_dlq: bool = True) -> str:
    """Create ``test.<uuid>`` (and its ``.dlq``) so a test starts from an empty log."""
    name = f"test.{uuid.uuid4().hex[:12]}"
    specs = [TopicSpec(name, n_partitions, 3_600_000, f"{name}.dlq" if with_dlq else None, "")]
    if with_dlq:
        specs.append(TopicSpec(f"{name}.dlq", 1, 3_600_000, None, ""))
    await ensure_topics(bootstrap, specs)
    return name


async def partitions(bootstrap: str, *topics: str) -> list[TopicPartition]:
    return await partitions_of(bootstrap, *topics)


async def end_offsets(bootstrap: str, *topics: str) -> dict[TopicPartition, int]:
    """The next offset of every partition of ``topics`` (what a 'nothing produced' check diffs)."""
    tps = await partitions(bootstrap, *topics)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        offsets: dict[TopicPartition, int] = await consumer.end_offsets(tps)
        return offsets
    finally:
        await consumer.stop()


async def total_records(bootstrap: str, *topics: str) -> int:
    return sum((await end_offsets(bootstrap, *topics)).values())


async def read_all(
    bootstrap: str, topic: str, expect: int | None = None, timeout: float = 10.0
) -> list[ConsumerRecord[bytes, bytes]]:
    """Read a topic from the beginning until ``expect`` records (or until it is drained)."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    out: list[ConsumerRecord[bytes, bytes]] = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        goal = expect if expect is not None else await _total(bootstrap, consumer, topic)
        while len(out) < goal and loop.time() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for records in batch.values():
                out.extend(records)
        return out
    finally:
        await consumer.stop()


async def _total(bootstrap: str, consumer: AIOKafkaConsumer, topic: str) -> int:
    tps = await partitions(bootstrap, topic)
    ends = await consumer.end_offsets(tps)
    begins = await consumer.beginning_offsets(tps)
    return sum(ends[tp] - begins[tp] for tp in tps)
