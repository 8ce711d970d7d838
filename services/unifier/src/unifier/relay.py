"""Outbox relay: publish committed unified events in outbox order, keyed, then delete them.

Exactly-once towards Kafka: every record carries its (deterministic, unique) ``event_id`` in a
header. A crash (or a failed send) between the ack and the delete leaves rows that may already
be on the topic; before sending again the relay reads the topics' tails (at most one batch per
partition can be in doubt) and deletes the rows it finds there instead of re-publishing them.
(Row ids are not used for this: SQLite may reuse them once the table is empty.)
Order per key holds: one relay, rows in id order, an idempotent producer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from aiokafka.errors import KafkaError
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.kafka import EventProducer, KafkaUnavailable
from hotline.kafka.lookup import tail_header_values
from unifier.store.schema import outbox

log = logging.getLogger(__name__)
Headers = list[tuple[str, bytes]]


class OutboxRelay:
    def __init__(self, engine: AsyncEngine, producer: EventProducer, batch: int = 2000) -> None:
        self.engine, self.producer, self.batch = engine, producer, batch
        self.wake = asyncio.Event()
        self.started = asyncio.Event()  # set once the topics' tails are reconciled
        self.published = 0

    def notify(self) -> None:
        self.wake.set()

    async def run(self, stop: asyncio.Event, idle: float = 0.2) -> None:
        in_doubt = True  # at start: a previous process may have died after an ack
        while not stop.is_set():
            try:
                if in_doubt:
                    await self.reconcile()
                    in_doubt = False
                    self.started.set()
                moved = await self.relay_once()
            except (KafkaUnavailable, KafkaError, LookupError, sa.exc.DBAPIError, OSError) as exc:
                log.warning("outbox relay retrying", extra={"error": repr(exc)})
                in_doubt, moved = True, 0
                await asyncio.sleep(0.5)
            if moved < self.batch:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), idle)
                self.wake.clear()

    async def ready(self) -> bool:  # a /readyz check
        return self.started.is_set()

    @property
    def _pending(self) -> str:
        """Raw rows, as the driver returns them (no per-value result processing)."""
        cols = 'id, topic, "key", event_type, event_id, payload'
        return f"SELECT {cols} FROM outbox ORDER BY id LIMIT {int(self.batch)}"

    async def relay_once(self) -> int:
        async with self.engine.connect() as conn:
            rows: Sequence[Sequence[Any]] = (await conn.exec_driver_sql(self._pending)).all()
        if not rows:
            return 0
        by_topic: dict[str, list[tuple[bytes | None, bytes, Headers]]] = {}
        for _, topic, key, event_type, event_id, payload in rows:  # by position: Row attributes
            headers = [("event_type", event_type.encode()), ("event_id", event_id.encode())]
            by_topic.setdefault(topic, []).append((key, payload, headers))
        for topic, records in by_topic.items():
            await self.producer.send_bulk(topic, records)
        async with self.engine.begin() as conn:
            await conn.execute(outbox.delete().where(outbox.c.id <= rows[-1][0]))
        self.published += len(rows)
        return len(rows)

    async def reconcile(self) -> int:
        """Delete the pending rows that already reached Kafka; return how many."""
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(outbox.c.id, outbox.c.topic, outbox.c.event_id)
                    .order_by(outbox.c.id)
                    .limit(self.batch)
                )
            ).all()
        if not rows:
            return 0
        topics = sorted({r.topic for r in rows})
        seen = await tail_header_values(
            self.producer.settings.bootstrap, topics, "event_id", window=self.batch
        )
        done = [r.id for r in rows if r.event_id.encode() in seen]
        if done:
            async with self.engine.begin() as conn:
                await conn.execute(outbox.delete().where(outbox.c.id.in_(done)))
            log.info("outbox rows found already published", extra={"status": len(done)})
        return len(done)
