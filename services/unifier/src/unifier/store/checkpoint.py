"""SQLite WAL checkpoints off the write path.

With SQLite's automatic checkpoints the committing connection copies the WAL back into the
database file (and syncs it) inside the consumer's commit, about every 4 MB of WAL: at the
unifier's batch sizes, nearly every batch. Measured on the SQLite drain (2 cores): 5,253 ->
6,589 events/s with them moved here. The engine's connections turn automatic checkpoints off
(``wal_autocheckpoint=0``, see ``engine``); this task checkpoints in PASSIVE mode every
``every`` seconds on its own connection (its own thread: the copying overlaps the consumer's
work) and, every ``restart_every`` rounds, tries RESTART with a short busy timeout so the WAL
file starts over; past ``max_frames`` it insists (see ``_round``).
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
    restart_every: int = 10,
    max_frames: int = 16384,
) -> None:
    if engine.dialect.name != "sqlite":
        return
    rounds = 0
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
        rounds += 1
        try:
            await _round(engine, rounds % restart_every == 0, max_frames)
        except (sa.exc.DBAPIError, OSError) as exc:
            log.warning("checkpoint failed; next round retries", extra={"error": repr(exc)})


async def _round(engine: AsyncEngine, restart: bool, max_frames: int) -> None:
    """PASSIVE; now and then RESTART with a short wait for readers. When readers kept the WAL
    from starting over and it passed ``max_frames`` pages (64 MiB), TRUNCATE with a long wait:
    writers pause for at most that long, and the WAL file is bounded (it grew to 1 GB in a
    10-minute soak with readers always overlapping)."""
    _, frames, _ = await checkpoint(engine, "PASSIVE", 0)
    if frames > max_frames:
        busy, _, _ = await checkpoint(engine, "TRUNCATE", 5000)
        log.info("WAL truncated", extra={"status": frames, "error": "busy" if busy else ""})
    elif restart:
        await checkpoint(engine, "RESTART", 200)
