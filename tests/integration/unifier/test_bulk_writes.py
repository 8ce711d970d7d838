"""Set-based writes on both databases: every path (COPY, unnest, executemany) stays inside
the caller's transaction, and upserts keep the last row per key."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from unifier.store.dialect import COPY_MIN, insert, insert_ignore, upsert
from unifier.store.engine import create_engine, migrate
from unifier.store.schema import outbox, thread_keys

pytestmark = pytest.mark.integration


def rows(n: int) -> list[dict[str, object]]:
    return [
        {"topic": "t", "key": b"k", "event_type": "x", "event_id": f"e{i}", "payload": b"p"}
        for i in range(n)
    ]


class Boom(Exception):
    pass


@pytest.mark.parametrize("n", [3, COPY_MIN + 1])
async def test_inserts_roll_back_with_the_transaction(dsn: str, n: int) -> None:
    engine = create_engine(dsn)
    await migrate(engine)
    with pytest.raises(Boom):
        async with engine.begin() as conn:
            await insert(conn, outbox, rows(n))  # the first statement of the transaction
            raise Boom
    async with engine.begin() as conn:
        await insert(conn, outbox, rows(n))
    async with engine.connect() as conn:
        got = (await conn.execute(sa.select(outbox.c.event_id, outbox.c.payload))).all()
    await engine.dispose()
    assert sorted(r.event_id for r in got) == sorted(f"e{i}" for i in range(n))
    assert {bytes(r.payload) for r in got} == {b"p"}


async def test_upsert_keeps_the_last_row_per_key_and_ignore_keeps_the_first(dsn: str) -> None:
    engine = create_engine(dsn)
    await migrate(engine)
    keys = [{"tenant": "t", "key": "k1", "thread_id": v} for v in ("a", "b", "c")]
    async with engine.begin() as conn:
        await upsert(conn, thread_keys, keys, ["thread_id"])
        await insert_ignore(conn, thread_keys, [{"tenant": "t", "key": "k2", "thread_id": "x"}] * 2)
        await insert_ignore(conn, thread_keys, [{"tenant": "t", "key": "k2", "thread_id": "y"}])
    async with engine.connect() as conn:
        got = dict(
            (await conn.execute(sa.select(thread_keys.c.key, thread_keys.c.thread_id))).all()
        )
    await engine.dispose()
    assert got == {"k1": "c", "k2": "x"}
