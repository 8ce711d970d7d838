"""The consumer loop: manual commits of offset+1 after processing, retries, DLQ for poison,
and a stalled partition (no commit, no DLQ, retried with backoff) on an unclassified error.

Two offset modes:
* Kafka mode (default): after a partition batch is handled, commit ``last.offset + 1``.
* Store mode (``offset_store`` given): the handler writes ``batch.next_offset`` in the same
  database transaction as its rows; on assignment the loop seeks to the stored offsets.
  Kafka commits still follow, for lag monitoring only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Generic

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition

from hotline.kafka.batches import (
    Batch,
    Item,
    LoopSettings,
    OffsetStore,
    Poll,
    Stalled,
    StopConsuming,
    T,
)
from hotline.kafka.dlq import dead_letter_record
from hotline.kafka.errors import classify
from hotline.kafka.producer import EventProducer
from hotline.kafka.records import InRecord
from hotline.kafka.stall import Stalls
from hotline.metrics import Metrics

__all__ = [
    "Batch",
    "ConsumerLoop",
    "InRecord",
    "Item",
    "LoopSettings",
    "OffsetStore",
    "StopConsuming",
]
log = logging.getLogger(__name__)


class ConsumerLoop(Generic[T]):
    def __init__(
        self,
        settings: LoopSettings,
        *,
        decode: Callable[[InRecord], T],
        handle: Callable[[Batch[T]], Awaitable[None]],
        producer: EventProducer,
        offset_store: OffsetStore | None = None,
        metrics: Metrics | None = None,
        handle_poll: Callable[[list[Batch[T]]], Awaitable[None]] | None = None,
    ) -> None:
        self.s = settings
        self.decode = decode
        self.handle = handle
        self.handle_poll = handle_poll
        self.producer = producer
        self.offset_store = offset_store
        self.metrics = metrics
        self.consumer: AIOKafkaConsumer | None = None
        self._processed: dict[TopicPartition, int] = {}
        self._generation = 0
        self.assigned: set[TopicPartition] = set()  # what /readyz can ask about
        self.stalls = Stalls(settings.backoff_base, settings.stall_backoff_max, metrics)

    def stalled_seconds(self) -> float:
        """How long the oldest stalled partition has been stuck (0.0: none); for /readyz."""
        return self.stalls.longest()

    def _new_consumer(self) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            bootstrap_servers=self.s.bootstrap,
            group_id=self.s.group_id,
            enable_auto_commit=False,
            auto_offset_reset=self.s.auto_offset_reset,
            isolation_level=self.s.isolation_level,
            max_poll_records=self.s.max_poll_records,
            **self.s.extra,
        )

    async def run(self, stop: asyncio.Event | None = None) -> None:
        stop = stop or asyncio.Event()
        self.consumer = self._new_consumer()
        self.consumer.subscribe(self.s.topics, listener=_Listener(self))
        ahead: asyncio.Task[Poll[T]] | None = None
        try:
            await self.consumer.start()
            while not stop.is_set():
                poll = await (ahead or self._poll())
                ahead = asyncio.create_task(self._poll()) if self.s.prefetch else None
                if poll.generation == self._generation:  # else: a rebalance came in between
                    await self._process(poll)
        finally:
            if ahead is not None:
                ahead.cancel()
                await asyncio.gather(ahead, return_exceptions=True)
            await self.consumer.stop()
            self.consumer = None

    async def _poll(self) -> Poll[T]:
        """Fetch one poll, decoded whole when a ``handle_poll`` takes it whole or with
        ``prefetch`` (then this runs while the previous poll is being handled, so decoding
        overlaps the handler's waits, e.g. on its database). Otherwise each partition is decoded
        just before its handler runs: a whole poll's decoded values, held at once, make every
        record slower to decode and to handle."""
        assert self.consumer is not None
        polled = await self.consumer.getmany(
            timeout_ms=self.s.poll_timeout_ms, max_records=self.s.max_poll_records
        )
        generation = self._generation
        if not (self.s.prefetch or self.handle_poll):
            return Poll(polled, None, generation)
        try:
            batches = [
                Batch(tp, [Item(r, self.decode(r)) for r in records])
                for tp, records in polled.items()
            ]
        except Exception:  # poison: _process_partition decodes record by record
            return Poll(polled, None, generation)
        return Poll(polled, batches, generation)

    async def _process(self, poll: Poll[T]) -> None:
        assert self.consumer is not None
        self.stalls.resume_due(self.consumer)
        polled = self.stalls.without_stalled(self.consumer, poll.records)
        batches = poll.batches  # None: decode and take the partitions one by one
        if batches is not None and len(polled) < len(poll.records):
            batches = [b for b in batches if b.tp in polled]
        if (
            self.handle_poll
            and len(polled) > 1
            and batches
            and await self._process_poll(polled, batches)
        ):
            return
        decoded = {b.tp: b.items for b in batches or []}
        for tp, records in polled.items():
            await self._process_partition(tp, records, decoded.get(tp))

    async def _process_poll(
        self, polled: dict[TopicPartition, list[InRecord]], batches: list[Batch[T]]
    ) -> bool:
        """Every partition of one poll in one ``handle_poll`` call (one transaction for a
        store): False, with nothing handled, when the call fails permanently; the caller then
        takes the partitions one by one, isolating the poison."""
        assert self.handle_poll is not None
        handle_poll = self.handle_poll
        if await self._attempt(batches[0], lambda: handle_poll(batches)) is not None:
            return False
        await self._commit_all({tp: records[-1].offset + 1 for tp, records in polled.items()})
        if self.metrics:
            for tp, records in polled.items():
                self.metrics.consumed.labels(tp.topic).inc(len(records))
        return True

    async def _process_partition(
        self, tp: TopicPartition, records: list[InRecord], items: list[Item[T]] | None = None
    ) -> None:
        try:
            if items is not None:
                await self._flush(tp, items)
            else:
                await self._decode_and_flush(tp, records)
        except Stalled as stalled:
            await self._stall(tp, records, stalled)
            return
        self.stalls.cleared(tp)
        await self._done(tp, records, records[-1].offset + 1)

    async def _done(self, tp: TopicPartition, records: list[InRecord], next_offset: int) -> None:
        await self._commit(tp, next_offset)
        if self.metrics:
            self.metrics.consumed.labels(tp.topic).inc(next_offset - records[0].offset)

    async def _stall(self, tp: TopicPartition, records: list[InRecord], stalled: Stalled) -> None:
        """Stop the partition at the failing record: pause it there, commit only what came
        before it; ``Stalls.resume_due`` tries it again after the backoff."""
        assert self.consumer is not None
        self.stalls.failed(tp, stalled.offset, stalled.error)
        if tp not in self.consumer.assignment():  # revoked meanwhile: the next owner retries
            self.stalls.cleared(tp)
            return
        self.consumer.pause(tp)
        self.consumer.seek(tp, stalled.offset)
        if stalled.offset > records[0].offset:
            await self._done(tp, records, stalled.offset)

    async def _decode_and_flush(self, tp: TopicPartition, records: list[InRecord]) -> None:
        decode = self.decode
        try:
            items = [Item(r, decode(r)) for r in records]
        except Exception:  # poison among them: isolate it
            await self._decode_each_and_flush(tp, records)
        else:
            await self._flush(tp, items)

    async def _decode_each_and_flush(self, tp: TopicPartition, records: list[InRecord]) -> None:
        good: list[Item[T]] = []
        for record in records:
            try:
                good.append(Item(record, self.decode(record)))
            except Exception as exc:
                await self._flush(tp, good)
                good = []
                if classify(exc, self.s.classify) != "permanent":  # a decoder bug: stop here
                    raise Stalled(record.offset, exc) from exc
                await self._dead_letter(tp, record, exc, attempt=1)
        await self._flush(tp, good)

    async def _flush(self, tp: TopicPartition, items: list[Item[T]]) -> None:
        if not items:
            return
        error = await self._attempt(Batch(tp, items))
        if error is None:
            return
        if len(items) == 1:
            if classify(error, self.s.classify) != "permanent":
                raise Stalled(items[0].record.offset, error)
            await self._dead_letter(tp, items[0].record, error, attempt=self.s.max_attempts)
            return
        for item in items:  # isolate the poison record(s) or the failing one, in order
            await self._flush(tp, [item])

    async def _attempt(
        self, batch: Batch[T], call: Callable[[], Awaitable[None]] | None = None
    ) -> BaseException | None:
        """Handle (``call``, default: the batch) with bounded retries; return a permanent or
        unknown error, raise StopConsuming when retries are exhausted."""
        delay = self.s.backoff_base
        for attempt in range(1, self.s.max_attempts + 1):
            try:
                await (call() if call else self.handle(batch))
                return None
            except Exception as exc:
                if classify(exc, self.s.classify) != "retriable":
                    return exc
                self._log_retry(batch, exc, attempt)
                if attempt == self.s.max_attempts:
                    raise StopConsuming(f"{batch.tp}: retries exhausted: {exc!r}") from exc
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.s.backoff_max)
        return None

    def _log_retry(self, batch: Batch[T], exc: BaseException, attempt: int) -> None:
        if self.metrics:
            self.metrics.retries.labels(batch.tp.topic).inc()
        first = batch.items[0].record
        log.warning(
            "retriable failure",
            extra={
                "topic": first.topic,
                "partition": first.partition,
                "offset": first.offset,
                "attempt": attempt,
                "error": repr(exc),
            },
        )

    async def _dead_letter(
        self, tp: TopicPartition, record: InRecord, exc: BaseException, attempt: int
    ) -> None:
        await dead_letter_record(self.producer, record, exc, attempt, self.s.parser_version)
        if self.offset_store:
            await self.offset_store.save(self.s.group_id, tp, record.offset + 1)

    async def _commit(self, tp: TopicPartition, next_offset: int) -> None:
        await self._commit_all({tp: next_offset})

    async def _commit_all(self, offsets: dict[TopicPartition, int]) -> None:
        self._processed.update(offsets)
        assert self.consumer is not None
        await self.consumer.commit(offsets)

    async def on_revoked(self, revoked: set[TopicPartition]) -> None:
        self._generation += 1
        self.assigned -= revoked
        for tp in revoked:  # the next owner starts again at the failing record
            self.stalls.cleared(tp)
        pending = {tp: off for tp, off in self._processed.items() if tp in revoked}
        if pending and self.consumer is not None:
            await self.consumer.commit(pending)
        for tp in revoked:
            self._processed.pop(tp, None)

    async def on_assigned(self, assigned: set[TopicPartition]) -> None:
        self._generation += 1
        self.assigned |= assigned
        if not self.offset_store or self.consumer is None:
            return
        stored = await self.offset_store.load(self.s.group_id, sorted(assigned))
        for tp, offset in stored.items():
            self.consumer.seek(tp, offset)


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, loop: ConsumerLoop[Any]) -> None:
        self.loop = loop

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await self.loop.on_revoked(revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        await self.loop.on_assigned(assigned)
