"""The Alembic migrations produce exactly the tables the code uses (no drift)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from unifier.store.engine import create_engine, migrate
from unifier.store.schema import metadata


async def test_head_matches_the_schema(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/m.db")
    await migrate(engine)
    await migrate(engine)  # idempotent at start-up

    def diff(conn: sa.Connection) -> list[object]:
        return list(compare_metadata(MigrationContext.configure(conn), metadata))

    async with engine.connect() as conn:
        assert await conn.run_sync(diff) == []
        mode = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar_one()
    await engine.dispose()
    assert mode == "wal"
