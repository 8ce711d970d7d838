"""Records wait for company per producer, not per partition.

aiokafka lingers each partition's batch on its own clock and sends, per request, only the
batches whose linger has run out; with the batches of two partitions started at different
moments, an edge sent about twice as many produce requests as it had linger periods, each a
system call, a broker request and a response to decode. Here a record waits in one list for
``seconds``; then all that waited are handed to aiokafka (whose own linger is 0) in one turn of
the event loop, so they leave in one request, and whatever arrives while that request is in
flight joins the partition's pending batch for the next one. Each record's future ends as
aiokafka's does (metadata, error or cancellation).

Not batches built per window (``create_batch``/``send_batch``): aiokafka takes a partition's
next batch only once the one before it has left, so with one request in flight per broker a
window waited a whole round trip for each window before it, and under load the queue grew
to seconds (bench/profiling.md, session 10).

Order is kept: a window goes to aiokafka only once the one before it is in, topic by topic,
each topic's records in send order.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from aiokafka import AIOKafkaProducer

from hotline.kafka.records import Headers, OutRecord

Pending = tuple[OutRecord, "asyncio.Future[Any]"]


class Linger:
    def __init__(self, producer: AIOKafkaProducer, seconds: float) -> None:
        self.producer = producer
        self.seconds = seconds
        self._pending: dict[str, list[Pending]] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._tail: asyncio.Task[None] | None = None  # the hand-over in progress, if any

    def send(
        self, topic: str, value: bytes, key: bytes | None, headers: Headers
    ) -> asyncio.Future[Any]:
        """A future for the record's metadata once Kafka has acked it."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.setdefault(topic, []).append(((key, value, headers), future))
        if self._timer is None:
            self._timer = loop.call_later(self.seconds, self._hand_over)
        return future

    async def flush(self) -> None:
        """Hand over what waits now and wait until aiokafka has it all (before a stop)."""
        if self._timer is not None:
            self._timer.cancel()
            self._hand_over()
        if self._tail is not None:
            await asyncio.shield(self._tail)

    def _hand_over(self) -> None:
        self._timer = None
        window, self._pending = self._pending, {}
        self._tail = asyncio.ensure_future(self._enqueue(window, self._tail))

    async def _enqueue(
        self, window: dict[str, list[Pending]], before: asyncio.Task[None] | None
    ) -> None:
        if before is not None:
            await asyncio.wait([before])  # the earlier records go in first: order per key
        for topic, pending in window.items():
            for (key, value, headers), future in pending:
                try:
                    sent = await self.producer.send(topic, value, key=key, headers=headers)
                except Exception as exc:  # e.g. no metadata in time, a record too large
                    if not future.done():  # (AckWatch may have failed it already)
                        future.set_exception(exc)
                    continue
                sent.add_done_callback(partial(_settle, future))


def _settle(future: asyncio.Future[Any], sent: asyncio.Future[Any]) -> None:
    if future.done():
        return
    if sent.cancelled():
        future.cancel()
    elif (exc := sent.exception()) is not None:
        future.set_exception(exc)
    else:
        future.set_result(sent.result())
