"""Migrations on both databases: head matches the code's tables, and 0003 (messages keyed by
tenant, provider message id and channel) keeps every row both ways."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine

from unifier.store.engine import alembic_config, create_engine, migrate
from unifier.store.schema import metadata

pytestmark = pytest.mark.integration

ROW = (
    "INSERT INTO messages (message_id, tenant, channel_kind, provider_message_id, account_id,"
    " thread_id, contact_id, sender_handle, role, at, text, edited, deleted, reactions, status,"
    " rule, evidence, rule_version, payload) VALUES (:mid, 'acme', 'email', :pmid, 'a', 't1',"
    " 'c1', 'h', 'customer', :at, 'hello', false, false, '{}', NULL, 'r', 'e', '1', :payload)"
)


async def to(engine: AsyncEngine, revision: str, *, down: bool = False) -> None:
    def run(conn: sa.Connection) -> None:
        (command.downgrade if down else command.upgrade)(alembic_config(conn), revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)


async def add(engine: AsyncEngine, mid: str, pmid: str) -> None:
    from datetime import UTC, datetime

    params = {"mid": mid, "pmid": pmid, "at": datetime(2026, 1, 2, tzinfo=UTC), "payload": b"p"}
    async with engine.begin() as conn:
        await conn.execute(sa.text(ROW), params)


async def stored(engine: AsyncEngine) -> list[tuple[str, str, bytes]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.text("SELECT message_id, provider_message_id, payload FROM messages ORDER BY 1")
        )
        return [(r[0], r[1], bytes(r[2])) for r in rows]


async def test_head_matches_the_schema(dsn: str) -> None:
    engine = create_engine(dsn)
    await migrate(engine)
    await migrate(engine)

    def diff(conn: sa.Connection) -> list[object]:
        return list(compare_metadata(MigrationContext.configure(conn), metadata))

    async with engine.connect() as conn:
        assert await conn.run_sync(diff) == []
    await engine.dispose()


async def test_0003_keeps_every_message_and_keys_them_by_provider_id(dsn: str) -> None:
    engine = create_engine(dsn)
    await to(engine, "0002")
    await add(engine, "m-1", "p-1")
    await add(engine, "m-2", "p-2")
    await to(engine, "0003")
    before = [("m-1", "p-1", b"p"), ("m-2", "p-2", b"p")]
    assert await stored(engine) == before
    with pytest.raises(sa.exc.IntegrityError):  # the natural key is the primary key now
        await add(engine, "m-3", "p-1")
    await add(engine, "m-3", "p-3")
    await to(engine, "0002", down=True)
    assert await stored(engine) == [*before, ("m-3", "p-3", b"p")]
    with pytest.raises(sa.exc.IntegrityError):  # and the event id again after a downgrade
        await add(engine, "m-3", "p-4")
    await engine.dispose()
