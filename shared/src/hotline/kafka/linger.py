"""Records wait for company per producer, not per partition, and leave as whole batches.

aiokafka lingers each partition's batch on its own clock and sends, per request, only the
batches whose linger has run out; with the batches of two partitions started at different
moments, an edge sent about twice as many produce requests as it had linger periods, each a
system call, a broker request and a response to decode. And ``AIOKafkaProducer.send`` costs a
coroutine, a metadata check, a partitioner call and a future per record.

Here a record waits in one list for ``seconds`` (aiokafka's own linger is 0); then everything
that waited is grouped per partition (``bulk.partition_for``: the default partitioner's rule)
into batches built directly and handed to aiokafka in one turn of the event loop, so they leave
in one request, with one aiokafka future per batch. Each record's own future ends as its
batch's does (metadata, error or cancellation). An empty batch takes any first record, so a
record too large for the broker fails in a batch of its own.

Order is kept: a window goes to aiokafka only once the one before it is in, and within a window
each partition's records keep their order.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from aiokafka import AIOKafkaProducer

from hotline.kafka import bulk

Headers = list[tuple[str, bytes]]
Pending = tuple[bulk.Record, "asyncio.Future[Any]"]


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
        """A future for the record's batch metadata once Kafka has acked it."""
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
            try:
                partitions = sorted(await self.producer.partitions_for(topic))
            except Exception as exc:  # e.g. no metadata in time
                _fail([f for _, f in pending], exc)
                continue
            groups: dict[int, list[Pending]] = {}
            for item in pending:
                groups.setdefault(bulk.partition_for(item[0][0], partitions), []).append(item)
            for partition, group in groups.items():
                await self._batches(topic, partition, group)

    async def _batches(self, topic: str, partition: int, group: list[Pending]) -> None:
        batch: Any = self.producer.create_batch()
        members: list[asyncio.Future[Any]] = []
        for (key, value, headers), future in group:
            if batch.append(key=key, value=value, timestamp=None, headers=headers) is None:
                await self._send(batch, topic, partition, members)  # full: the next one
                batch, members = self.producer.create_batch(), []
                batch.append(key=key, value=value, timestamp=None, headers=headers)  # any fits
            members.append(future)
        if members:
            await self._send(batch, topic, partition, members)

    async def _send(
        self, batch: Any, topic: str, partition: int, members: list[asyncio.Future[Any]]
    ) -> None:
        try:
            sent = await self.producer.send_batch(batch, topic, partition=partition)
        except Exception as exc:  # e.g. the accumulator closed or full past its timeout
            _fail(members, exc)
            return
        sent.add_done_callback(partial(_settle, members))


def _fail(futures: list[asyncio.Future[Any]], exc: BaseException) -> None:
    for future in futures:
        if not future.done():
            future.set_exception(exc)


def _settle(members: list[asyncio.Future[Any]], sent: asyncio.Future[Any]) -> None:
    if sent.cancelled():
        for future in members:
            future.cancel()
    elif (exc := sent.exception()) is not None:
        _fail(members, exc)
    else:
        metadata = sent.result()
        for future in members:
            if not future.done():
                future.set_result(metadata)
