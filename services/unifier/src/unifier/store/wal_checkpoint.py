"""SQLite WAL checkpoints on a connection of their own, off the consumer's commits.

What it does: the engine's connections turn SQLite's automatic checkpoints off
(``wal_autocheckpoint=0``, see ``engine``), so a commit never copies the WAL back into the
database file itself. ``keep_checkpointing`` does that copying instead: a PASSIVE checkpoint
after each commit the consumer signals (and every ``every`` seconds), on its own connection and
so on its own aiosqlite thread, overlapping the consumer's next load and decisions; once the WAL
holds more than ``restart_frames`` pages it RESTARTs it with a short busy timeout so the file is
reused from its start, and past ``max_frames`` it insists (see ``_round``). A RESTART holds the
write lock while it waits for readers, so it runs only through ``gate``, the lock the consumer
holds around each transaction: it never waits for the consumer's read snapshot while the
consumer waits for the write lock.

What it costs: one more connection and task per SQLite unifier; the WAL grows between rounds
(bounded by ``max_frames`` and ``journal_size_limit``), and a RESTART holds other processes'
writers (the relay) back for its busy timeout at most. PostgreSQL: nothing runs.
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
    """PASSIVE; past ``restart_frames`` pages RESTART with a short wait; past ``max_frames``
    RESTART with a longer one. Both between two of the consumer's transactions (``gate``).

    The WAL starts over by itself only when a writer begins right after a checkpoint that
    caught up, before anyone else wrote: under steady load (the consumer and the relay commit
    every few ms) that race is lost and the WAL keeps growing. RESTART holds writers back for
    the frames written since the PASSIVE just before it and until the readers move on, and the
    file is reused from its start (``journal_size_limit`` trims it, see ``engine``). Beside the
    consumer instead of through the gate, a RESTART would wait for the consumer's read snapshot
    while the consumer, about to write, waits for the RESTART, each for the whole busy timeout;
    through the gate only other processes' short readers (the relay) are left to wait for."""
    _, frames, _ = await checkpoint(engine, "PASSIVE", 0)
    if frames <= restart_frames:
        return
    insist = frames > max_frames
    async with gate:
        busy, _, _ = await checkpoint(engine, "RESTART", INSIST_MS if insist else TRY_MS)
    if insist:
        log.info("WAL restarted past its bound", extra={"status": frames, "error": "busy" * busy})
