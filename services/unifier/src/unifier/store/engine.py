"""Engines by DSN (SQLite with WAL by default, PostgreSQL via asyncpg) and migrations at start."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from unifier.store.sqlite_driver import OneTripDbapi

MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_MS = 30_000  # how long a SQLite connection waits for a lock


def async_url(dsn: str) -> str:
    if dsn.startswith("sqlite:"):
        return "sqlite+aiosqlite:" + dsn.removeprefix("sqlite:")
    if dsn.startswith(("postgresql:", "postgres:")):
        return "postgresql+asyncpg:" + dsn.split(":", 1)[1]
    return dsn


def create_engine(dsn: str) -> AsyncEngine:
    url = async_url(dsn)
    if url.startswith("sqlite"):
        _ensure_dir(url)
        engine = create_async_engine(url, connect_args={"timeout": 30}, module=OneTripDbapi())
        sa.event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_size=5, max_overflow=5)


@asynccontextmanager
async def snapshot(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection whose statements all read one committed state, so a read of several tables
    (a thread, its messages, its calls) never mixes the states before and after a batch's
    commit. PostgreSQL's default (read committed) and SQLite's driver (no transaction before a
    write) give each statement its own: here PostgreSQL reads at repeatable read and SQLite in
    one deferred transaction (WAL: its snapshot is taken at the first read, writers go on).

    Plain reads only: a repeatable-read transaction that locks (``FOR UPDATE``) or writes a row
    changed since its snapshot fails with a serialization error; one that only reads never
    does, so its callers need no retry. PostgreSQL's transaction is declared read only: a
    locking read or a write on a read path fails at once rather than now and then."""
    async with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        else:
            await conn.exec_driver_sql("BEGIN")
        yield conn  # left without a commit: the connection rolls the read back


def _ensure_dir(url: str) -> None:
    path = url.split(":///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute(f"PRAGMA journal_size_limit={64 * 1024 * 1024}")  # the WAL file, once restarted
    cur.execute("PRAGMA cache_size=-131072")  # 128 MiB: lookup indexes stay in memory as it grows
    cur.close()


MIGRATION_LOCK = 0x686F746C696E65  # "hotline": one instance migrates at a time


async def migrate(engine: AsyncEngine) -> None:
    """Bring the schema to head (run at start; a no-op when current). On PostgreSQL several
    instances may start at once: a transaction-scoped advisory lock makes the others wait and
    then find the schema current."""
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(sa.text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
        await conn.run_sync(_upgrade)


def _upgrade(sync_conn: sa.Connection) -> None:
    command.upgrade(alembic_config(sync_conn), "head")


def alembic_config(sync_conn: sa.Connection) -> Config:
    """Our migrations, run on ``sync_conn`` (inside its transaction)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = sync_conn
    return cfg
