"""``BENCH_AB=<mechanism> make bench-unifier``: one speed mechanism of the unifier's store, on
(A) and off (B), interleaved in one run (A B, B A, A B: ``BENCH_AB_ROUNDS`` rounds) against
one broker and one PostgreSQL cluster, each drain into a fresh database.

"Off" is made here, in the bench, never by a product setting: each switch patches the product
modules for the B drains and puts them back after. Mechanisms (issue 22, section 3):

- ``sqlite_driver``: SQLAlchemy's own aiosqlite adapter instead of the one-trip cursor;
- ``bulk``: ``conn.execute(statement, rows)`` (SQLAlchemy's executemany and result
  processing) instead of statements compiled once and positional rows;
- ``relay_process``: the outbox relay in the consumer's process (``relay_process=False``);
- ``triage``: triage on arrival off (``triage=False``): what triage costs the drain;
- ``triage_language``: triage on, without language detection (no guesses): what the detector
  costs of it;
- ``partial_thread_indexes``: the threads' assignee, closed and SLA-due indexes over every row
  (as before migration 0023) instead of only the rows their queries match;
- ``one_thread_index``: messages indexed by (thread, time) and again by (thread, channel kind),
  as before 0023, instead of one index by (thread, time, channel kind).

(The WAL checkpointer task and triage's language detection started as each poll is decoded,
``triage_ahead``, were measured here the same way and deleted: bench/profiling.md.)

The relay runs as the product runs it (a child process) except in ``relay_process``'s B, so a
patch reaches the consumer's process only. ``BENCH_AB_MAX_POLL`` caps the events per
transaction (P1's small polls); ``BENCH_N`` sets the events per drain; ``BENCH_AB_TRIAGE=0``
turns triage on arrival off in both A and B; ``BENCH_AB_DATABASES=postgresql`` drains only
those databases. ``BENCH_AB=a+b`` turns several off together in B; ``BENCH_AB_TAG`` is
appended to the results file's name.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from statistics import geometric_mean, mean
from typing import Any

import aiosqlite
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_dbapi
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bench.common import bench_broker, write_result
from bench.unifier_bench import N, drain, postgres
from hotline import collector

ROUNDS = int(os.environ.get("BENCH_AB_ROUNDS", "3"))
MAX_POLL = int(os.environ.get("BENCH_AB_MAX_POLL", "0"))
TAG = os.environ.get("BENCH_AB_TAG", "")  # appended to the results file's name: "-after"
TRIAGE = os.environ.get("BENCH_AB_TRIAGE", "1") != "0"
ONLY = os.environ.get("BENCH_AB_DATABASES", "")  # "postgresql": only those of the mechanism's
# B of the index mechanisms: migration 0023's indexes as they were before it
FULL_THREAD_INDEXES = [  # the assignee, closed and SLA-due indexes over every thread
    f"DROP INDEX {name}; CREATE INDEX {name} ON threads ({columns})"
    for name, columns in (
        ("ix_threads_assignee", "tenant, assignee, last_message_at"),
        ("ix_threads_closed", "tenant, closed_at"),
        ("ix_threads_sla_due", "tenant, sla_due_at"),
    )
]
TWO_THREAD_MESSAGE_INDEXES = [  # messages by thread and time, and again by thread and channel
    "DROP INDEX ix_messages_thread",
    "CREATE INDEX ix_messages_thread ON messages (tenant, thread_id, at)",
    "CREATE INDEX ix_messages_thread_channel ON messages (tenant, thread_id, channel_kind)",
]


@contextmanager
def patched(target: Any, **attrs: Any) -> Iterator[None]:
    old = {name: getattr(target, name) for name in attrs}
    for name, value in attrs.items():
        setattr(target, name, value)
    try:
        yield
    finally:
        for name, value in old.items():
            setattr(target, name, value)


def stock_dbapi() -> AsyncAdapt_aiosqlite_dbapi:
    return AsyncAdapt_aiosqlite_dbapi(aiosqlite, sqlite3)


def without_sqlite_driver() -> AbstractContextManager[None]:
    from unifier.store import engine

    return patched(engine, OneTripDbapi=stock_dbapi)


async def plain_execute_rows(
    conn: AsyncConnection, _name: str, build: Callable[[], Any], rows: Sequence[Mapping[str, Any]]
) -> None:
    if rows:
        await conn.execute(build(), list(rows))


async def plain_fetch_rows(
    conn: AsyncConnection, _name: str, build: Callable[[], Any], params: Mapping[str, Any]
) -> Sequence[sa.Row[Any]]:
    return (await conn.execute(build(), dict(params))).all()


def without_bulk() -> AbstractContextManager[None]:
    from unifier.store import dialect, load, write

    async def plain_write(
        conn: AsyncConnection,
        table: sa.Table,
        name: str,
        finish: Callable[[Any], Any] | None,
        rows: Sequence[dict[str, Any]],
    ) -> None:
        """``dialect._write`` with SQLAlchemy doing the binding (COPY and unnest kept)."""
        if not rows:
            return
        done = finish or (lambda s: s)
        if conn.dialect.name != "postgresql":
            await conn.execute(done(sqlite.insert(table)), list(rows))
        elif finish is None and len(rows) >= dialect.COPY_MIN:
            await dialect._copy(conn, table, rows)
        else:
            keys = list(rows[0])
            stmt = done(postgresql.insert(table).from_select(keys, dialect._unnest(table, keys)))
            await conn.execute(stmt, {k: [r[k] for r in rows] for k in keys})

    @contextmanager
    def all_three() -> Iterator[None]:
        with (
            patched(write, execute_rows=plain_execute_rows),
            patched(dialect, execute_rows=plain_execute_rows, _write=plain_write),
            patched(load, fetch_rows=plain_fetch_rows),
        ):
            yield

    return all_three()


def without_language() -> AbstractContextManager[None]:
    from unifier.service.language import LanguageDetector

    def no_guesses(_self: LanguageDetector, _events: Sequence[Any]) -> dict[str, Any]:
        return {}

    return patched(LanguageDetector, guesses=no_guesses)


def with_ddl(statements: list[str]) -> Callable[[], AbstractContextManager[None]]:
    """B: each drain's store migrated to head, then ``statements`` run (each ``;``-separated
    part on its own); several of these chain (``BENCH_AB=a+b``)."""

    def switch() -> AbstractContextManager[None]:
        from bench import unifier_bench

        before = unifier_bench.migrate  # type: ignore[attr-defined]  # drain() calls this

        async def migrate_then(engine: AsyncEngine) -> None:
            await before(engine)
            async with engine.begin() as conn:
                for part in (p for st in statements for p in st.split("; ")):
                    await conn.execute(sa.text(part))

        return patched(unifier_bench, migrate=migrate_then)

    return switch


Switch = Callable[[], AbstractContextManager[None]]
MECHANISMS: dict[str, tuple[Switch, dict[str, Any], tuple[str, ...]]] = {
    # name: (the B patch, B's extra unifier settings, the databases it applies to)
    "sqlite_driver": (without_sqlite_driver, {}, ("sqlite",)),
    "bulk": (without_bulk, {}, ("sqlite", "postgresql")),
    "relay_process": (nullcontext, {"relay_process": False}, ("sqlite", "postgresql")),
    # triage on arrival (language detection per batch) against none: its cost in the drain
    "triage": (nullcontext, {"triage": False}, ("sqlite", "postgresql")),
    # triage on in both, B without language detection: what the detector costs of the above
    "triage_language": (without_language, {}, ("sqlite", "postgresql")),
    "partial_thread_indexes": (with_ddl(FULL_THREAD_INDEXES), {}, ("sqlite", "postgresql")),
    "one_thread_index": (with_ddl(TWO_THREAD_MESSAGE_INDEXES), {}, ("sqlite", "postgresql")),
}


def _order(rounds: int) -> list[tuple[int, str]]:
    """A B, B A, A B, ...: neither side always runs first."""
    return [(r, v) for r in range(rounds) for v in (("A", "B") if r % 2 == 0 else ("B", "A"))]


def combined(names: list[str]) -> tuple[Switch, dict[str, Any], tuple[str, ...]]:
    """Several mechanisms off at once (``BENCH_AB=a+b``): the code without all of them."""
    picked = [MECHANISMS[n] for n in names]

    @contextmanager
    def all_off() -> Iterator[None]:
        with ExitStack() as stack:
            for switch, _, _ in picked:
                stack.enter_context(switch())
            yield

    options = {k: v for _, o, _ in picked for k, v in o.items()}
    databases = tuple(db for db in ("sqlite", "postgresql") if any(db in d for *_, d in picked))
    return all_off, options, databases


def main(mechanism: str) -> None:
    switch, b_options, databases = combined(mechanism.split("+"))
    databases = tuple(db for db in databases if not ONLY or db in ONLY.split(","))
    collector.tune()
    work = tempfile.mkdtemp(prefix="unifier-ab-")
    base: dict[str, Any] = {"max_poll_records": MAX_POLL} if MAX_POLL else {}
    base |= {} if TRIAGE else {"triage": False}
    runs: list[dict[str, Any]] = []
    with bench_broker() as broker, postgres() as pg_dsn:
        asyncio.run(drain(broker.bootstrap, f"sqlite:///{work}/w.db", 5000, 1000))  # warm-up
        for i, (rnd, variant) in enumerate(_order(ROUNDS)):
            options = {**base, **(b_options if variant == "B" else {})}
            for db in databases:
                dsn = f"sqlite:///{work}/{i}.db" if db == "sqlite" else _database(pg_dsn, i)
                with switch() if variant == "B" else nullcontext():
                    got = asyncio.run(drain(broker.bootstrap, dsn, N, N // 3, options=options))
                runs.append({"round": rnd + 1, "variant": variant, "database": db, **got})
                print(mechanism, rnd + 1, variant, db, got["events_per_s"], flush=True)
    summary = {db: _summary(runs, db) for db in databases}
    print(mechanism, summary, flush=True)
    doc = {"mechanism": mechanism, "events": N, "max_poll_records": MAX_POLL or "default"}
    doc |= {"triage": TRIAGE}
    doc |= {"variants": {"A": "on (current code)", "B": "off (bench patch)"}}
    name = f"unifier-ab-{mechanism}" + (f"-poll{MAX_POLL}" if MAX_POLL else "") + TAG
    print(write_result(name, {**doc, "summary": summary, "runs": runs}))


def _database(dsn: str, i: int) -> str:
    """A fresh database in the cluster ``dsn`` points at."""
    port = dsn.rsplit(":", 1)[1].split("/", maxsplit=1)[0]
    name = f"ab{i}"
    subprocess.run(
        ["runuser", "-u", "postgres", "--", "/usr/bin/createdb", "-h", "127.0.0.1", "-p", port,
         "-U", "postgres", name],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return dsn.rsplit("/", 1)[0] + "/" + name


def _summary(runs: list[dict[str, Any]], db: str) -> dict[str, Any]:
    """Means per variant, and the gain of each round's A over its B (a pair ran back to back,
    so the machine's drift between rounds cancels out of it)."""
    rates = {v: [r["events_per_s"] for r in runs if (r["database"], r["variant"]) == (db, v)]
             for v in ("A", "B")}  # fmt: skip
    a, b = mean(rates["A"]), mean(rates["B"])
    paired = [x / max(y, 1) for x, y in zip(rates["A"], rates["B"], strict=True)]
    return {"A": rates["A"], "B": rates["B"], "mean_A": round(a), "mean_B": round(b),
            "gain": round(a / max(b, 1) - 1, 4),
            "paired_gains": [round(g - 1, 4) for g in paired],
            "paired_gain_geomean": round(geometric_mean(paired) - 1, 4)}  # fmt: skip
