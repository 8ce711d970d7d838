"""SQLite checkpoints run off the write path and keep the WAL bounded while readers overlap."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from unifier.store import wal_checkpoint
from unifier.store.engine import create_engine, migrate
from unifier.store.schema import outbox
from unifier.store.wal_checkpoint import checkpoint, keep_checkpointing

pytestmark = pytest.mark.integration
ROW = {"topic": "t", "key": b"k", "event_type": "x", "event_id": "e", "payload": b"p" * 2000}


async def _write(engine: AsyncEngine, batches: int) -> None:
    for _ in range(batches):
        async with engine.begin() as conn:
            await conn.execute(sa.insert(outbox), [ROW] * 50)
        async with engine.connect() as reader:  # an overlapping reader, like the relay/API
            await reader.execute(sa.select(sa.func.count()).select_from(outbox))
        await asyncio.sleep(0)


def _wal(db: Path) -> int:
    wal = Path(f"{db}-wal")
    return wal.stat().st_size if wal.exists() else 0


async def test_without_the_checkpointer_the_wal_keeps_every_batch(tmp_path: Path) -> None:
    db = tmp_path / "u.db"
    engine = create_engine(f"sqlite:///{db}")
    await migrate(engine)
    await _write(engine, 100)  # ~10 MB written; automatic checkpoints are off
    assert _wal(db) > 8_000_000
    busy, frames, done = await checkpoint(engine, "PASSIVE")
    assert busy == 0 and frames == done > 2000
    await engine.dispose()


async def test_the_checkpointer_keeps_the_wal_small(tmp_path: Path) -> None:
    db = tmp_path / "u.db"
    engine = create_engine(f"sqlite:///{db}")
    await migrate(engine)
    stop = asyncio.Event()
    task = asyncio.create_task(
        keep_checkpointing(engine, stop, every=0.02, restart_frames=200, max_frames=10**9)
    )
    await _write(engine, 100)
    stop.set()
    await task
    assert _wal(db) < 6_500_000, f"WAL grew to {_wal(db)} bytes"  # without: > 8 MB
    assert (await checkpoint(engine, "PASSIVE"))[0] == 0
    async with engine.connect() as conn:
        assert (await conn.execute(sa.select(sa.func.count()).select_from(outbox))).scalar() == 5000
    await engine.dispose()


async def _long_writes(engine: AsyncEngine, n: int) -> None:
    """Write transactions that hold the lock for a while, as the consumer's do under load,
    with a short gap between them (where the consumer loads and decides its next batch)."""
    big = {**ROW, "payload": b"p" * 20_000}
    for _ in range(n):
        async with engine.begin() as conn:
            await conn.execute(sa.insert(outbox), [big] * 50)
            await asyncio.sleep(0.25)
        await asyncio.sleep(0.05)


async def test_a_wal_past_its_bound_starts_over_despite_long_write_transactions(
    tmp_path: Path,
) -> None:
    db = tmp_path / "u.db"
    engine = create_engine(f"sqlite:///{db}")
    await migrate(engine)
    stop = asyncio.Event()
    task = asyncio.create_task(
        keep_checkpointing(engine, stop, every=0.05, restart_frames=10**9, max_frames=250)
    )
    await _long_writes(engine, 30)  # ~30 MB through the WAL
    stop.set()
    await task
    _, frames, _ = await checkpoint(engine, "PASSIVE", 0)  # pages since the WAL started over
    await engine.dispose()
    assert frames < 2500, f"WAL holds {frames} pages"  # one write: ~300; none: > 7,000


async def test_a_commit_wakes_the_checkpointer(tmp_path: Path) -> None:
    """The consumer signals each commit: the round runs then, not a timer period later."""
    db = tmp_path / "u.db"
    engine = create_engine(f"sqlite:///{db}")
    await migrate(engine)
    stop, wake = asyncio.Event(), asyncio.Event()
    rounds = keep_checkpointing(engine, stop, every=3600, restart_frames=10, wake=wake)
    task = asyncio.create_task(rounds)
    await asyncio.sleep(0.1)  # the task waits: a timer round would come in an hour
    await _write(engine, 5)  # ~500 pages into the WAL
    wake.set()  # "committed": PASSIVE, then RESTART (past 10 pages)
    await asyncio.sleep(1.0)
    async with engine.begin() as conn:  # the first write after a RESTART starts the WAL over
        await conn.execute(sa.insert(outbox), [ROW])
    _, frames, _ = await checkpoint(engine, "PASSIVE", 0)
    stop.set()
    await task
    await engine.dispose()
    assert frames < 20, f"WAL holds {frames} pages: the round did not run"


async def test_a_restart_waits_for_the_consumers_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the consumer holds the gate (a transaction in progress) the round does not
    RESTART: it would hold the write lock waiting for the consumer's own read snapshot while
    the consumer waits for the lock. Once the gate is free, it does, and the WAL starts over."""
    db = tmp_path / "u.db"
    engine = create_engine(f"sqlite:///{db}")
    await migrate(engine)
    modes: list[str] = []

    async def recording(engine: AsyncEngine, mode: str, busy_ms: int = 0) -> Any:
        modes.append(mode)
        return await checkpoint(engine, mode, busy_ms)

    monkeypatch.setattr(wal_checkpoint, "checkpoint", recording)
    await _write(engine, 5)  # ~500 pages into the WAL
    stop, wake, gate = asyncio.Event(), asyncio.Event(), asyncio.Lock()
    await gate.acquire()
    rounds = keep_checkpointing(engine, stop, every=3600, restart_frames=10, wake=wake, gate=gate)
    task = asyncio.create_task(rounds)
    wake.set()
    await asyncio.sleep(0.5)
    held = list(modes)
    gate.release()
    await asyncio.sleep(0.5)
    async with engine.begin() as conn:  # the first write after a RESTART starts the WAL over
        await conn.execute(sa.insert(outbox), [ROW])
    _, frames, _ = await checkpoint(engine, "PASSIVE", 0)
    done = list(modes)
    stop.set()
    await task
    await engine.dispose()
    assert held == ["PASSIVE"], held
    assert done == ["PASSIVE", "RESTART"], done
    assert frames < 20, f"WAL holds {frames} pages"
