"""Fill make bench-sla's store: the conversations of ``bench.sla_data`` as the unifier stores
them (contacts, threads, participants, messages with their payloads, SLA cycles and clocks, the
thread's SLA columns), written in bulk: SQLite ``executemany`` in large transactions
(``synchronous=OFF`` on this connection only) or PostgreSQL COPY. The schema is the store's
own (``migrate`` first) and the policies go in through the SLA file loader, as
``HOTLINE_SLA_FILE`` would."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import tempfile
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from bench import sla_data as data
from hotline import events as ev
from unifier.service import sla_file
from unifier.service.sla_view import ThreadSla
from unifier.store.engine import create_engine, migrate
from unifier.store.schema import contacts, messages, participants, threads
from unifier.store.schema_sla import sla_clocks, sla_cycles

TABLES = (contacts, threads, participants, messages, sla_cycles, sla_clocks)
Rows = dict[str, list[dict[str, Any]]]  # table name -> rows


async def prepare(dsn: str) -> None:
    """The schema at head, and the tenant's policies (the SLA file's loader)."""
    engine = create_engine(dsn)
    await migrate(engine)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sla.json"
        doc = {"tenants": [{"tenant": data.TENANT, "policies": data.POLICIES}]}
        path.write_text(json.dumps(doc))
        async with engine.begin() as conn:
            await sla_file.load(conn, path)
    await engine.dispose()


def rows_of(c: data.Conversation, p: ThreadSla, now: datetime) -> Rows:
    tid, contact, first = c.thread_id, c.contact_id, c.said[0][0]
    said = [_message(c, n, at, role, way) for n, (at, role, way) in enumerate(c.said)]
    thread = {
        "tenant": data.TENANT, "thread_id": tid, "contact_id": contact, "channel_kind": c.kind,
        "open": True, "opened_at": first, "last_message_at": c.said[-1][0],
        "message_count": len(said), "subject": "Order help" if c.kind == "email" else "",
        "priority": c.priority, **p.thread_values(),
    }  # fmt: skip
    return {
        "contacts": [{"tenant": data.TENANT, "contact_id": contact, "created_at": first}],
        "threads": [thread],
        "thread_participants": [{"tenant": data.TENANT, "thread_id": tid, "contact_id": contact}],
        "messages": said,
        "sla_cycles": p.cycle_rows(),
        "sla_clocks": p.clock_rows(now),
    }


def _message(c: data.Conversation, n: int, at: datetime, role: str, way: str) -> dict[str, Any]:
    pmid = f"bench-{c.i}-{n}"
    handle = f"p{c.i}@example.test" if c.kind == "email" else f"{c.kind}-{c.i}"
    text = f"message {n} of conversation {c.i}: my order has not arrived yet"
    inbound = way == "inbound"
    payload = ev.encode(_received(c, pmid, handle, text, at)) if inbound else text.encode()
    return {
        "tenant": data.TENANT, "message_id": ev.event_id_for(data.TENANT, c.kind, pmid),
        "channel_kind": c.kind, "provider_message_id": pmid,
        "account_id": data.ACCOUNTS[c.kind], "thread_id": c.thread_id,
        "contact_id": c.contact_id if inbound else "", "sender_handle": handle,
        "role": role, "at": at, "text": text, "edited": False, "deleted": False,
        "reactions": "{}", "status": None if inbound else "sent",
        "rule": "new_thread" if n == 0 else ("reply.agent" if not inbound else "same_thread"),
        "evidence": "{}", "rule_version": "1" if inbound else "manual", "payload": payload,
        "direction": way, "author": None if inbound else "agent-1",
    }  # fmt: skip


def _received(
    c: data.Conversation, pmid: str, handle: str, text: str, at: datetime
) -> ev.MessageReceived:
    content: ev.Content = (
        ev.EmailContent(subject="Order help", text=text, visible_text=text)
        if c.kind == "email"
        else ev.TextContent(text=text)
    )
    return ev.MessageReceived(
        event_id=ev.event_id_for(data.TENANT, c.kind, pmid),
        tenant=data.TENANT,
        channel=ev.ChannelRef(kind=c.kind, account_id=data.ACCOUNTS[c.kind]),
        provider_message_id=pmid,
        received_at=at,
        conversation_key=handle,
        sender=ev.Sender(handle=handle, identifiers=[]),
        content=content,
    )


def as_tuples(chunk: Iterable[Rows], database: str) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of many conversations per table in column order; for SQLite each value as
    SQLAlchemy binds it there (booleans as integers, timestamps as its text), for PostgreSQL
    as they are (COPY takes them)."""
    dialect = sqlite.dialect()
    binds = {t.name: [(c.name, _bind(c, dialect) if database == "sqlite" else None)
                      for c in t.columns] for t in TABLES}  # fmt: skip
    out: dict[str, list[tuple[Any, ...]]] = {t.name: [] for t in TABLES}
    for rows in chunk:
        for name, some in rows.items():
            cols = binds[name]
            out[name] += [
                tuple(None if (v := r.get(c)) is None else (b(v) if b else v) for c, b in cols)
                for r in some
            ]
    return out


class SqliteFill:
    """Bulk inserts into a SQLite store, one transaction per chunk."""

    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA synchronous=OFF")  # this connection only: the unifier's are NORMAL
        self.db.execute("PRAGMA cache_size=-1048576")  # 1 GiB: the indexes grow in memory
        self.sql = {t.name: _insert_sql(t) for t in TABLES}

    def write(self, tuples: dict[str, list[tuple[Any, ...]]]) -> int:
        self.db.execute("BEGIN")
        for name, some in tuples.items():
            self.db.executemany(self.sql[name], some)
        self.db.execute("COMMIT")
        return sum(len(v) for v in tuples.values())

    def close(self) -> None:
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the run starts with an empty WAL
        self.db.close()


class PgFill:
    """COPY into a PostgreSQL store, one transaction per chunk (asyncpg, on a loop of its own:
    the callers are plain functions)."""

    def __init__(self, dsn: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.conn = self.loop.run_until_complete(asyncpg.connect(dsn))
        self.cols = {t.name: [c.name for c in t.columns] for t in TABLES}

    def write(self, tuples: dict[str, list[tuple[Any, ...]]]) -> int:
        async def copy() -> None:
            async with self.conn.transaction():
                for name, some in tuples.items():
                    await self.conn.copy_records_to_table(
                        name, records=some, columns=self.cols[name]
                    )

        self.loop.run_until_complete(copy())
        return sum(len(v) for v in tuples.values())

    def close(self) -> None:
        # statistics and the visibility map, as autovacuum would have left them by now, then a
        # checkpoint: the seed's writes are not the measured window's I/O
        for sql in ("VACUUM (ANALYZE)", "CHECKPOINT"):
            self.loop.run_until_complete(self.conn.execute(sql))
        self.loop.run_until_complete(self.conn.close())
        self.loop.close()


Fill = SqliteFill | PgFill


def filler(dsn: str) -> Fill:
    return SqliteFill(dsn.split(":///", 1)[1]) if dsn.startswith("sqlite") else PgFill(dsn)


def _bind(column: sa.Column[Any], dialect: Any) -> Callable[[Any], Any] | None:
    bind: Callable[[Any], Any] | None = column.type.dialect_impl(dialect).bind_processor(dialect)
    return bind


def _insert_sql(table: sa.Table) -> str:
    cols = [c.name for c in table.columns]
    return f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
