"""Outbox relay: publish committed unified events in outbox order, keyed, then delete them.

Exactly-once towards Kafka: every record carries its (deterministic, unique) ``event_id`` in a
header. A crash (or a failed send) between the ack and the delete leaves rows that may already
be on the topic; before sending again the relay reads the topics' tails (at most one batch per
partition can be in doubt) and deletes the rows it finds there instead of re-publishing them.
(Row ids are not used for this: SQLite may reuse them once the table is empty.)
Order per key holds: one relay, rows in id order, an idempotent producer. One relay per
database, also across hosts: the relay publishes only while it holds the database's lease
(``store.relay_lease``: a PostgreSQL advisory lock; on SQLite the single instance owns it),
confirms it before every batch, and reconciles the tails first whenever it takes the lease over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from aiokafka.errors import KafkaError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline.kafka import EventProducer, KafkaUnavailable, OutRecord
from hotline.kafka.lookup import tail_header_values
from unifier.store.engine import BUSY_TIMEOUT_MS
from unifier.store.relay_lease import LeaseLost, LeaseUnavailable, RelayLease, lease_for
from unifier.store.schema import outbox

log = logging.getLogger(__name__)
LOCK_POLL_S = 0.002


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        producer: EventProducer,
        batch: int = 2000,
        lease: RelayLease | None = None,
    ) -> None:
        self.engine, self.producer, self.batch = engine, producer, batch
        self.lease = lease or lease_for(engine.url.render_as_string(hide_password=False))
        self.wake = asyncio.Event()
        # set once this relay publishes (tails reconciled) or stands by for another owner
        self.started = asyncio.Event()
        self.owner = False  # holds the lease and publishes
        self.published = 0

    def notify(self) -> None:
        self.wake.set()

    async def run(self, stop: asyncio.Event, idle: float = 0.2) -> None:
        """Stand by until this relay owns the lease, then publish until stopped or the lease
        is lost (then stand by again)."""
        try:
            while not stop.is_set():
                if await self._take_lease():
                    await self._publish(stop, idle)
                else:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), self.lease.retry_s)
        finally:
            self.owner = False
            await self.lease.release()

    async def _take_lease(self) -> bool:
        try:
            self.owner = await self.lease.try_acquire()
        except LeaseUnavailable as exc:
            log.warning("outbox relay lease: database unreachable", extra={"error": repr(exc)})
            self.started.clear()
            return False
        if self.owner:
            log.info("outbox relay holds the lease; reconciling, then publishing")
        elif not self.started.is_set():
            log.info("outbox relay standing by: another instance holds the lease")
            self.started.set()  # a healthy standby
        return self.owner

    async def _publish(self, stop: asyncio.Event, idle: float) -> None:
        in_doubt = True  # at start or takeover: a previous owner may have died after an ack
        self.started.clear()
        while not stop.is_set():
            try:
                await self.lease.confirm()
                if in_doubt:
                    await self.reconcile()
                    in_doubt = False
                    self.started.set()
                moved = await self.relay_once()
            except LeaseLost as exc:
                log.error("outbox relay lost its lease; standing by", extra={"error": str(exc)})
                self.owner = False
                self.started.clear()
                await self.lease.release()
                return
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
        by_topic: dict[str, list[OutRecord]] = {}
        for _, topic, key, event_type, event_id, payload in rows:  # by position: Row attributes
            headers = [("event_type", event_type.encode()), ("event_id", event_id.encode())]
            by_topic.setdefault(topic, []).append((key, payload, headers))
        for topic, records in by_topic.items():
            await self.producer.send_bulk(topic, records)
        await self._delete_through(rows[-1][0])
        self.published += len(rows)
        return len(rows)

    async def _delete_through(self, last_id: int) -> None:
        """Delete the published rows. On SQLite the write lock is asked for every
        ``LOCK_POLL_S`` rather than through SQLite's busy handler: its sleeps grow to 100 ms
        whenever the lock is taken, and the consumer, which writes a transaction after another,
        kept winning it back (strace at 3,000 msg/s: the relay slept 6–9 s of every 20 s, and
        each of those waits delayed the next publish)."""
        delete = outbox.delete().where(outbox.c.id <= last_id)
        if self.engine.dialect.name != "sqlite":
            async with self.engine.begin() as conn:
                await conn.execute(delete)
            return
        async with self.engine.connect() as conn:
            await conn.exec_driver_sql("PRAGMA busy_timeout=0")
            try:
                await _poll_for_lock(conn, delete)
            finally:
                await conn.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

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


async def _poll_for_lock(conn: AsyncConnection, statement: sa.Executable) -> None:
    """Run ``statement`` and commit, retrying while the database is locked, up to SQLite's
    usual busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            await conn.execute(statement)
            await conn.commit()
            return
        except sa.exc.OperationalError as exc:
            await conn.rollback()
            if "locked" not in str(exc.orig) or time.monotonic() > deadline:
                raise
        await asyncio.sleep(LOCK_POLL_S)
