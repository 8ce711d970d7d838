"""ConsumerLoop with prefetch: the next poll is decoded while the handler works on this one; a
rebalance in between discards it (the new assignment starts from committed/stored offsets).
Without prefetch, each partition is decoded just before its handler runs."""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka import TopicPartition
from aiokafka.structs import ConsumerRecord

from hotline.kafka import Batch, ConsumerLoop
from hotline.kafka.consumer import InRecord, LoopSettings

TP = TopicPartition("t", 0)


def record(offset: int) -> InRecord:
    return ConsumerRecord("t", 0, offset, 0, 0, None, b"%d" % offset, None, 0, 0, [])


class ScriptedConsumer:
    """Hands out one scripted poll per getmany, then nothing."""

    def __init__(self, polls: list[list[int]]) -> None:
        self.polls = [{TP: [record(o) for o in offsets]} for offsets in polls]
        self.commits: list[dict[TopicPartition, int]] = []

    def subscribe(self, topics: list[str], listener: Any) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def getmany(self, timeout_ms: int, max_records: int) -> dict[TopicPartition, Any]:
        if self.polls:
            return self.polls.pop(0)
        await asyncio.sleep(timeout_ms / 1000)
        return {}

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.commits.append(dict(offsets))


class Loop(ConsumerLoop[int]):
    def __init__(self, consumer: ScriptedConsumer, journal: list[str], stop: asyncio.Event,
                 rebalance_during: int | None = None, prefetch: bool = True) -> None:  # fmt: skip
        settings = LoopSettings("unused:9092", "g", ["t"], poll_timeout_ms=10, prefetch=prefetch)
        super().__init__(settings, decode=self.decode_one, handle=self.handle_one,
                         producer=None)  # type: ignore[arg-type]  # fmt: skip
        self.scripted, self.journal, self.stop = consumer, journal, stop
        self.rebalance_during = rebalance_during

    def _new_consumer(self) -> Any:
        return self.scripted

    def decode_one(self, r: InRecord) -> int:
        self.journal.append(f"decode {r.offset}")
        return int(r.value)

    async def handle_one(self, batch: Batch[int]) -> None:
        first = batch.items[0].value
        self.journal.append(f"handle {first}")
        for _ in range(3):  # the handler waits (on its database, say): the prefetch runs
            await asyncio.sleep(0)
        if first == self.rebalance_during:
            await self.on_revoked({TP})
            await self.on_assigned({TP})
        self.journal.append(f"handled {first}")
        if first == 4:
            self.stop.set()


async def test_the_next_poll_is_decoded_while_this_one_is_handled() -> None:
    journal: list[str] = []
    stop = asyncio.Event()
    consumer = ScriptedConsumer([[0, 1], [2, 3], [4]])
    await asyncio.wait_for(Loop(consumer, journal, stop).run(stop), 5)
    handled = [j for j in journal if j.startswith("handled")]
    assert handled == ["handled 0", "handled 2", "handled 4"]
    assert journal.index("decode 2") < journal.index("handled 0")  # overlapped
    assert [c[TP] for c in consumer.commits] == [2, 4, 5]


async def test_a_rebalance_discards_the_prefetched_poll() -> None:
    journal: list[str] = []
    stop = asyncio.Event()
    consumer = ScriptedConsumer([[0, 1], [2, 3], [4]])
    await asyncio.wait_for(Loop(consumer, journal, stop, rebalance_during=0).run(stop), 5)
    assert "decode 2" in journal  # fetched before the rebalance ...
    assert [j for j in journal if j.startswith("handled")] == ["handled 0", "handled 4"]
    assert [c[TP] for c in consumer.commits] == [2, 5]  # ... and neither handled nor committed


async def test_without_prefetch_each_partition_is_decoded_just_before_its_handler() -> None:
    journal: list[str] = []
    stop = asyncio.Event()
    consumer = ScriptedConsumer([])
    second = TopicPartition("t", 1)
    consumer.polls = [{TP: [record(0), record(1)], second: [record(4)]}]
    await asyncio.wait_for(Loop(consumer, journal, stop, prefetch=False).run(stop), 5)
    assert journal == [
        "decode 0", "decode 1", "handle 0", "handled 0",
        "decode 4", "handle 4", "handled 4",
    ]  # fmt: skip
    assert consumer.commits == [{TP: 2}, {second: 5}]
