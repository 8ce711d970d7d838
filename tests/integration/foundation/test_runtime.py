"""The Kafka runtime against the real broker: round trip, redelivery, DLQ, retries, store mode."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypedDict, Unpack

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from hotline import events as ev
from hotline.kafka import (
    DLQ_HEADER_PREFIX,
    Batch,
    ConsumerLoop,
    EventProducer,
    PermanentError,
    RetriableError,
)
from hotline.kafka.consumer import InRecord, LoopSettings, StopConsuming
from tests.kafka_helpers import fresh_topic, read_all, total_records
from tests.unit.foundation.samples import all_samples

pytestmark = pytest.mark.integration


def text_events(n: int, key: str = "conv-1", start: int = 0) -> list[ev.Event]:
    base = all_samples()["message_text"]
    assert isinstance(base, ev.MessageReceived)
    out: list[ev.Event] = []
    for i in range(start, start + n):
        pid = f"wamid.{i}"
        out.append(
            ev.MessageReceived(
                **{f: getattr(base, f) for f in ("tenant", "channel", "received_at", "sender")},
                event_id=ev.event_id_for("acme", "whatsapp", pid, "msg"),
                provider_message_id=pid,
                conversation_key=key,
                content=ev.TextContent(text=f"message {i}"),
            )
        )
    return out


class Collector:
    def __init__(self, want: int, stop: asyncio.Event) -> None:
        self.seen: list[ev.Event] = []
        self.offsets: list[int] = []
        self.want, self.stop = want, stop

    async def __call__(self, batch: Batch[ev.Event]) -> None:
        self.seen.extend(i.value for i in batch.items)
        self.offsets.extend(i.record.offset for i in batch.items)
        if len(self.seen) >= self.want:
            self.stop.set()


def pid(event: ev.Event) -> str:
    """The provider id of a consumed event (every event here is a text message)."""
    assert isinstance(event, ev.MessageReceived)
    return event.provider_message_id


Handler = Callable[[Batch[ev.Event]], Awaitable[None]]


class LoopOverrides(TypedDict, total=False):
    """The ``LoopSettings`` fields a test changes from ``make_loop``'s defaults."""

    max_attempts: int


def make_loop(
    kafka: str,
    topic: str,
    group: str,
    handle: Handler,
    producer: EventProducer,
    **kw: Unpack[LoopOverrides],
) -> ConsumerLoop[ev.Event]:
    settings = LoopSettings(
        bootstrap=kafka,
        group_id=group,
        topics=[topic],
        parser_version="t1",
        backoff_base=0.01,
        **kw,
    )
    return ConsumerLoop(
        settings, decode=lambda r: ev.decode(r.value or b""), handle=handle, producer=producer
    )


async def run_until(loop: ConsumerLoop[ev.Event], stop: asyncio.Event, timeout: float = 20) -> None:
    await asyncio.wait_for(loop.run(stop), timeout)


async def committed_all(kafka: str, group: str, topic: str, n: int) -> dict[int, int]:
    c = AIOKafkaConsumer(bootstrap_servers=kafka, group_id=group, enable_auto_commit=False)
    await c.start()
    try:
        return {p: await c.committed(TopicPartition(topic, p)) or 0 for p in range(n)}
    finally:
        await c.stop()


async def committed(kafka: str, group: str, topic: str) -> int | None:
    c = AIOKafkaConsumer(bootstrap_servers=kafka, group_id=group, enable_auto_commit=False)
    await c.start()
    try:
        value: int | None = await c.committed(TopicPartition(topic, 0))
        return value
    finally:
        await c.stop()


async def test_round_trip_commits_offset_plus_one(kafka: str, producer: EventProducer) -> None:
    topic = await fresh_topic(kafka)
    sent = text_events(50)
    await producer.publish(sent, topic=topic)
    stop = asyncio.Event()
    got = Collector(50, stop)
    await run_until(make_loop(kafka, topic, "g-round", got, producer), stop)
    assert got.seen == sent  # same events, same order (one key -> one partition)
    assert await committed(kafka, "g-round", topic) == 50
    records = await read_all(kafka, topic, expect=50)
    assert {r.key for r in records} == {b"conv-1"}
    assert dict(records[0].headers)["event_type"] == b"message.received.v1"


async def test_crash_before_commit_redelivers(kafka: str, producer: EventProducer) -> None:
    topic = await fresh_topic(kafka)
    await producer.publish(text_events(5), topic=topic)
    handled = asyncio.Event()

    async def hang_after_processing(batch: Batch[ev.Event]) -> None:
        handled.set()
        await asyncio.Event().wait()  # the process "dies" here: before the commit

    task = asyncio.create_task(
        make_loop(kafka, topic, "g-crash", hang_after_processing, producer).run()
    )
    await asyncio.wait_for(handled.wait(), 20)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await committed(kafka, "g-crash", topic) is None
    stop = asyncio.Event()
    again = Collector(5, stop)
    await run_until(make_loop(kafka, topic, "g-crash", again, producer), stop)
    assert [pid(e) for e in again.seen] == [f"wamid.{i}" for i in range(5)]


