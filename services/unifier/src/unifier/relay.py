"""Outbox relay: publish committed unified events in outbox order, keyed, then delete them.

At-least-once towards Kafka (a crash between the ack and the delete re-publishes a tail);
the event ids are deterministic, so integrators can drop the repeats. Order per key holds:
one relay, rows in id order, an idempotent producer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.kafka import EventProducer, KafkaUnavailable
from unifier.store.schema import outbox

log = logging.getLogger(__name__)
Headers = list[tuple[str, bytes]]


class OutboxRelay:
    def __init__(self, engine: AsyncEngine, producer: EventProducer, batch: int = 2000) -> None:
        self.engine, self.producer, self.batch = engine, producer, batch
        self.wake = asyncio.Event()
        self.published = 0

    def notify(self) -> None:
        self.wake.set()

    async def run(self, stop: asyncio.Event, idle: float = 0.2) -> None:
        while not stop.is_set():
            try:
                moved = await self.relay_once()
            except (KafkaUnavailable, sa.exc.DBAPIError, OSError) as exc:
                log.warning("outbox relay retrying", extra={"error": repr(exc)})
                moved = 0
                await asyncio.sleep(0.5)
            if moved < self.batch:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), idle)
                self.wake.clear()

    async def relay_once(self) -> int:
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(sa.select(outbox).order_by(outbox.c.id).limit(self.batch))
            ).all()
        if not rows:
            return 0
        by_topic: dict[str, list[tuple[bytes | None, bytes, Headers]]] = {}
        for r in rows:
            headers = [("event_type", r.event_type.encode()), ("event_id", r.event_id.encode())]
            by_topic.setdefault(r.topic, []).append((r.key, r.payload, headers))
        for topic, records in by_topic.items():
            await self.producer.send_many(topic, records)
        async with self.engine.begin() as conn:
            await conn.execute(outbox.delete().where(outbox.c.id <= rows[-1].id))
        self.published += len(rows)
        return len(rows)
