"""Move a store's schema to a given Alembic revision, up or down (the bench measures the
store before and after a migration; ``unifier.store.engine.migrate`` only goes to head)."""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic import command
from alembic.runtime.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine

from unifier.store.engine import alembic_config


def _current(sync_conn: sa.Connection) -> str | None:
    return MigrationContext.configure(sync_conn).get_current_revision()


def _step(sync_conn: sa.Connection, target: str) -> None:
    cfg = alembic_config(sync_conn)
    now = _current(sync_conn)
    if now is not None and now > target:  # revisions are zero-padded numbers
        command.downgrade(cfg, target)
    elif now != target:
        command.upgrade(cfg, target)


async def to_revision(engine: AsyncEngine, target: str) -> float:
    """Up or down to ``target`` ("head" is allowed); the seconds it took."""
    t0 = time.monotonic()
    async with engine.begin() as conn:
        if target == "head":
            await conn.run_sync(lambda c: command.upgrade(alembic_config(c), "head"))
        else:
            await conn.run_sync(_step, target)
    return time.monotonic() - t0


async def revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(_current)
