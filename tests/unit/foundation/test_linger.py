"""Records linger together, reach aiokafka as batches per partition in one turn and in order;
each record's future ends as its batch's does."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from hotline.kafka import bulk
from hotline.kafka.linger import Linger


class FakeBatch:
    """aiokafka's BatchBuilder: the first record always fits, then up to ``room`` bytes."""

    def __init__(self, room: int) -> None:
        self.room = room
        self.values: list[bytes] = []

    def append(self, *, key: Any, value: bytes, timestamp: Any, headers: Any) -> Any:
        if self.values and sum(map(len, self.values)) + len(value) > self.room:
            return None
        self.values.append(value)
        return object()


class FakeProducer:
    """The part of aiokafka's producer a Linger uses."""

    def __init__(self, first_send_waits: float = 0.0, room: int = 1000, parts: int = 2) -> None:
        self.sent: list[tuple[str, int, list[bytes], int]] = []  # topic, partition, values, turn
        self.futures: list[asyncio.Future[Any]] = []
        self.first_send_waits, self.room, self.parts = first_send_waits, room, parts
        self.turns = 0
        self.refuse_topic = ""

    async def partitions_for(self, topic: str) -> set[int]:
        if topic == self.refuse_topic:
            raise RuntimeError("no metadata")
        return set(range(self.parts))

    def create_batch(self) -> FakeBatch:
        return FakeBatch(self.room)

    async def send_batch(self, batch: FakeBatch, topic: str, *, partition: int) -> Any:
        if self.first_send_waits and not self.sent:
            await asyncio.sleep(self.first_send_waits)  # e.g. the partition's batch in flight
        self.sent.append((topic, partition, batch.values, self.turns))
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.futures.append(fut)
        return fut

    async def count_turns(self) -> None:
        while True:
            self.turns += 1
            await asyncio.sleep(0)


def linger(producer: FakeProducer, seconds: float = 0.01) -> Linger:
    return Linger(producer, seconds)  # type: ignore[arg-type]


def values(producer: FakeProducer) -> list[bytes]:
    return [v for _, _, batch, _ in producer.sent for v in batch]


async def test_records_wait_then_leave_as_one_batch_per_partition_in_one_turn() -> None:
    producer = FakeProducer()
    turns = asyncio.create_task(producer.count_turns())
    lingering = linger(producer)
    keys = [b"alice", b"bob", b"carol", b"dave"]
    futures = [lingering.send("t", b"%d" % i, keys[i % 4], []) for i in range(8)]
    await asyncio.sleep(0)
    futures.append(lingering.send("t", b"8", b"alice", []))  # later, in the same window
    assert producer.sent == []
    await asyncio.sleep(0.03)
    turns.cancel()
    assert len({turn for *_, turn in producer.sent}) == 1  # nothing ran in between
    partitions = sorted(p for _, p, _, _ in producer.sent)
    assert partitions == sorted({bulk.partition_for(k, [0, 1]) for k in keys})
    for _, partition, batch, _ in producer.sent:  # each partition's records in send order
        mine = [b"%d" % i for i in range(9) if bulk.partition_for(keys[i % 4], [0, 1]) == partition]
        assert batch == mine
    assert not any(f.done() for f in futures)  # no ack yet


async def test_each_record_ends_as_its_batch_does() -> None:
    producer = FakeProducer(parts=1, room=2)  # two one-byte records a batch
    lingering = linger(producer)
    futures = [lingering.send("t", b"%d" % i, b"k", []) for i in range(5)]
    await lingering.flush()
    assert [batch for _, _, batch, _ in producer.sent] == [[b"0", b"1"], [b"2", b"3"], [b"4"]]
    producer.futures[0].set_result("meta-0")
    producer.futures[1].set_exception(RuntimeError("broker said no"))
    producer.futures[2].cancel()
    await asyncio.sleep(0)
    assert [f.result() for f in futures[:2]] == ["meta-0", "meta-0"]
    for f in futures[2:4]:
        with pytest.raises(RuntimeError, match="broker said no"):
            f.result()
    assert futures[4].cancelled()


async def test_a_large_record_starts_a_batch_of_its_own() -> None:
    producer = FakeProducer(parts=1, room=4)
    lingering = linger(producer)
    for value in (b"a", b"b" * 10, b"c"):
        lingering.send("t", value, b"k", [])
    await lingering.flush()
    assert [batch for _, _, batch, _ in producer.sent] == [[b"a"], [b"b" * 10], [b"c"]]


async def test_a_later_window_waits_for_an_earlier_one_that_is_slow_to_go_in() -> None:
    producer = FakeProducer(first_send_waits=0.05)
    lingering = linger(producer, seconds=0.005)
    lingering.send("t", b"first", b"k", [])
    await asyncio.sleep(0.02)  # the first window is handed over and stuck behind its wait
    lingering.send("t", b"second", b"k", [])
    await asyncio.sleep(0.1)
    assert values(producer) == [b"first", b"second"]


async def test_a_topic_without_metadata_fails_only_its_own_records() -> None:
    producer = FakeProducer()
    producer.refuse_topic = "gone"
    lingering = linger(producer)
    refused = lingering.send("gone", b"x", None, [])
    kept = lingering.send("t", b"ok", None, [])
    await lingering.flush()
    with pytest.raises(RuntimeError, match="no metadata"):
        refused.result()
    assert values(producer) == [b"ok"] and not kept.done()


async def test_flush_hands_over_at_once_and_waits_until_all_is_in() -> None:
    producer = FakeProducer(first_send_waits=0.02)
    lingering = linger(producer, seconds=60)
    lingering.send("t", b"a", None, [])
    await lingering.flush()
    assert values(producer) == [b"a"]
    await lingering.flush()  # nothing waits: returns
