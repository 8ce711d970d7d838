"""Seed make bench-inbox's store: the unifier schema at ``BASE`` (the revision before the
inbox's own indexes), the big tables' indexes dropped, the rows of ``bench.inbox_data`` loaded
with COPY, the indexes rebuilt, ANALYZE. Migration 0012 is applied by the bench afterwards
(``bench.inbox_bench``), so it runs on a full store and can be measured before and after.

The cluster is cached under ``var/bench-inbox/<sizes>-v<SEED_VERSION>/``: a later run with the
same sizes and seed version reuses it (``seeded.json`` is written last, so a half-seeded
cluster is rebuilt, never reused).
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg

from bench import inbox_data as data
from bench.pg_cluster import LOAD, Cluster
from bench.schema_steps import to_revision
from unifier.store.engine import create_engine
from unifier.store.schema import identities

SEED_VERSION = 2  # bump when inbox_data changes what it generates
BASE = "0011"
VAR = Path(__file__).resolve().parent.parent / "var" / "bench-inbox"
BIG = ("messages", "threads", "thread_participants", "thread_labels", "thread_reads",
       "contacts", "identities")  # fmt: skip
IDENTITY_COLS = tuple(c.name for c in identities.columns)
CHUNK = 20_000  # messages per COPY


def home_for(sizes: data.Sizes, root: Path = VAR) -> Path:
    return root / f"t{sizes.threads}-m{sizes.messages}-a{sizes.agents}-v{SEED_VERSION}"


def cached(home: Path) -> dict[str, Any] | None:
    marker = home / "seeded.json"
    return json.loads(marker.read_text()) if marker.exists() else None


def seed(sizes: data.Sizes, root: Path = VAR) -> tuple[Cluster, dict[str, Any]]:
    """A running cluster holding the seeded store (reused from ``root`` when cached)."""
    cluster = Cluster(home_for(sizes, root))
    done = cached(cluster.home)
    if done is not None:
        print(f"reusing the seeded store in {cluster.home}", flush=True)
        cluster.start(LOAD)
        return cluster, done | {"reused": True}
    cluster.create()
    t0 = time.monotonic()
    facts = asyncio.run(_seed(cluster.dsn, sizes))
    facts["seed_s"] = round(time.monotonic() - t0, 1)
    (cluster.home / "seeded.json").write_text(json.dumps(facts, indent=2))
    return cluster, facts | {"reused": False}


async def _seed(dsn: str, sizes: data.Sizes) -> dict[str, Any]:
    engine = create_engine(dsn)
    await to_revision(engine, BASE)
    await engine.dispose()
    conn = await asyncpg.connect(dsn)
    try:
        saved = await _drop_indexes(conn)
        t0 = time.monotonic()
        counted = await _load(conn, sizes)
        t1 = time.monotonic()
        print(f"loaded {counted} in {t1 - t0:.0f} s; building indexes", flush=True)
        for ddl in saved:
            await conn.execute(ddl)
        # as autovacuum would have by now: statistics, and the visibility map that lets the
        # list's existence probes answer from an index alone
        await conn.execute("VACUUM (ANALYZE)")
        t2 = time.monotonic()
    finally:
        await conn.close()
    return {"rows": counted, "load_s": round(t1 - t0, 1), "index_s": round(t2 - t1, 1),
            "sizes": vars(sizes), "revision": BASE}  # fmt: skip


async def _drop_indexes(conn: asyncpg.Connection) -> list[str]:
    """Drop the big tables' keys and indexes; the statements that recreate them."""
    cons = await conn.fetch(
        "SELECT conrelid::regclass::text AS t, conname, pg_get_constraintdef(oid) AS d "
        "FROM pg_constraint WHERE conrelid::regclass::text = ANY($1::text[])",
        list(BIG),
    )
    idx = await conn.fetch(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY($1::text[]) "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
        list(BIG),
    )
    for c in cons:
        await conn.execute(f'ALTER TABLE {c["t"]} DROP CONSTRAINT "{c["conname"]}"')
    for i in idx:
        await conn.execute(f'DROP INDEX "{i["indexname"]}"')
    return [f'ALTER TABLE {c["t"]} ADD CONSTRAINT "{c["conname"]}" {c["d"]}' for c in cons] + [
        i["indexdef"] for i in idx
    ]


