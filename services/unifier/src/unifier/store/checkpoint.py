"""SQLite WAL checkpoints off the write path.

With SQLite's automatic checkpoints the committing connection copies the WAL back into the
database file (and syncs it) inside the consumer's commit, about every 4 MB of WAL: at the
unifier's batch sizes, nearly every batch. Measured on the SQLite drain (2 cores): 5,253 ->
6,589 events/s with them moved here. The engine's connections turn automatic checkpoints off
(``wal_autocheckpoint=0``, see ``engine``); this task checkpoints in PASSIVE mode every
``every`` seconds on its own connection (its own thread: the copying overlaps the consumer's
work) and, once the WAL holds more than ``restart_frames`` pages, tries RESTART with a short
busy timeout so the WAL file starts over; past ``max_frames`` it insists (see ``_round``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from unifier.store.engine import BUSY_TIMEOUT_MS

log = logging.getLogger(__name__)


async def checkpoint(
    engine: AsyncEngine, mode: str, busy_ms: int = BUSY_TIMEOUT_MS
) -> tuple[int, ...]:
    """Run one checkpoint; return SQLite's (busy, wal frames, frames checkpointed)."""
    async with engine.connect() as conn:
        await conn.exec_driver_sql(f"PRAGMA busy_timeout={busy_ms}")
        try:
            row = (await conn.exec_driver_sql(f"PRAGMA wal_checkpoint({mode})")).one()
        finally:
            await conn.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return tuple(row)


async def keep_checkpointing(
    engine: AsyncEngine,
    stop: asyncio.Event,
    every: float = 1.0,
    restart_frames: int = 1024,
    max_frames: int = 16384,
) -> None:
    if engine.dialect.name != "sqlite":
        return
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
        try:
            await _round(engine, restart_frames, max_frames)
        except (sa.exc.DBAPIError, OSError) as exc:
            log.warning("checkpoint failed; next round retries", extra={"error": repr(exc)})


async def _round(engine: AsyncEngine, restart_frames: int, max_frames: int) -> None:
    """PASSIVE; past ``restart_frames`` pages (4 MiB) RESTART with a short wait; past
    ``max_frames`` (64 MiB) TRUNCATE with a long one.

    The WAL starts over by itself only when a writer begins right after a checkpoint that
    caught up, before anyone else wrote: under steady load (a commit every few ms from the
    consumer and the relay) that race is lost, and the WAL grew ~7 MB/s at 200 msg/s. RESTART
    holds writers back only for the frames written since the PASSIVE just before it and for
    readers to move on (at most 100 ms), and the file is reused from its start. TRUNCATE used
    to fire every ~10 s in that case and stalled commits for up to seconds (the P3 tail); it
    stays as the bound for when readers keep RESTART from succeeding (the WAL grew to 1 GB in
    a 10-minute soak with readers always overlapping)."""
    _, frames, _ = await checkpoint(engine, "PASSIVE", 0)
    if frames > max_frames:
        busy, _, _ = await checkpoint(engine, "TRUNCATE", 5000)
        log.info("WAL truncated", extra={"status": frames, "error": "busy" if busy else ""})
    elif frames > restart_frames:
        await checkpoint(engine, "RESTART", 100)
