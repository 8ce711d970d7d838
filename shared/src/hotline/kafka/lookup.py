"""Did a record we sent before a crash reach Kafka? A bounded look at a topic's tail.

For sources that cannot be re-asked idempotently (an IMAP UID recorded as pending before a
crash): read the last ``window`` records of each partition for the key and the event id. A
point lookup with a deadline, not a consumer loop: no group is joined, nothing is committed.
"""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, TopicPartition

from hotline.kafka.admin import partitions_of
from hotline.kafka.errors import KafkaUnavailable

WINDOW = 500


async def was_published(
    bootstrap: str,
    topic: str,
    key: bytes,
    event_id: str,
    *,
    window: int = WINDOW,
    timeout: float = 10,
) -> bool:
    try:
        tps = await asyncio.wait_for(partitions_of(bootstrap, topic), timeout)
    except LookupError as exc:  # never answer "not published" for a topic we cannot see
        raise KafkaUnavailable(str(exc)) from exc
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        return await asyncio.wait_for(_search(consumer, tps, key, event_id, window), timeout)
    finally:
        await consumer.stop()


async def _search(
    consumer: AIOKafkaConsumer, tps: list[TopicPartition], key: bytes, event_id: str, window: int
) -> bool:
    consumer.assign(tps)
    ends = await consumer.end_offsets(tps)
    begins = await consumer.beginning_offsets(tps)
    for tp in tps:
        consumer.seek(tp, max(begins[tp], ends[tp] - window))
    while await behind(consumer, ends):
        for records in (await consumer.getmany(timeout_ms=200)).values():
            if any(r.key == key and _event_id(r.headers, r.key) == event_id for r in records):
                return True
    return False


async def behind(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    """True while the consumer has not reached ``ends`` on some partition."""
    for tp, end in ends.items():
        if await consumer.position(tp) < end:
            return True
    return False


def _event_id(headers: object, key: bytes | None) -> str:
    for name, value in headers or ():  # type: ignore[attr-defined]
        if name == "event_id":
            return bytes(value).decode()
    return (key or b"").decode()


async def tail_header_values(
    bootstrap: str, topics: list[str], header: str, *, window: int = WINDOW, timeout: float = 30
) -> set[bytes]:
    """Every value of ``header`` among the last ``window`` records of each partition of
    ``topics`` (an outbox relay finds what it published before a crash)."""
    tps = await asyncio.wait_for(partitions_of(bootstrap, *topics), timeout)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        return await asyncio.wait_for(_collect(consumer, tps, header, window), timeout)
    finally:
        await consumer.stop()


async def _collect(
    consumer: AIOKafkaConsumer, tps: list[TopicPartition], header: str, window: int
) -> set[bytes]:
    consumer.assign(tps)
    ends = await consumer.end_offsets(tps)
    begins = await consumer.beginning_offsets(tps)
    for tp in tps:
        consumer.seek(tp, max(begins[tp], ends[tp] - window))
    found: set[bytes] = set()
    while await behind(consumer, ends):
        for records in (await consumer.getmany(timeout_ms=200)).values():
            for r in records:
                found.update(bytes(v) for k, v in r.headers or () if k == header)
    return found