async def _load(conn: asyncpg.Connection, sizes: data.Sizes) -> dict[str, int]:
    threads = data.plan(sizes)
    print(f"planned {len(threads)} threads", flush=True)
    await _small_tables(conn, sizes, threads)
    corpus = data.texts()
    rng = random.Random(5)
    n, serial, t0 = 0, 0, time.monotonic()
    rows: list[tuple[Any, ...]] = []
    thread_rows: list[tuple[Any, ...]] = []
    for t in threads:
        batch = list(data.message_rows(t, rng, corpus, serial))
        serial += t.count
        rows += batch
        thread_rows.append(data.thread_row(t, rng, batch[0][11]))
        if len(rows) >= CHUNK:
            await conn.copy_records_to_table("messages", records=rows, columns=data.MESSAGE_COLS)
            n += len(rows)
            rows = []
            if n // CHUNK % 25 == 0:
                rate = n / (time.monotonic() - t0)
                print(f"  messages {n:,} ({rate:,.0f}/s)", flush=True)
    await conn.copy_records_to_table("messages", records=rows, columns=data.MESSAGE_COLS)
    await conn.copy_records_to_table("threads", records=thread_rows, columns=data.THREAD_COLS)
    return {"threads": len(threads), "messages": serial, **await _side_tables(conn, threads)}


async def _small_tables(conn: asyncpg.Connection, sizes: data.Sizes, threads: list[Any]) -> None:
    """Agents, the label catalogue, contacts and their identities."""
    at = data.NOW - timedelta(days=400)
    agents = [(data.TENANT, a, f"{a}@bench.example", f"Agent {a[-3:]}", "agent", "!seeded", at)
              for a in data.agent_ids(sizes)]  # fmt: skip
    await conn.copy_records_to_table("agents", records=agents, columns=(
        "tenant", "agent_id", "email", "name", "role", "password_hash", "created_at"))  # fmt: skip
    labels = [(data.TENANT, name, at) for name in data.LABELS]
    await conn.copy_records_to_table("labels", records=labels,
                                     columns=("tenant", "label", "created_at"))  # fmt: skip
    channel = {t.contact: t.channel for t in reversed(threads)}  # the contact's first thread's
    cs = [(data.TENANT, f"c-{c}", None, at) for c in range(sizes.contacts)]
    await conn.copy_records_to_table("contacts", records=cs)
    await conn.copy_records_to_table(
        "identities", records=_identities(sizes, channel), columns=IDENTITY_COLS
    )


def _identities(sizes: data.Sizes, channel: dict[int, str]) -> Iterator[tuple[Any, ...]]:
    for c in range(sizes.contacts):
        kind = channel.get(c, "email")
        handle = data.handle_of(c, kind)
        email = data.handle_of(c, "email")
        yield (data.TENANT, "email", email, "dmarc_aligned", True, f"c-{c}", "smtp.dmarc",
               "email", "acct", email, None, "new_contact", "seeded")  # fmt: skip
        if kind in ("whatsapp", "sms"):
            yield (data.TENANT, "phone", handle, "provider_verified", True, f"c-{c}",
                   "whatsapp.wa_id", kind, "acct", handle, None, "new_contact",
                   "seeded")  # fmt: skip


async def _side_tables(conn: asyncpg.Connection, threads: list[data.Thread]) -> dict[str, int]:
    """Participants, labels and read marks of the threads."""
    rng = random.Random(11)
    part = [(data.TENANT, t.thread_id, f"c-{t.contact}") for t in threads]
    await conn.copy_records_to_table("thread_participants", records=part)
    tags = [(data.TENANT, t.thread_id, label) for t in threads for label in t.labels]
    await conn.copy_records_to_table("thread_labels", records=tags)
    reads = [(data.TENANT, t.thread_id, t.assignee, t.count - rng.choice((0, 0, 0, 1, 2)),
              t.last) for t in threads if t.assignee and rng.random() < 0.6]  # fmt: skip
    reads = [r if r[3] > 0 else (*r[:3], 0, r[4]) for r in reads]
    await conn.copy_records_to_table("thread_reads", records=reads)
    return {"contacts": len({t.contact for t in threads}), "thread_labels": len(tags),
            "thread_reads": len(reads)}  # fmt: skip
