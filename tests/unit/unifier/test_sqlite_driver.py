"""The one-round-trip SQLite cursor behaves as SQLAlchemy's aiosqlite cursor does: rows,
row counts, executemany, errors as SQLAlchemy's exceptions, rollback on failure."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from unifier.store.engine import create_engine
from unifier.store.sqlite_driver import OneTripCursor


async def _engine(tmp_path: Path) -> AsyncEngine:
    engine = create_engine(f"sqlite:///{tmp_path}/d.db")
    async with engine.begin() as conn:
        await conn.exec_driver_sql("CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER)")
    return engine


async def test_statements_rows_and_counts(tmp_path: Path) -> None:
    engine = await _engine(tmp_path)
    async with engine.begin() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.dbapi_connection.cursor(), OneTripCursor)  # type: ignore[union-attr]
        await conn.exec_driver_sql("INSERT INTO t VALUES (?, ?)", [("a", 1), ("b", 2), ("c", 3)])
        updated = await conn.execute(sa.text("UPDATE t SET n = n + 10 WHERE n >= 2"))
        assert updated.rowcount == 2
        rows = (await conn.exec_driver_sql("SELECT k, n FROM t ORDER BY k")).all()
        assert [tuple(r) for r in rows] == [("a", 1), ("b", 12), ("c", 13)]
        one = await conn.execute(sa.text("SELECT n FROM t WHERE k = :k"), {"k": "b"})
        assert one.scalar_one() == 12
        assert (await conn.exec_driver_sql("SELECT n FROM t WHERE k = 'zz'")).first() is None
        chunks = (await conn.exec_driver_sql("SELECT k FROM t ORDER BY k")).partitions()
        assert [[r[0] for r in chunk] for chunk in chunks] == [["a"], ["b"], ["c"]]
    await engine.dispose()


async def test_errors_are_sqlalchemy_errors_and_roll_back(tmp_path: Path) -> None:
    engine = await _engine(tmp_path)
    with pytest.raises(sa.exc.IntegrityError):
        async with engine.begin() as conn:
            await conn.exec_driver_sql("INSERT INTO t VALUES ('a', 1)")
            await conn.exec_driver_sql("INSERT INTO t VALUES ('a', 2)")
    with pytest.raises(sa.exc.OperationalError):
        async with engine.begin() as conn:
            await conn.exec_driver_sql("SELECT nope FROM t")
    async with engine.connect() as conn:
        assert (await conn.exec_driver_sql("SELECT count(*) FROM t")).scalar_one() == 0
        journal = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar_one()
        assert journal == "wal"  # the engine's connect pragmas ran through this cursor too
    await engine.dispose()
