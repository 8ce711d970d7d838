"""Publish each event id at most once per process: recently acked ids are skipped, and a
duplicate that arrives while the first copy is still waiting for its ack waits for that ack.

Provider retries (Slack's ``X-Slack-Retry-Num``, Meta's, Telegram's and Twilio's redeliveries),
a mail sent again after a lost 250 and widget resends after a reconnect then add no second
record; across restarts and between instances the deterministic event id still lets consumers
drop a repeat (the real guarantee).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence

from hotline import events as ev

Produce = Callable[[Sequence[ev.Event]], Awaitable[object]]


class RecentIds:
    """Bounded, in memory, the oldest forgotten first."""

    def __init__(self, capacity: int = 100_000) -> None:
        self.capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._ids

    def add(self, event_id: str) -> None:
        self._ids[event_id] = None
        self._ids.move_to_end(event_id)
        while len(self._ids) > self.capacity:
            self._ids.popitem(last=False)


class PublishOnce:
    def __init__(self, publish: Produce, capacity: int = 100_000) -> None:
        self.publish = publish
        self.acked = RecentIds(capacity)
        self._inflight: dict[str, asyncio.Future[None]] = {}

    async def __call__(self, events: Sequence[ev.Event]) -> int:
        """Publish what is new, wait for copies in flight; return how many records we produced.

        Raises what ``publish`` raises (KafkaUnavailable): then nothing counts as acked.
        """
        waiting = [self._inflight[e.event_id] for e in events if e.event_id in self._inflight]
        fresh: dict[str, ev.Event] = {}  # a copy within the same call is published once too
        for e in events:
            if e.event_id not in self.acked and e.event_id not in self._inflight:
                fresh.setdefault(e.event_id, e)
        if fresh:
            await self._publish_claimed(list(fresh), list(fresh.values()))
        for other in waiting:
            await asyncio.shield(other)
        return len(fresh)

    async def _publish_claimed(self, ids: list[str], events: list[ev.Event]) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._inflight.update(dict.fromkeys(ids, future))
        try:
            await self.publish(events)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: there may be no waiter
            raise
        else:
            future.set_result(None)
            for event_id in ids:
                self.acked.add(event_id)
        finally:
            for event_id in ids:
                self._inflight.pop(event_id, None)
