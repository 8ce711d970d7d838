"""Housekeeping off the ingest path: held effects expire (an edit, delete, reaction or status
whose message or reply result never came is dropped after a bounded hold, with a log line and a
metric for each, instead of waiting forever), and a deleted message's original text is kept
only for the retention period (then its history is cleared)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from prometheus_client import CollectorRegistry, Counter
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline import events as ev
from unifier.store.schema import held

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Expired:
    tenant: str
    channel_kind: str
    target_id: str
    event_type: str


async def drop_expired(conn: AsyncConnection, held_before: datetime) -> list[Expired]:
    """Delete the effects held since before ``held_before`` and say which they were."""
    h = held.c
    old = h.held_at < held_before
    rows = await conn.execute(
        sa.select(h.tenant, h.channel_kind, h.target_id, h.payload).where(old).order_by(h.id)
    )
    out = [Expired(t, k, target, ev.event_tag(ev.decode(p))) for t, k, target, p in rows]
    if out:
        await conn.execute(held.delete().where(old))
    return out


# the partial index ix_messages_deleted_text holds exactly these rows (by message time)
_PURGE = sa.text(
    "UPDATE messages SET history = NULL WHERE deleted AND history IS NOT NULL AND at < :before"
).bindparams(sa.bindparam("before", type_=sa.DateTime(timezone=True)))


async def purge_deleted_texts(conn: AsyncConnection, sent_before: datetime) -> int:
    """Forget the original text of deleted messages sent before ``sent_before``."""
    result = await conn.execute(_PURGE, {"before": sent_before})
    return int(result.rowcount or 0)


@dataclass
class Sweeper:
    """Every ``every`` seconds: drop effects held longer than ``hold``, and purge deleted texts
    of messages older than ``retention``."""

    engine: AsyncEngine
    gate: asyncio.Lock  # the consumer's transaction gate (one writer at a time)
    hold: timedelta
    retention: timedelta
    every: float
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    expired: int = 0  # since start, also hotline_held_effects_expired_total on /metrics
    purged: int = 0

    def __post_init__(self) -> None:
        self.counter = Counter(
            "hotline_held_effects_expired",
            "Held effects dropped: their message or reply result never came",
            ["event_type"],
            registry=self.registry,
        )

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.every)
            try:
                await self.once()
            except (sa.exc.DBAPIError, OSError) as exc:
                log.warning("held effect expiry failed; retrying", extra={"error": repr(exc)})

    async def once(self, now: datetime | None = None) -> list[Expired]:
        now = now or datetime.now(UTC)
        async with self.gate, self.engine.begin() as conn:
            dropped = await drop_expired(conn, now - self.hold)
            self.purged += await purge_deleted_texts(conn, now - self.retention)
        for d in dropped:
            log.warning(
                "held %s for %s expired: its message or reply result never came",
                d.event_type,
                d.target_id,
                extra={"tenant": d.tenant, "channel": d.channel_kind, "reason": "held_expired"},
            )
            self.counter.labels(d.event_type).inc()
        self.expired += len(dropped)
        return dropped
