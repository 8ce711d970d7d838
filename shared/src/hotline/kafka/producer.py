"""The idempotent producer: acks=all, batching for throughput, a bounded wait for the ack."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from hotline import events
from hotline.kafka import bulk
from hotline.kafka.ackwatch import AckTimeout, AckWatch
from hotline.kafka.errors import KafkaUnavailable
from hotline.kafka.keyhash import partition_of
from hotline.kafka.records import Headers, OutRecord
from hotline.metrics import Metrics
from hotline.topics import event_topic

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProducerSettings:
    bootstrap: str
    client_id: str = "hotline"
    linger_ms: int = 5  # aiokafka's: a partition's batch waits this long for company
    max_batch_size: int = 256 * 1024
    ack_timeout: float = 5.0  # the edge answers 503 when Kafka has not acked by then
    request_timeout_ms: int = 10_000
    compression: str | None = None


class EventProducer:
    def __init__(self, settings: ProducerSettings, metrics: Metrics | None = None) -> None:
        self.settings = settings
        self.metrics = metrics
        self._producer: AIOKafkaProducer | None = None
        self._starting: asyncio.Task[None] | None = None
        self._counters: dict[str, Any] = {}
        self._acks = AckWatch(settings.ack_timeout)

    async def start(self) -> None:
        s = self.settings
        producer = AIOKafkaProducer(
            bootstrap_servers=s.bootstrap,
            client_id=s.client_id,
            enable_idempotence=True,  # implies acks="all"
            linger_ms=s.linger_ms,
            max_batch_size=s.max_batch_size,
            # bounds send() itself (metadata wait, full buffer); AckWatch bounds the ack
            request_timeout_ms=min(s.request_timeout_ms, int(s.ack_timeout * 1000)),
            compression_type=s.compression,
            partitioner=partition_of,
        )
        try:
            await producer.start()
        except BaseException:
            await producer.stop()
            raise
        self._producer = producer

    def start_in_background(self, retry_every: float = 1.0) -> None:
        """Keep trying to connect so a service can come up (not ready) while Kafka is down."""

        async def keep_trying() -> None:
            while self._producer is None:
                try:
                    await self.start()
                except (KafkaError, OSError) as exc:
                    log.warning("kafka not reachable yet", extra={"error": str(exc)})
                    await asyncio.sleep(retry_every)

        self._starting = asyncio.create_task(keep_trying())

    async def stop(self) -> None:
        if self._starting:
            self._starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._starting
        await self._acks.close()
        if self._producer:
            await self._producer.stop()
            self._producer = None

    @property
    def started(self) -> bool:
        return self._producer is not None

    async def ready(self, timeout: float = 2.0) -> bool:
        """True when the broker answers a metadata request now."""
        if self._producer is None:
            return False
        try:
            ok = await asyncio.wait_for(self._producer.client.fetch_all_metadata(), timeout)
        except (TimeoutError, KafkaError, OSError):
            return False
        return bool(ok and ok.brokers())

    async def send(
        self, topic: str, value: bytes, *, key: bytes | None = None, headers: Headers | None = None
    ) -> Any:
        """Send one record and wait (bounded) for the ack; KafkaUnavailable otherwise."""
        return (await self.send_many(topic, [(key, value, headers or [])]))[0]

    async def send_many(self, topic: str, records: Sequence[OutRecord]) -> list[Any]:
        """Enqueue all records, then wait for every ack: they share batches (one round trip)
        with whatever else is sent within the linger time."""
        producer = self._connected()

        async def enqueue() -> list[asyncio.Future[Any]]:
            return [
                await producer.send(topic, value, key=key, headers=headers)
                for key, value, headers in records
            ]

        return await self._deliver(topic, enqueue, len(records))

    async def send_bulk(self, topic: str, records: Sequence[OutRecord]) -> None:
        """Like send_many for many records at once (relays): batches built per partition."""
        producer = self._connected()
        enqueue = partial(bulk.enqueue_bulk, producer, topic, records)
        await self._deliver(topic, enqueue, len(records))

    def _connected(self) -> AIOKafkaProducer:
        if self._producer is None:
            raise KafkaUnavailable("producer not connected")
        return self._producer

    async def _deliver(
        self,
        topic: str,
        enqueue: Callable[[], Awaitable[list[asyncio.Future[Any]]]],
        count: int,
    ) -> list[Any]:
        """Enqueue, then wait (bounded by AckWatch) for every future; KafkaUnavailable else."""
        try:
            futures = await enqueue()
            self._acks.watch(futures)
            acked = [await f for f in futures]
        except (AckTimeout, KafkaError) as exc:
            raise KafkaUnavailable(f"no ack from Kafka for {topic}: {exc!r}") from exc
        if self.metrics:
            self._produced(topic).inc(count)
        return acked

    def _produced(self, topic: str) -> Any:
        child = self._counters.get(topic)
        if child is None:
            assert self.metrics is not None
            child = self._counters[topic] = self.metrics.produced.labels(topic)
        return child

    async def publish(self, evts: Sequence[events.Event], topic: str | None = None) -> list[Any]:
        """Publish events keyed by conversation; returns once Kafka acked all of them."""
        if len(evts) == 1:  # the edges' common case, without the grouping
            event = evts[0]
            record = (events.partition_key(event), events.encode(event), event_headers(event))
            return await self.send_many(topic or event_topic(event), (record,))
        by_topic: dict[str, list[OutRecord]] = {}
        for event in evts:
            dest = topic or event_topic(event)
            by_topic.setdefault(dest, []).append(
                (events.partition_key(event), events.encode(event), event_headers(event))
            )
        acked: list[Any] = []
        for dest, records in by_topic.items():
            acked.extend(await self.send_many(dest, records))
        return acked


_TAG_BYTES = {t: str(t.__struct_config__.tag).encode() for t in events.EVENT_TYPES}


def event_headers(event: events.Event) -> Headers:
    return [("event_type", _TAG_BYTES[type(event)]), ("event_id", event.event_id.encode())]
