"""One timer for every pending ack, instead of a timer per send.

``AckWatch.watch`` queues futures with a deadline ``timeout`` seconds ahead; one reaper task,
waking every ``tick`` seconds while anything is queued, fails those still pending at their
deadline with ``AckTimeout``. aiokafka skips futures that are already done, so a late ack
changes nothing. Cost: a deadline may pass up to ``tick`` late, and a failed future only
stops our wait; the record may still reach Kafka.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Sequence
from typing import Any


class AckTimeout(Exception):
    pass


class AckWatch:
    def __init__(self, timeout: float, tick: float = 0.05) -> None:
        self.timeout, self.tick = timeout, tick
        self.pending: deque[tuple[float, asyncio.Future[Any]]] = deque()
        self.task: asyncio.Task[None] | None = None

    def watch(self, futures: Sequence[asyncio.Future[Any]]) -> None:
        deadline = asyncio.get_running_loop().time() + self.timeout
        self.pending.extend((deadline, f) for f in futures)
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._reap())

    async def _reap(self) -> None:
        loop = asyncio.get_running_loop()
        while self.pending:
            await asyncio.sleep(self.tick)
            now = loop.time()
            while self.pending and (self.pending[0][0] <= now or self.pending[0][1].done()):
                _, fut = self.pending.popleft()
                if not fut.done():
                    fut.set_exception(AckTimeout(f"no ack within {self.timeout} s"))

    async def close(self) -> None:
        if self.task:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
