"""handle_poll: every partition of a poll in one call; poison falls back to per-partition."""

from __future__ import annotations

import asyncio

import pytest

from hotline import events as ev
from hotline.kafka import Batch, ConsumerLoop, EventProducer, PermanentError
from hotline.kafka.consumer import LoopSettings
from tests.integration.foundation.test_runtime import committed_all, pid, text_events
from tests.kafka_helpers import fresh_topic, read_all

pytestmark = pytest.mark.integration


class Seen:
    def __init__(self, want: int, stop: asyncio.Event) -> None:
        self.calls: list[list[int]] = []  # partitions per call
        self.ids: list[str] = []
        self.want, self.stop = want, stop

    def take(self, batches: list[Batch[ev.Event]]) -> None:
        self.calls.append([b.tp.partition for b in batches])
        self.ids += [pid(i.value) for b in batches for i in b.items]
        if len(self.ids) >= self.want:
            self.stop.set()


def loop_for(kafka: str, topic: str, group: str, seen: Seen, producer: EventProducer,
             poll_fails_on: str = "", prefetch: bool = False,
             ) -> ConsumerLoop[ev.Event]:  # fmt: skip
    async def one(batch: Batch[ev.Event]) -> None:
        if any(pid(i.value) == poll_fails_on for i in batch.items):
            raise PermanentError("unroutable", "test")
        seen.take([batch])

    async def many(batches: list[Batch[ev.Event]]) -> None:
        ids = [pid(i.value) for b in batches for i in b.items]
        if poll_fails_on in ids:
            raise PermanentError("unroutable", "test")
        seen.take(batches)

    settings = LoopSettings(bootstrap=kafka, group_id=group, topics=[topic], max_attempts=1,
                            prefetch=prefetch)  # fmt: skip
    return ConsumerLoop(settings, decode=lambda r: ev.decode(r.value or b""), handle=one,
                        handle_poll=many, producer=producer)  # fmt: skip


async def _fill(producer: EventProducer, topic: str) -> list[ev.Event]:
    sent = [e for k in range(3) for e in text_events(4, key=f"conv-{k}", start=4 * k)]
    await producer.publish(sent, topic=topic)
    return sent


@pytest.mark.parametrize("prefetch", [False, True])
async def test_one_call_for_all_partitions_of_a_poll(
    kafka: str, producer: EventProducer, prefetch: bool
) -> None:
    topic = await fresh_topic(kafka, 3)
    await _fill(producer, topic)
    stop = asyncio.Event()
    seen = Seen(12, stop)
    group = f"g-poll-{prefetch}"
    loop = loop_for(kafka, topic, group, seen, producer, prefetch=prefetch)
    await asyncio.wait_for(loop.run(stop), 20)
    assert sorted(seen.ids) == sorted(f"wamid.{i}" for i in range(12))
    assert any(len(parts) > 1 for parts in seen.calls)  # several partitions in one call
    assert sum((await committed_all(kafka, group, topic, 3)).values()) == 12


@pytest.mark.parametrize("prefetch", [False, True])
async def test_a_failing_poll_is_retaken_partition_by_partition(
    kafka: str, producer: EventProducer, prefetch: bool
) -> None:
    topic = await fresh_topic(kafka, 3)
    sent = await _fill(producer, topic)
    stop = asyncio.Event()
    seen = Seen(11, stop)
    loop = loop_for(kafka, topic, f"g-poll-bad-{prefetch}", seen, producer,
                    poll_fails_on="wamid.5", prefetch=prefetch)  # fmt: skip
    await asyncio.wait_for(loop.run(stop), 20)
    assert sorted(seen.ids) == sorted(f"wamid.{i}" for i in range(12) if i != 5)
    assert all(len(parts) == 1 for parts in seen.calls)
    [dead] = await read_all(kafka, f"{topic}.dlq", expect=1)
    assert ev.decode(dead.value or b"") == sent[5]
