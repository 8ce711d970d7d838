"""Records linger together and reach aiokafka in one turn, in order; each future ends as
aiokafka's does."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from hotline.kafka.linger import Linger


class FakeProducer:
    """aiokafka's ``send``: enqueue (maybe after a wait), return the record's future."""

    def __init__(self, first_send_waits: float = 0.0, refuse: bytes = b"") -> None:
        self.sent: list[tuple[str, bytes, bytes | None, int]] = []  # topic, value, key, turn
        self.futures: list[asyncio.Future[Any]] = []
        self.first_send_waits, self.refuse = first_send_waits, refuse
        self.turns = 0

    async def send(self, topic: str, value: bytes, key: bytes | None, headers: Any) -> Any:
        if self.first_send_waits and not self.sent:
            await asyncio.sleep(self.first_send_waits)  # e.g. waiting for metadata
        if value == self.refuse:
            raise ValueError("record too large")
        self.sent.append((topic, value, key, self.turns))
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.futures.append(fut)
        return fut

    async def count_turns(self) -> None:
        while True:
            self.turns += 1
            await asyncio.sleep(0)


def linger(producer: FakeProducer, seconds: float = 0.01) -> Linger:
    return Linger(producer, seconds)


def values(producer: FakeProducer) -> list[bytes]:
    return [value for _, value, _, _ in producer.sent]


async def test_records_wait_then_reach_the_producer_in_one_turn_in_order() -> None:
    producer = FakeProducer()
    turns = asyncio.create_task(producer.count_turns())
    lingering = linger(producer)
    futures = [lingering.send("t", b"%d" % i, b"k%d" % (i % 2), []) for i in range(3)]
    await asyncio.sleep(0)
    futures.append(lingering.send("ops", b"3", None, []))  # later, in the same window
    futures.append(lingering.send("t", b"4", b"k0", []))
    assert producer.sent == []
    await asyncio.sleep(0.03)
    turns.cancel()
    assert values(producer) == [b"0", b"1", b"2", b"4", b"3"]  # per topic, in send order
    assert [k for t, _, k, _ in producer.sent if t == "t"] == [b"k0", b"k1", b"k0", b"k0"]
    assert len({turn for *_, turn in producer.sent}) == 1  # nothing ran in between
    assert not any(f.done() for f in futures)  # no ack yet


async def test_each_record_ends_as_aiokafka_says() -> None:
    producer = FakeProducer()
    lingering = linger(producer)
    futures = [lingering.send("t", b"%d" % i, b"k", []) for i in range(4)]
    await lingering.flush()
    producer.futures[0].set_result("meta-0")
    producer.futures[1].set_exception(RuntimeError("broker said no"))
    producer.futures[2].cancel()
    await asyncio.sleep(0)
    assert futures[0].result() == "meta-0"
    with pytest.raises(RuntimeError, match="broker said no"):
        futures[1].result()
    assert futures[2].cancelled() and not futures[3].done()


async def test_a_later_window_waits_for_an_earlier_one_that_is_slow_to_go_in() -> None:
    producer = FakeProducer(first_send_waits=0.05)
    lingering = linger(producer, seconds=0.005)
    lingering.send("t", b"first", b"k", [])
    await asyncio.sleep(0.02)  # the first window is handed over and stuck behind its wait
    lingering.send("t", b"second", b"k", [])
    await asyncio.sleep(0.1)
    assert values(producer) == [b"first", b"second"]


async def test_a_refused_record_fails_alone() -> None:
    producer = FakeProducer(refuse=b"big")
    lingering = linger(producer)
    refused = lingering.send("t", b"big", None, [])
    kept = lingering.send("t", b"ok", None, [])
    await lingering.flush()
    with pytest.raises(ValueError, match="too large"):
        refused.result()
    assert values(producer) == [b"ok"] and not kept.done()


async def test_flush_hands_over_at_once_and_waits_until_all_is_in() -> None:
    producer = FakeProducer(first_send_waits=0.02)
    lingering = linger(producer, seconds=60)
    lingering.send("t", b"a", None, [])
    await lingering.flush()
    assert values(producer) == [b"a"]
    await lingering.flush()  # nothing waits: returns
