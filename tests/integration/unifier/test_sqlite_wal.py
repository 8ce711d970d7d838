"""The engine leaves SQLite's automatic checkpoints on: the WAL is copied back and reused as
batches commit, with a reader overlapping them (the relay, the API), instead of growing."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from unifier.store.engine import create_engine, migrate
from unifier.store.schema import outbox

pytestmark = pytest.mark.integration


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


ROW = {"topic": "t", "key": b"k", "event_type": "x", "event_id": "e", "payload": b"p" * 2000}


async def test_the_wal_stays_bounded_without_a_checkpointer(tmp_path: Path) -> None:
    db = tmp_path / "u.db"
    engine = create_engine(f"sqlite:///{db}")
    await migrate(engine)
    for _ in range(100):  # ~10 MB through the WAL
        async with engine.begin() as conn:
            await conn.execute(sa.insert(outbox), [ROW] * 50)
        async with engine.connect() as reader:
            await reader.execute(sa.select(sa.func.count()).select_from(outbox))
    async with engine.connect() as conn:
        pages = (await conn.exec_driver_sql("PRAGMA wal_autocheckpoint")).scalar_one()
        stored = (await conn.execute(sa.select(sa.func.count()).select_from(outbox))).scalar()
    await engine.dispose()
    assert pages > 0
    assert stored == 5000
    assert _size(Path(f"{db}-wal")) < 8_000_000, f"WAL grew to {_size(Path(f'{db}-wal'))} bytes"