async def test_retries_exhausted_stop_without_commit(kafka: str, producer: EventProducer) -> None:
    topic = await fresh_topic(kafka)
    await producer.publish(text_events(3), topic=topic)
    calls = 0

    async def db_down(batch: Batch[ev.Event]) -> None:
        nonlocal calls
        calls += 1
        raise RetriableError("database unavailable")

    loop = make_loop(kafka, topic, "g-retry", db_down, producer, max_attempts=3)
    with pytest.raises(StopConsuming):
        await asyncio.wait_for(loop.run(), 20)
    assert calls == 3
    assert await committed(kafka, "g-retry", topic) is None
    assert await total_records(kafka, f"{topic}.dlq") == 0


async def test_transient_failure_then_success_is_processed_once(
    kafka: str, producer: EventProducer
) -> None:
    topic = await fresh_topic(kafka)
    await producer.publish(text_events(4), topic=topic)
    stop = asyncio.Event()
    got = Collector(4, stop)
    failures = [RetriableError("blip"), ConnectionError("reset")]

    async def flaky(batch: Batch[ev.Event]) -> None:
        if failures:
            raise failures.pop(0)
        await got(batch)

    await run_until(make_loop(kafka, topic, "g-flaky", flaky, producer), stop)
    assert [pid(e) for e in got.seen] == [f"wamid.{i}" for i in range(4)]
    assert await committed(kafka, "g-flaky", topic) == 4


async def test_poison_record_is_dead_lettered_and_the_partition_keeps_flowing(
    kafka: str, producer: EventProducer
) -> None:
    topic = await fresh_topic(kafka)
    good = text_events(4)
    await producer.publish(good[:2], topic=topic)
    poison_headers = [("origin", b"test")]
    await producer.send(
        topic,
        b'{"type": "message.received.v1", "tenant": "ac',
        key=b"conv-1",
        headers=poison_headers,
    )
    await producer.publish(good[2:], topic=topic)
    stop = asyncio.Event()
    got = Collector(4, stop)
    await run_until(make_loop(kafka, topic, "g-poison", got, producer), stop)
    assert got.seen == good and got.offsets == [0, 1, 3, 4]
    [dead] = await read_all(kafka, f"{topic}.dlq", expect=1)
    headers = dict(dead.headers)
    assert dead.value == b'{"type": "message.received.v1", "tenant": "ac'
    assert dead.key == b"conv-1"
    assert headers["origin"] == b"test"
    assert headers[DLQ_HEADER_PREFIX + "reason"] == b"malformed"
    assert headers[DLQ_HEADER_PREFIX + "source_topic"] == topic.encode()
    assert headers[DLQ_HEADER_PREFIX + "source_partition"] == b"0"
    assert headers[DLQ_HEADER_PREFIX + "source_offset"] == b"2"
    assert headers[DLQ_HEADER_PREFIX + "parser_version"] == b"t1"
    assert headers[DLQ_HEADER_PREFIX + "attempt"] == b"1"
    assert await committed(kafka, "g-poison", topic) == 5


async def test_handler_rejection_isolates_one_record(kafka: str, producer: EventProducer) -> None:
    topic = await fresh_topic(kafka)
    sent = text_events(6)
    await producer.publish(sent, topic=topic)
    stop = asyncio.Event()
    got = Collector(5, stop)

    async def picky(batch: Batch[ev.Event]) -> None:
        if any(pid(i.value) == "wamid.3" for i in batch.items):
            raise PermanentError("unroutable", "no tenant configured")
        await got(batch)

    await run_until(make_loop(kafka, topic, "g-picky", picky, producer, max_attempts=2), stop)
    assert [pid(e) for e in got.seen] == [
        "wamid.0",
        "wamid.1",
        "wamid.2",
        "wamid.4",
        "wamid.5",
    ]
    [dead] = await read_all(kafka, f"{topic}.dlq", expect=1)
    assert ev.decode(dead.value or b"") == sent[3]
    assert dict(dead.headers)[DLQ_HEADER_PREFIX + "reason"] == b"unroutable"


class MemoryOffsets:
    """The OffsetStore port (a database in the unifier); the broker here is real."""

    def __init__(self, start: dict[TopicPartition, int]) -> None:
        self.offsets = dict(start)

    async def load(self, group: str, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        return {tp: self.offsets[tp] for tp in partitions if tp in self.offsets}

    async def save(self, group: str, tp: TopicPartition, next_offset: int) -> None:
        self.offsets[tp] = next_offset


async def test_store_mode_seeks_to_the_stored_offsets(kafka: str, producer: EventProducer) -> None:
    topic = await fresh_topic(kafka)
    await producer.publish(text_events(10), topic=topic)
    store = MemoryOffsets({TopicPartition(topic, 0): 7})
    stop = asyncio.Event()
    got = Collector(3, stop)

    async def handle(batch: Batch[ev.Event]) -> None:
        await got(batch)
        store.offsets[batch.tp] = batch.next_offset  # in the unifier: same DB transaction

    settings = LoopSettings(bootstrap=kafka, group_id="g-store", topics=[topic])
    loop: ConsumerLoop[ev.Event] = ConsumerLoop(
        settings,
        decode=lambda r: ev.decode(r.value or b""),
        handle=handle,
        producer=producer,
        offset_store=store,
    )
    await run_until(loop, stop)
    assert [pid(e) for e in got.seen] == ["wamid.7", "wamid.8", "wamid.9"]
    assert store.offsets[TopicPartition(topic, 0)] == 10


def _unused(_: InRecord) -> None:  # keeps the InRecord alias exercised for mypy
    return None
