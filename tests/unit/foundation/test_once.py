"""PublishOnce: no second record for a retry, a concurrent copy or a copy in the same call."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from hotline import events as ev
from hotline.kafka import KafkaUnavailable
from hotline.kafka.once import PublishOnce, RecentIds
from tests.unit.foundation.samples import envelope, sender

TEXT = ev.TextContent(text="x")


def event(pid: str) -> ev.MessageReceived:
    return ev.MessageReceived(**envelope("message", pid), sender=sender(), content=TEXT)


class SlowPublisher:
    """A unit-test fake of EventProducer.publish: records calls, can fail or wait."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.gate = asyncio.Event()
        self.fail = False

    async def __call__(self, events: Sequence[ev.Event]) -> None:
        self.calls.append([e.event_id for e in events])
        await self.gate.wait()
        if self.fail:
            raise KafkaUnavailable("down")


async def test_retry_after_ack_publishes_nothing() -> None:
    pub = SlowPublisher()
    pub.gate.set()
    once = PublishOnce(pub)
    assert await once([event("a")]) == 1
    assert await once([event("a"), event("b")]) == 1
    assert pub.calls == [[event("a").event_id], [event("b").event_id]]


async def test_concurrent_copy_waits_for_the_first_ack() -> None:
    pub = SlowPublisher()
    once = PublishOnce(pub)
    first = asyncio.create_task(once([event("a")]))
    await asyncio.sleep(0)
    second = asyncio.create_task(once([event("a")]))
    await asyncio.sleep(0.01)
    assert not second.done()  # not acked before Kafka acked the first copy
    pub.gate.set()
    assert (await first, await second) == (1, 0)
    assert len(pub.calls) == 1


async def test_failed_publish_is_not_remembered() -> None:
    pub = SlowPublisher()
    pub.fail = True
    pub.gate.set()
    once = PublishOnce(pub)
    with pytest.raises(KafkaUnavailable):
        await once([event("a")])
    pub.fail = False
    assert await once([event("a")]) == 1


def test_recent_ids_are_bounded() -> None:
    recent = RecentIds(capacity=2)
    for i in "abc":
        recent.add(i)
    assert "a" not in recent and "b" in recent and "c" in recent


async def test_a_copy_within_one_call_is_published_once() -> None:
    pub = SlowPublisher()
    pub.gate.set()
    once = PublishOnce(pub)
    assert await once([event("a"), event("b"), event("a")]) == 2
    assert pub.calls == [[event("a").event_id, event("b").event_id]]
