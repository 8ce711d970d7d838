"""The inbox's text search predicate (store.inbox_search.text_match) and migration 0012 on both
databases: the same answers on SQLite and PostgreSQL for whole and half-typed words, and on
PostgreSQL the predicate is the expression the GIN index of 0012 holds (the planner uses it)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.unifier.conftest import PgCluster, new_pg_database
from unifier.store.engine import alembic_config, create_engine, migrate
from unifier.store.inbox_search import text_match, ts_query, words
from unifier.store.schema import messages
from unifier.store.schema_inbox import TEXT_SEARCH_INDEX

pytestmark = pytest.mark.integration
TEXTS = {
    "m1": "My credit card was declined at the store",
    "m2": "Where is my CARD? It has not arrived",
    "m3": "Please cancel the flight to Lisbon",
    "m4": "The credit on my account looks wrong",
}
INDEXES_0012 = {"ix_participants_contact", "ix_messages_thread_channel"}


async def fill(engine: AsyncEngine) -> None:
    at = datetime(2026, 1, 2, tzinfo=UTC)
    rows = [
        {"message_id": k, "tenant": "acme", "channel_kind": "email", "provider_message_id": k,
         "account_id": "a", "thread_id": "t-" + k, "contact_id": "c", "sender_handle": "h",
         "role": "customer", "at": at, "text": text, "edited": False, "deleted": False,
         "reactions": "{}", "rule": "r", "evidence": "e", "rule_version": "1", "payload": b"p"}
        for k, text in TEXTS.items()
    ]  # fmt: skip
    async with engine.begin() as conn:
        await conn.execute(sa.insert(messages), rows)


async def found(engine: AsyncEngine, query: str) -> set[str]:
    q = sa.select(messages.c.message_id).where(text_match(messages.c.text, query))
    async with engine.connect() as conn:
        return set((await conn.scalars(q)).all())


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("card", {"m1", "m2"}),  # any case
        ("credit card", {"m1"}),  # every word
        ("card credit", {"m1"}),  # in any order
        ("declin", {"m1"}),  # the last word half-typed
        ("CARD?!", {"m1", "m2"}),  # punctuation is not searched
        ("lisbon flight", {"m3"}),
        ("train", set()),
        ("?!", {"m1", "m2", "m3", "m4"}),  # no word: no filter
        ("zq' & !xj | (wv:*", set()),  # tsquery syntax is never parsed from the user's text
    ],
)
async def test_text_match_finds_the_same_on_both_databases(
    dsn: str, query: str, expected: set[str]
) -> None:
    engine = create_engine(dsn)
    await migrate(engine)
    await fill(engine)
    assert await found(engine, query) == expected
    await engine.dispose()


def test_queries_are_built_from_words_only() -> None:
    assert words("Hello, WORLD! café-42") == ["hello", "world", "café", "42"]
    assert ts_query("credit card") == "credit & card:*"
    assert ts_query("it's") == "it & s:*"
    assert ts_query("!!") == ""


async def indexes(engine: AsyncEngine) -> set[str]:
    def names(conn: sa.Connection) -> set[str]:
        inspector = sa.inspect(conn)
        tables = ("messages", "thread_participants")
        return {i["name"] or "" for t in tables for i in inspector.get_indexes(t)}

    async with engine.connect() as conn:
        return await conn.run_sync(names)


async def step(engine: AsyncEngine, revision: str, *, down: bool) -> None:
    def run(conn: sa.Connection) -> None:
        (command.downgrade if down else command.upgrade)(alembic_config(conn), revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)


async def test_0012_up_down_up(dsn: str) -> None:
    """0012 adds its indexes (the GIN one on PostgreSQL only), takes them away again on the
    way down, keeps the rows, and comes back up."""
    engine = create_engine(dsn)
    pg = dsn.startswith("postgresql")
    ours = INDEXES_0012 | ({TEXT_SEARCH_INDEX} if pg else set())
    await step(engine, "0012", down=False)  # 0023 folds its channel index into another
    await fill(engine)
    assert ours <= await indexes(engine)
    assert TEXT_SEARCH_INDEX not in await indexes(engine) or pg
    await step(engine, "0011", down=True)
    assert not ours & await indexes(engine)
    assert await found(engine, "card") == {"m1", "m2"}  # the fallback scan still answers
    await step(engine, "0012", down=False)
    assert ours <= await indexes(engine)
    await engine.dispose()


async def test_postgresql_searches_through_the_gin_index(postgres: PgCluster) -> None:
    """The predicate's expression is the index's: with sequential scans off the plan reads
    ix_messages_text_search (a different expression could not use it)."""
    engine = create_engine(new_pg_database(postgres))
    await migrate(engine)
    await fill(engine)
    q = sa.select(messages.c.message_id).where(text_match(messages.c.text, "credit card"))
    async with engine.begin() as conn:
        await conn.execute(sa.text("SET LOCAL enable_seqscan = off"))
        compiled = q.compile(conn.sync_connection, compile_kwargs={"literal_binds": True})
        plan = "\n".join((await conn.scalars(sa.text(f"EXPLAIN {compiled}"))).all())
    assert TEXT_SEARCH_INDEX in plan, plan
    await engine.dispose()
