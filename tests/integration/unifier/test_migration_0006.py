"""Migration 0006 on both databases: messages get a nullable sender name; rows stored before it
keep NULL and every other value; down again drops only the column."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.unifier.test_migrations import add, stored, to
from unifier.store.engine import create_engine

pytestmark = pytest.mark.integration


async def columns(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        found = await conn.run_sync(lambda c: sa.inspect(c).get_columns("messages"))
    return {c["name"] for c in found}


async def test_0006_adds_sender_name_and_keeps_rows_both_ways(dsn: str) -> None:
    engine = create_engine(dsn)
    await to(engine, "0005")
    await add(engine, "m-1", "p-1")
    assert "sender_name" not in await columns(engine)
    await to(engine, "0006")
    assert await stored(engine) == [("m-1", "p-1", b"p")]
    async with engine.begin() as conn:
        assert (await conn.execute(sa.text("SELECT sender_name FROM messages"))).scalar() is None
        await conn.execute(sa.text("UPDATE messages SET sender_name = 'Maria Lopez'"))
    await add(engine, "m-2", "p-2")  # an insert without the column still works
    await to(engine, "0005", down=True)
    assert "sender_name" not in await columns(engine)
    assert await stored(engine) == [("m-1", "p-1", b"p"), ("m-2", "p-2", b"p")]
    await engine.dispose()
