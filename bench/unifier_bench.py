"""make bench-unifier: events/s stored by the unifier from a pre-filled topic (SQLite, PostgreSQL).

A dedicated broker; the topic is filled first, then one unifier runtime (the consumer loop with
the DB offset store in this process, the outbox relay in its child process) drains it. Rate =
events handled / time from the first batch to the last. The backlog run drains BACKLOG events
and compares its rate with the rate for the first N events of the same traffic (same customers)
drained from a topic that holds only them (vs_empty); it also reports the rate over its first
and last WINDOW events (empty store vs a store of ~BACKLOG messages: last_vs_first).
Targets (issue 7): >= 8,000/s SQLite, >= 5,000/s PostgreSQL; backlog rate >= 95% of empty.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from bench.common import RESULTS, bench_broker, write_result
from hotline import collector
from hotline import events as ev
from hotline.kafka import Batch, EventProducer, ProducerSettings
from hotline.topics import load_topics
from hotline_tools.devstack.broker import free_port
from unifier.entrypoints.runtime import TOPICS, build_runtime
from unifier.settings import UnifierSettings
from unifier.store.engine import create_engine, migrate
from unifier.store.offsets import write_offset

N = int(os.environ.get("BENCH_N", "60000"))
BACKLOG = int(os.environ.get("BENCH_BACKLOG", "1000000"))
WINDOW = int(os.environ.get("BENCH_WINDOW", "50000"))
# the results file's name: bench/results/<RESULT>.json (unifier.json is the reference figure)
RESULT = os.environ.get("BENCH_RESULT", "unifier")
PGBIN = "/usr/lib/postgresql/15/bin"
Traffic = Callable[[str, int], Iterable[ev.Event]]  # (tenant, n) -> the events to publish
TARGETS = {
    "sqlite_events_per_s": ">= 8000",
    "postgresql_events_per_s": ">= 5000",
    "backlog_rate_vs_empty": ">= 0.95 with 1,000,000 events of backlog (vs_empty)",
}


def events_for(tenant: str, n: int, seed: int = 1, people: int = 0) -> Iterator[ev.Event]:
    """Customers (n // 8 unless given) writing on email/WhatsApp/widget, replies by
    In-Reply-To, some reactions."""
    rng, people = random.Random(seed), people or max(n // 8, 10)
    kinds: list[ev.ChannelKind] = ["email", "whatsapp", "widget"]
    for i in range(n):
        p, kind = rng.randrange(people), kinds[i % 3]
        if i % 10 == 9:
            yield reaction(tenant, kind, i, f"p{p}")
            continue
        handle = f"p{p}@example.test" if kind == "email" else f"{kind}-{p}"
        ids = [
            ev.Identifier(kind="email", value=f"p{p}@example.test", source="dkim", verified=True)
        ]
        yield message(tenant, kind, i, ev.Sender(handle=handle, identifiers=ids))


def message(tenant: str, kind: ev.ChannelKind, i: int, sender: ev.Sender) -> ev.MessageReceived:
    """Traffic message i, from ``sender`` (its conversation key: the sender's handle), a reply
    by In-Reply-To to message i - 30."""
    hints = ev.ThreadHints(message_id=f"<m{i}@x>", in_reply_to=[f"<m{i - 30}@x>"] if i > 30 else [])
    return ev.MessageReceived(
        **envelope(tenant, kind, f"m{i}", sender.handle),
        sender=sender,
        content=ev.TextContent(text=f"message {i}: my order has not arrived yet"),
        thread=hints,
    )


def reaction(tenant: str, kind: ev.ChannelKind, i: int, key: str) -> ev.Reaction:
    """Traffic event i: a reaction to message i - 3."""
    return ev.Reaction(
        **envelope(tenant, kind, f"r{i}", key), target_message_id=f"m{i - 3}", emoji="👍"
    )


def envelope(tenant: str, kind: ev.ChannelKind, pmid: str, key: str) -> dict[str, Any]:
    from datetime import UTC, datetime

    return {
        "event_id": ev.event_id_for(tenant, kind, pmid),
        "tenant": tenant,
        "channel": ev.ChannelRef(kind=kind, account_id="acct"),
        "provider_message_id": pmid,
        "received_at": datetime.now(UTC),
        "conversation_key": key,
    }


async def end_offsets(bootstrap: str) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        counts = {t.name: t.partitions for t in load_topics()}
        parts = [TopicPartition(t, p) for t in TOPICS for p in range(counts[t])]
        return dict(await consumer.end_offsets(parts))
    finally:
        await consumer.stop()


async def fill(
    bootstrap: str, tenant: str, n: int, people: int, traffic: Traffic | None = None
) -> float:
    events = traffic(tenant, n) if traffic else events_for(tenant, n, people=people)
    producer = EventProducer(ProducerSettings(bootstrap=bootstrap, ack_timeout=60, linger_ms=20))
    await producer.start()
    t0, chunk = time.monotonic(), []
    try:
        for e in events:
            chunk.append(e)
            if len(chunk) == 5000:
                await producer.publish(chunk)
                chunk = []
        await producer.publish(chunk)
    finally:
        await producer.stop()
    return n / (time.monotonic() - t0)


async def drain(
    bootstrap: str,
    dsn: str,
    n: int,
    window: int,
    people: int = 0,
    *,
    tenant: str = "",
    traffic: Traffic | None = None,
    options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Seed the DB offsets at the current ends, fill n events (``events_for`` unless ``traffic``
    is given, for a fresh tenant unless ``tenant`` is), then time the drain. ``options``: more
    unifier settings for this drain (``bench.unifier_ab``)."""
    group = "bench-" + uuid.uuid4().hex[:8]
    engine = create_engine(dsn)
    await migrate(engine)
    async with engine.begin() as conn:
        for tp, off in (await end_offsets(bootstrap)).items():
            await write_offset(conn, group, tp, off)
    await engine.dispose()
    produce_rate = await fill(bootstrap, tenant or "bench" + group[-8:], n, people, traffic)
    settings = UnifierSettings(
        kafka_bootstrap=bootstrap,
        database_url=dsn,
        group_id=group,
        instance_id=group,
        env="test",
        **(options or {}),
    )
    producer = EventProducer(ProducerSettings(bootstrap=bootstrap, ack_timeout=60))
    await producer.start()
    rt = await build_runtime(settings, producer)
    marks: list[tuple[int, float]] = []
    handle = rt.handler.handle_poll  # BatchHandler.handle goes through it too

    async def timed(batches: list[Batch[Any]]) -> None:
        await handle(batches)
        marks.append((sum(len(b.items) for b in batches), time.monotonic()))

    rt.handler.handle_poll = timed  # type: ignore[method-assign]
    load_before = os.getloadavg()[0]  # the machine is shared: say how busy it was
    t0 = time.monotonic()
    rt.start()
    while sum(m[0] for m in marks) < n:
        await asyncio.sleep(0.2)
        assert time.monotonic() - t0 < 3600, "drain did not finish"
    await rt.close()
    await producer.stop()
    return {
        "events": n,
        "produce_per_s": round(produce_rate),
        **_rates(marks, t0, window),
        "batches": len(marks),
        "mean_batch": round(n / len(marks), 1),
        "loadavg_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def _rates(marks: list[tuple[int, float]], t0: float, window: int) -> dict[str, Any]:
    done, times = 0, []
    for count, at in marks:
        done += count
        times.append((done, at))
    start = next(at for _, at in times)  # first batch end: consumer start-up excluded
    first_count = times[0][0]
    total = (times[-1][0] - first_count) / max(times[-1][1] - start, 1e-9)
    head = _window(times, first_count, first_count + window)
    tail = _window(times, times[-1][0] - window, times[-1][0])
    return {
        "events_per_s": round(total),
        "first_window_per_s": round(head),
        "last_window_per_s": round(tail),
        "startup_s": round(start - t0, 2),
        "per_100k_per_s": [  # the shape of a long drain
            round(_window(times, lo, lo + 100_000)) for lo in range(0, times[-1][0], 100_000)
        ],
    }


def _window(times: list[tuple[int, float]], lo: int, hi: int) -> float:
    inside = [(d, t) for d, t in times if lo <= d <= hi]
    if len(inside) < 2:
        return 0.0
    return (inside[-1][0] - inside[0][0]) / (inside[-1][1] - inside[0][1])


def _backlog(bootstrap: str, work: str) -> dict[str, Any]:
    """The same traffic (as many customers) drained from a short topic (N events: the empty-
    backlog rate) and from a BACKLOG-event topic; plus the first and last WINDOW of the latter."""
    people = max(BACKLOG // 8, 10)
    empty = asyncio.run(drain(bootstrap, f"sqlite:///{work}/e.db", N, N // 3, people))
    backlog = asyncio.run(drain(bootstrap, f"sqlite:///{work}/b.db", BACKLOG, WINDOW, people))
    backlog["empty_backlog_per_s"] = empty["events_per_s"]
    backlog["vs_empty"] = round(backlog["events_per_s"] / max(empty["events_per_s"], 1), 3)
    backlog["last_vs_first"] = round(
        backlog["last_window_per_s"] / max(backlog["first_window_per_s"], 1), 3
    )
    return backlog


def _previous() -> dict[str, Any]:
    path = RESULTS / "unifier.json"
    doc: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    return doc


@contextmanager
def postgres() -> Iterator[str]:
    d = tempfile.mkdtemp(prefix="unifier-bench-pg-")
    shutil.chown(d, "postgres", "postgres")
    port = free_port()

    def as_pg(*cmd: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *cmd], check=True, capture_output=True)

    as_pg(f"{PGBIN}/initdb", "-D", f"{d}/data", "-U", "postgres", "-A", "trust", "--no-sync",
          "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
    as_pg(f"{PGBIN}/pg_ctl", "-D", f"{d}/data", "-l", f"{d}/log", "-w", "-o",
          f"-p {port} -k {d} -c listen_addresses=127.0.0.1", "start")  # fmt: skip
    try:
        as_pg("/usr/bin/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "bench")
        yield f"postgresql://postgres@127.0.0.1:{port}/bench"
    finally:
        as_pg(f"{PGBIN}/pg_ctl", "-D", f"{d}/data", "-m", "fast", "-w", "stop")
        shutil.rmtree(d, ignore_errors=True)


def main() -> None:
    if os.environ.get("BENCH_AB"):  # an A/B of one speed mechanism instead (bench.unifier_ab)
        from bench.unifier_ab import main as ab_main

        ab_main(os.environ["BENCH_AB"])
        return
    collector.tune()  # as every service process does at start (hotline.http.serve)
    work = tempfile.mkdtemp(prefix="unifier-bench-")
    results: dict[str, Any] = {"targets": TARGETS, "cpu_count": os.cpu_count()}
    with bench_broker() as broker:
        asyncio.run(drain(broker.bootstrap, f"sqlite:///{work}/w.db", 5000, 1000))  # warm-up
        results["sqlite"] = asyncio.run(
            drain(broker.bootstrap, f"sqlite:///{work}/a.db", N, N // 3)
        )
        print("sqlite", results["sqlite"], flush=True)
        with postgres() as dsn:
            results["postgresql"] = asyncio.run(drain(broker.bootstrap, dsn, N, N // 3))
        print("postgresql", results["postgresql"], flush=True)
        if BACKLOG:
            results["sqlite_backlog"] = backlog = _backlog(broker.bootstrap, work)
            print("backlog", backlog, flush=True)
        elif RESULT == "unifier":  # BENCH_BACKLOG=0: a quick rerun keeps the last backlog figure
            results["sqlite_backlog"] = _previous().get("sqlite_backlog", "not run")
        else:
            results["sqlite_backlog"] = "not run"
    shutil.rmtree(work, ignore_errors=True)
    print(write_result(RESULT, results))


if __name__ == "__main__":
    main()
