"""SQLite WAL checkpoints off the write path.

With SQLite's automatic checkpoints the committing connection copies the WAL back into the
database file (and syncs it) inside the consumer's commit, about every 4 MB of WAL: at the
unifier's batch sizes, nearly every batch. Measured on the SQLite drain (2 cores): 5,253 ->
6,589 events/s with them moved here. The engine's connections turn automatic checkpoints off
(``wal_autocheckpoint=0``, see ``engine``); this task checkpoints in PASSIVE mode every
``every`` seconds on its own connection (its own thread: the copying overlaps the consumer's
work) and, once the WAL holds more than ``restart_frames`` pages, tries RESTART with a short
busy timeout so the WAL file starts over; past ``max_frames`` it insists (see ``_round``).

A RESTART holds the write lock while it waits for readers, so it runs through ``gate``, the
lock the consumer holds around each transaction: it never waits for the consumer's own read
snapshot while the consumer, blocked on the write lock, waits for it (see ``_round``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from unifier.store.engine import BUSY_TIMEOUT_MS

log = logging.getLogger(__name__)
TRY_MS, INSIST_MS = 20, 500  # RESTART's busy timeouts: below and past ``max_frames``


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
    gate: asyncio.Lock | None = None,
) -> None:
    """A round every ``every`` seconds, and after each commit the consumer signals on
    ``wake``: the copying then overlaps the consumer's next load and decisions, and a
    RESTART waits for the transaction in progress (``gate``) instead of holding it up."""
    if engine.dialect.name != "sqlite":
        return
    wake, gate = wake or asyncio.Event(), gate or asyncio.Lock()
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_either(stop, wake), every)
        wake.clear()
        try:
            await _round(engine, restart_frames, max_frames, gate)
        except (sa.exc.DBAPIError, OSError) as exc:
            log.warning("checkpoint failed; next round retries", extra={"error": repr(exc)})


async def _either(a: asyncio.Event, b: asyncio.Event) -> None:
    waits = {asyncio.ensure_future(a.wait()), asyncio.ensure_future(b.wait())}
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waits:
            w.cancel()


async def _round(
    engine: AsyncEngine, restart_frames: int, max_frames: int, gate: asyncio.Lock
) -> None:
    """PASSIVE; past ``restart_frames`` pages (4 MiB) RESTART with a short wait; past
    ``max_frames`` (64 MiB) RESTART with a longer one. Both between two of the consumer's
    transactions (``gate``).

    The WAL starts over by itself only when a writer begins right after a checkpoint that
    caught up, before anyone else wrote: under steady load (a commit every few ms from the
    consumer and the relay) that race is lost, and the WAL grew ~7 MB/s at 200 msg/s. RESTART
    holds writers back for the frames written since the PASSIVE just before it and until the
    readers move on, and the file is reused from its start (``journal_size_limit`` trims it,
    see ``engine``). Run beside the consumer (as it was until session 11), a RESTART waited
    for the consumer's read snapshot while the consumer, about to write, waited for the
    RESTART: each attempt stalled the consumer for the whole busy timeout (100 ms, then 5 s
    past the bound) and mostly failed, so the WAL passed its bound every few minutes at
    3,000 msg/s. Through the gate only other processes' short readers (the relay) are left
    to wait for."""
    _, frames, _ = await checkpoint(engine, "PASSIVE", 0)
    if frames <= restart_frames:
        return
    insist = frames > max_frames
    async with gate:
        busy, _, _ = await checkpoint(engine, "RESTART", INSIST_MS if insist else TRY_MS)
    if insist:
        log.info("WAL restarted past its bound", extra={"status": frames, "error": "busy" * busy})
