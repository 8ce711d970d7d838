"""Held effects expire: an edit, delete, reaction or status whose message (or reply result)
never came is dropped after a bounded hold, with a log line and a metric for each, instead of
waiting forever."""

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


@dataclass
class HeldExpiry:
    """Runs ``drop_expired`` every ``every`` seconds for effects held longer than ``hold``."""

    engine: AsyncEngine
    gate: asyncio.Lock  # the consumer's transaction gate (one writer at a time)
    hold: timedelta
    every: float
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    expired: int = 0  # since start, also hotline_held_effects_expired_total on /metrics

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
        cutoff = (now or datetime.now(UTC)) - self.hold
        async with self.gate, self.engine.begin() as conn:
            dropped = await drop_expired(conn, cutoff)
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
