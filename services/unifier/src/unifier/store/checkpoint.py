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
    wake: asyncio.Event | None = None,
) -> None:
    """A round every ``every`` seconds, and after each commit the consumer signals on
    ``wake``: the copying then overlaps the consumer's next load and decisions, and the
    RESTART finds the write lock free instead of waiting for (or holding up) a batch."""
    if engine.dialect.name != "sqlite":
        return
    wake = wake or asyncio.Event()
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_either(stop, wake), every)
        wake.clear()
        try:
            await _round(engine, restart_frames, max_frames)
        except (sa.exc.DBAPIError, OSError) as exc:
            log.warning("checkpoint failed; next round retries", extra={"error": repr(exc)})


async def _either(a: asyncio.Event, b: asyncio.Event) -> None:
    waits = {asyncio.ensure_future(a.wait()), asyncio.ensure_future(b.wait())}
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waits:
            w.cancel()


async def _round(engine: AsyncEngine, restart_frames: int, max_frames: int) -> None:
    """PASSIVE; past ``restart_frames`` pages (4 MiB) RESTART with a short wait; past
    ``max_frames`` (64 MiB) RESTART with a long one.

    The WAL starts over by itself only when a writer begins right after a checkpoint that
    caught up, before anyone else wrote: under steady load (a commit every few ms from the
    consumer and the relay) that race is lost, and the WAL grew ~7 MB/s at 200 msg/s. RESTART
    holds writers back only for the frames written since the PASSIVE just before it and for
    readers to move on, and the file is reused from its start (``journal_size_limit`` trims
    it, see ``engine``). The long wait is the bound for when readers or long transactions keep
    the short one from succeeding (the WAL grew to 1 GB in a 10-minute soak with readers
    always overlapping). A TRUNCATE here used to fire every round in the drain and every
    ~10 s at 200 msg/s, stalling commits (the P3 tail)."""
    _, frames, _ = await checkpoint(engine, "PASSIVE", 0)
    if frames > max_frames:
        busy, _, _ = await checkpoint(engine, "RESTART", 5000)
        log.info("WAL restarted past its bound", extra={"status": frames, "error": "busy" * busy})
    elif frames > restart_frames:
        await checkpoint(engine, "RESTART", 100)
