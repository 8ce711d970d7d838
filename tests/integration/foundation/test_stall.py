"""An unclassified error (a bug) stalls its partition against the real broker: nothing is
dead-lettered or committed past the failing record, a metric counts it, and the same record is
tried again with backoff until the bug goes away; classified poison still goes to the DLQ."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from aiokafka import TopicPartition

from hotline import events as ev
from hotline.kafka import DLQ_HEADER_PREFIX, Batch, ConsumerLoop, EventProducer, PermanentError
from hotline.kafka.consumer import InRecord, LoopSettings
from hotline.metrics import Metrics
from tests.integration.foundation.test_runtime import MemoryOffsets, committed, pid, text_events
from tests.kafka_helpers import fresh_topic, read_all, total_records

pytestmark = pytest.mark.integration
MALFORMED = b'{"type": "message.received.v1", "tenant": "ac'


class Bug:
    """Raises ``KeyError`` on one record until ``fixed`` is set; counts the attempts."""

    def __init__(self, on: str) -> None:
        self.on, self.attempts, self.fixed = on, 0, asyncio.Event()

    def hit(self, ids: list[str]) -> None:
        if self.on in ids and not self.fixed.is_set():
            self.attempts += 1
            raise KeyError("tenant")  # what a plain bug in our own code raises


def loop_for(kafka: str, topic: str, group: str, producer: EventProducer, metrics: Metrics,
             handle: Callable[[Batch[ev.Event]], Awaitable[None]],
             decode: Callable[[InRecord], ev.Event] = lambda r: ev.decode(r.value or b""),
             prefetch: bool = False) -> ConsumerLoop[ev.Event]:  # fmt: skip
    settings = LoopSettings(bootstrap=kafka, group_id=group, topics=[topic], backoff_base=0.01,
                            max_attempts=2, prefetch=prefetch)  # fmt: skip
    return ConsumerLoop(settings, decode=decode, handle=handle, producer=producer,
                        metrics=metrics)  # fmt: skip


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 20) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


def stalls(metrics: Metrics, topic: str, error: str = "KeyError") -> float:
    labels = {"topic": topic, "error": error}
    return metrics.registry.get_sample_value("hotline_consumer_stalls_total", labels) or 0.0


def stalled(metrics: Metrics, topic: str) -> float:
    labels = {"topic": topic}
    return metrics.registry.get_sample_value("hotline_consumer_stalled_partitions", labels) or 0.0


async def stalled_three_times(kafka: str, topic: str, metrics: Metrics, poison: int) -> None:
    """Three stalls, or (the old behaviour) a dead letter more than the ``poison`` expected."""

    async def check() -> bool:
        dead = await total_records(kafka, f"{topic}.dlq")
        return stalls(metrics, topic) >= 3 or dead > poison

    await until(check)


@pytest.mark.parametrize("prefetch", [False, True])
async def test_a_bug_stalls_the_partition_then_the_record_is_processed_once(
    kafka: str, producer: EventProducer, prefetch: bool
) -> None:
    topic, group, metrics = await fresh_topic(kafka), f"g-stall-{prefetch}", Metrics("t")
    good = text_events(5)  # offsets: wamid.0 0, malformed 1, wamid.1 2 ... wamid.4 5
    await producer.publish(good[:1], topic=topic)
    await producer.send(topic, MALFORMED, key=b"conv-1")
    await producer.publish(good[1:], topic=topic)
    stop, seen, bug = asyncio.Event(), list[str](), Bug("wamid.2")  # wamid.2 at offset 3

    async def handle(batch: Batch[ev.Event]) -> None:
        ids = [pid(i.value) for i in batch.items]
        if "wamid.1" in ids:
            raise PermanentError("unroutable", "no tenant configured")
        bug.hit(ids)
        seen.extend(ids)
        if "wamid.4" in seen:
            stop.set()

    loop = loop_for(kafka, topic, group, producer, metrics, handle, prefetch=prefetch)
    task = asyncio.create_task(loop.run(stop))
    await stalled_three_times(kafka, topic, metrics, poison=2)
    assert await total_records(kafka, f"{topic}.dlq") == 2  # the bug is not poison
    dead = await read_all(kafka, f"{topic}.dlq", expect=2, timeout=2)
    reasons = {int(dict(d.headers)[DLQ_HEADER_PREFIX + "source_offset"]):
               dict(d.headers)[DLQ_HEADER_PREFIX + "reason"] for d in dead}  # fmt: skip
    assert reasons == {1: b"malformed", 2: b"unroutable"}
    assert seen == ["wamid.0"]
    assert await committed(kafka, group, topic) == 3  # up to, not past, the failing record
    assert bug.attempts >= 3 and stalled(metrics, topic) == 1
    assert loop.stalled_seconds() > 0
    bug.fixed.set()  # the fix is deployed
    await asyncio.wait_for(task, 20)
    assert seen == ["wamid.0", "wamid.2", "wamid.3", "wamid.4"]  # each once, in order
    assert await committed(kafka, group, topic) == 6
    assert await total_records(kafka, f"{topic}.dlq") == 2
    assert stalled(metrics, topic) == 0 and loop.stalled_seconds() == 0


async def test_a_decoder_bug_stalls_instead_of_dead_lettering(
    kafka: str, producer: EventProducer
) -> None:
    topic, group, metrics = await fresh_topic(kafka), "g-stall-decode", Metrics("t")
    await producer.publish(text_events(3), topic=topic)
    stop, seen, bug = asyncio.Event(), list[str](), Bug("wamid.1")

    def decode(record: InRecord) -> ev.Event:
        event = ev.decode(record.value or b"")
        bug.hit([pid(event)])
        return event

    async def handle(batch: Batch[ev.Event]) -> None:
        seen.extend(pid(i.value) for i in batch.items)
        if "wamid.2" in seen:
            stop.set()

    loop = loop_for(kafka, topic, group, producer, metrics, handle, decode)
    task = asyncio.create_task(loop.run(stop))
    await stalled_three_times(kafka, topic, metrics, poison=0)
    assert await total_records(kafka, f"{topic}.dlq") == 0
    assert bug.attempts >= 3 and stalled(metrics, topic) == 1
    assert seen == ["wamid.0"]
    assert await committed(kafka, group, topic) == 1
    bug.fixed.set()
    await asyncio.wait_for(task, 20)
    assert seen == ["wamid.0", "wamid.1", "wamid.2"]
    assert await committed(kafka, group, topic) == 3
    assert await total_records(kafka, f"{topic}.dlq") == 0


async def test_only_the_failing_partition_stops_in_store_mode_with_a_poll_handler(
    kafka: str, producer: EventProducer
) -> None:
    topic, metrics = await fresh_topic(kafka, 3), Metrics("t")
    sent = [e for k in range(3) for e in text_events(4, key=f"conv-{k}", start=4 * k)]
    await producer.publish(sent, topic=topic)
    store, stop, seen, bug = MemoryOffsets({}), asyncio.Event(), list[str](), Bug("wamid.5")

    async def many(batches: list[Batch[ev.Event]]) -> None:  # one transaction, as the unifier
        bug.hit([pid(i.value) for b in batches for i in b.items])
        seen.extend(pid(i.value) for b in batches for i in b.items)
        store.offsets.update({b.tp: b.next_offset for b in batches})
        if len(seen) >= len(sent):
            stop.set()

    async def one(batch: Batch[ev.Event]) -> None:
        await many([batch])

    settings = LoopSettings(bootstrap=kafka, group_id="g-stall-store", topics=[topic],
                            backoff_base=0.01)  # fmt: skip
    loop = ConsumerLoop(settings, decode=lambda r: ev.decode(r.value or b""), handle=one,
                        handle_poll=many, producer=producer, offset_store=store,
                        metrics=metrics)  # fmt: skip
    task = asyncio.create_task(loop.run(stop))
    await stalled_three_times(kafka, topic, metrics, poison=0)
    await until(lambda: _true(len(seen) >= 9))  # the other partitions keep flowing
    assert await total_records(kafka, f"{topic}.dlq") == 0
    assert sorted(seen) == sorted(f"wamid.{i}" for i in range(12) if i not in (5, 6, 7))
    where = {pid(ev.decode(r.value or b"")): r for r in await read_all(kafka, topic, expect=12)}
    failing = TopicPartition(topic, where["wamid.5"].partition)
    assert store.offsets.get(failing, 0) == where["wamid.5"].offset  # stopped before it
    ends = {TopicPartition(topic, r.partition): r.offset + 1 for r in where.values()}
    assert {tp: n for tp, n in store.offsets.items() if tp != failing} == {
        tp: n for tp, n in ends.items() if tp != failing
    }
    bug.fixed.set()
    await asyncio.wait_for(task, 20)
    assert sorted(seen) == sorted(f"wamid.{i}" for i in range(12))  # each exactly once
    assert store.offsets == ends
    assert await total_records(kafka, f"{topic}.dlq") == 0


async def _true(value: bool) -> bool:
    return value
