"""End-to-end scenarios (issue 8): traffic through the real stack, faults, verification."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import shutil
import socket
import statistics
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bench import edge_latency
from bench.sampling import Sampler
from hotline.devstack.broker import TEST_JVM, free_port
from hotline.devstack.postgres import Postgres
from hotline.devstack.stack import Stack, free_base_port, free_port_pair
from hotline.load.faults import Fault, FaultLog, drive
from hotline.load.generator import LoadRun, Record, RetryPolicy, Target, write_records
from hotline.load.mix import Mix, MixSettings
from hotline.load.verify import (
    Key,
    Report,
    async_url,
    load_key,
    published,
    stored_rows,
    verify_async,
)


@dataclass
class Scenario:
    id: str
    title: str
    rate: float
    duration: float
    faults: list[Fault] = field(default_factory=list)
    database: str = "sqlite"
    channels: tuple[str, ...] = ("whatsapp", "slack", "email")
    target: str = ""
    broker_jvm: list[str] = field(default_factory=lambda: list(TEST_JVM))
    retry_share: float = 0.2  # provider retries of already-acked messages (R5)


@dataclass
class Run:
    scenario: Scenario
    stack: Stack
    engine: AsyncEngine
    sampler: Sampler
    records: list[Record] = field(default_factory=list)
    faults: FaultLog = field(default_factory=FaultLog)
    pg: Postgres | None = None


def make_stack(s: Scenario) -> tuple[Stack, Postgres | None]:
    var = Path(tempfile.mkdtemp(prefix=f"hotline-{s.id}-"))
    pg = Postgres(free_port()) if s.database == "postgres" else None
    if pg:
        pg.start()
    stack = Stack(
        var,
        free_base_port(),
        free_port_pair(),
        database_url=pg.url if pg else None,
        jvm=tuple(s.broker_jvm),
    )
    return stack, pg


async def edge_view(stack: Stack) -> dict[str, object]:
    """The edges' own ack latency histograms (see ``bench.edge_latency``)."""
    try:
        return await edge_latency.scrape(stack)
    except Exception as exc:  # an edge down at the end of a drill: the run still counts
        return {"error": f"{type(exc).__name__}: {exc}"}


def kill(run: Run, target: str) -> None:
    if target == "postgres":
        assert run.pg is not None
        run.pg.stop(remove=False)
    else:
        run.stack.kill9(target)


def restart(run: Run, target: str) -> None:
    if target == "postgres":
        assert run.pg is not None
        run.pg.start()
    elif target == "broker":
        watcher = threading.Thread(target=mark_listening, args=(run,), daemon=True)
        watcher.start()
        run.stack.restart(target)
        watcher.join(5)
    else:
        run.stack.restart(target)


def mark_listening(run: Run, timeout: float = 120.0) -> None:
    """Kafka binds its client port only once it serves: the first accepted connection ends
    the outage (the restart call itself returns later, after its own readiness checks)."""
    assert run.stack.broker is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", run.stack.broker.port), 0.2),
        ):
            run.faults.mark("listening", "broker")
            return
        time.sleep(0.05)


async def execute(s: Scenario) -> dict[str, object]:
    stack, pg = make_stack(s)
    db = stack.services["unifier"].env["HOTLINE_DATABASE_URL"]
    engine = create_async_engine(async_url(db))
    run = Run(s, stack, engine, Sampler(engine, stack.bootstrap), pg=pg)
    try:
        await asyncio.to_thread(stack.start)
        return await drive_run(run, db)
    finally:
        await run.engine.dispose()
        await asyncio.to_thread(stack.stop)
        if pg:
            pg.stop()
        if not os.environ.get("BENCH_KEEP_VAR"):  # logs and store, for a post-mortem
            shutil.rmtree(stack.var, ignore_errors=True)


async def drive_run(run: Run, db: str) -> dict[str, object]:
    s, stack = run.scenario, run.stack
    target = Target(
        social_url=stack.services["social_ingest"].url,
        chat_url=stack.services["chat_gateway"].url,
        smtp_port=stack.smtp_port,
    )
    load = LoadRun(
        target,
        Mix(MixSettings(channels=s.channels, retry_share=s.retry_share)),
        s.rate,
        s.duration,  # type: ignore[arg-type]
        RetryPolicy(enabled=True),
    )
    run.records = load.records
    stop = asyncio.Event()
    sampling = asyncio.create_task(run.sampler.run(stop, lambda: load.acked))
    until = time.time() + s.duration
    drills = [
        drive(f, lambda t: kill(run, t), lambda t: restart(run, t), until, run.faults)
        for f in s.faults
    ]
    await asyncio.gather(load.run(), *drills)
    edge_ack = await edge_view(stack)
    await run.sampler.drained()
    await asyncio.sleep(2.0)  # let the outbox relay publish the tail
    stop.set()
    await sampling
    await run.sampler.ends.close()
    report = await verify_async(run.records, db, stack.bootstrap)
    stream = await published(stack.bootstrap)
    by_message_id = (await stored_rows(db))[1]
    e2e = end_to_end_ms(run.records, stream, by_message_id)
    if os.environ.get("BENCH_KEEP_VAR"):  # per message, for a post-mortem of a tail
        await asyncio.to_thread(Path(stack.var, "e2e.json").write_text, json.dumps(e2e))
        await asyncio.to_thread(write_records, run.records, Path(stack.var, "records.jsonl"))
    doc = summarize(run, report, [ms for _, _, ms in e2e])
    doc["receive_to_committed_by_channel_ms"] = by_channel(e2e)
    doc["edge_ack"] = edge_ack
    doc["receive_to_committed_p99_by_minute_ms"] = by_minute(e2e)
    if s.id == "P1":
        doc["p7"] = await raw_ratio(stack.bootstrap, doc)
    return doc


async def raw_ratio(bootstrap: str, doc: dict[str, object]) -> dict[str, object]:
    """P7: the end-to-end rate / raw aiokafka produce rate of the same payload, same broker."""
    from aiokafka import AIOKafkaProducer

    from hotline.load import payloads
    from hotline.load.mix import Customer, Send

    body = payloads.whatsapp(Send(0, "whatsapp", Customer(1), "wamid.P7", "x" * 60), "s", 0).body
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, enable_idempotence=True, linger_ms=5, max_batch_size=256 * 1024
    )
    await producer.start()
    n, start = 50_000, time.perf_counter()
    try:
        futures = [
            await producer.send("hotline.ops", body, key=b"k%d" % (i % 64)) for i in range(n)
        ]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    raw = n / (time.perf_counter() - start)
    rates = doc["stored_per_s"]
    assert isinstance(rates, dict)
    e2e = float(rates["median"] or 0)
    return {
        "raw_produce_per_s": round(raw),
        "end_to_end_per_s": e2e,
        "ratio": round(e2e / raw, 3),
        "aim": ">= 0.10",
        "payload_bytes": len(body),
    }


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 2)


def summarize(run: Run, report: Report, e2e: list[float]) -> dict[str, object]:
    s = run.scenario
    http = [
        (r.acked_at - r.due) * 1000
        for r in run.records
        if r.ok and r.acked_at and r.attempts == 1 and r.channel != "email"
    ]
    smtp = [
        (r.acked_at - r.due) * 1000
        for r in run.records
        if r.ok and r.acked_at and r.attempts == 1 and r.channel == "email"
    ]
    rates = stored_rates(run.sampler.samples)
    return {
        "id": s.id,
        "title": s.title,
        "target": s.target,
        "rate_offered": s.rate,
        "retry_share": s.retry_share,
        "duration_s": s.duration,
        "database": s.database,
        "cores": os.cpu_count(),
        "sent": len(run.records),
        "acked": sum(r.ok for r in run.records),
        "non_2xx_responses": sum(1 for r in run.records if r.attempts > 1 or not r.ok),
        "failed_attempts_by_status": dict(Counter(s for r in run.records for s in r.failures)),
        "http_ack_ms": {"p50": pct(http, 0.5), "p90": pct(http, 0.9), "p99": pct(http, 0.99)},
        "smtp_ack_ms": {"p50": pct(smtp, 0.5), "p99": pct(smtp, 0.99)},
        "send_lateness_ms": lateness(run.records),
        "receive_to_committed_ms": {"p50": pct(e2e, 0.5), "p99": pct(e2e, 0.99)},
        "stored_per_s": {
            "median": round(statistics.median(rates), 1) if rates else None,
            "max": round(max(rates), 1) if rates else None,
        },
        "delivery": report.summary(),
        "faults": run.faults.marks,
        "timeline": run.sampler.samples,
        "acks_during_faults": acks_during(run),
        "broker_recovery": recovery(run),
    }


def lateness(records: list[Record]) -> dict[str, float | None]:
    """How late the generator itself started sends (due -> first attempt): part of every ack
    latency above, spent in the generator, not in the services."""
    late = [(r.sent_at - r.due) * 1000 for r in records if r.sent_at is not None]
    return {"p50": pct(late, 0.5), "p99": pct(late, 0.99)}


def end_to_end_ms(
    records: list[Record], stream: list[tuple[str, str, int]], by_message_id: dict[str, Key]
) -> list[tuple[str, float, float]]:
    """(channel, due, ms): due time of the first send -> Kafka timestamp of
    conversation.message.added.v1 (written by the outbox relay after the row committed: an
    upper bound of 'committed')."""
    first = {load_key(r.channel, r.provider_id): r for r in records if r.retry_of is None}
    out = []
    for _, message_id, ts_ms in stream:
        record = first.get(by_message_id.get(message_id, ("", "")))
        if record is not None:
            out.append((record.channel, record.due, ts_ms - record.due * 1000))
    return out


def by_channel(e2e: list[tuple[str, float, float]]) -> dict[str, dict[str, float | None]]:
    """Where a tail comes from: the same percentiles per inbound channel."""
    groups: dict[str, list[float]] = {}
    for channel, _, ms in e2e:
        groups.setdefault(channel, []).append(ms)
    return {c: {"p50": pct(v, 0.5), "p99": pct(v, 0.99), "n": len(v)} for c, v in groups.items()}


def by_minute(e2e: list[tuple[str, float, float]]) -> list[float | None]:
    """p99 per minute of the run (by due time): a tail that grows with the run shows here."""
    if not e2e:
        return []
    start = min(due for _, due, _ in e2e)
    minutes: dict[int, list[float]] = {}
    for _, due, ms in e2e:
        minutes.setdefault(int((due - start) // 60), []).append(ms)
    return [pct(minutes[m], 0.99) for m in sorted(minutes)]


def stored_rates(samples: list[dict[str, float]]) -> list[float]:
    out = []
    for a, b in itertools.pairwise(samples):
        if b["t"] > a["t"]:
            out.append((b["stored"] - a["stored"]) / (b["t"] - a["t"]))
    nonzero = [r for r in out if r > 0]
    return nonzero or out


def acks_during(run: Run) -> int:
    """New messages answered 2xx/250 while a killed broker was down (must be 0). A provider
    retry of a message acked before the outage may be answered from the edge's memory of
    what it already published: that is correct and not counted."""
    kills = [
        float(m["t"])
        for m in run.faults.marks
        if m["target"] == "broker" and m["what"] == "kill -9"
    ]
    ups = [
        float(m["t"])
        for m in run.faults.marks
        if m["target"] == "broker" and m["what"] == "listening"
    ]
    windows = [(k + 1.0, u) for k, u in zip(kills, ups, strict=False)]
    acked_before = {
        r.provider_id: r.acked_at for r in run.records if r.retry_of is None and r.acked_at
    }
    count = 0
    for r in run.records:
        if not r.acked_at or not any(lo < r.acked_at < hi for lo, hi in windows):
            continue
        first = acked_before.get(r.provider_id)
        if r.retry_of is None or first is None or first >= windows[0][0] - 1.0:
            count += 1
    return count


def recovery(run: Run) -> dict[str, float | None] | None:
    """Edge throughput in the 30 s after the broker serves again vs the 10 s before the kill."""
    marks = {m["what"]: float(m["t"]) for m in run.faults.marks if m["target"] == "broker"}
    if "kill -9" not in marks or "listening" not in marks:
        return None
    killed, restarted = marks["kill -9"], marks["listening"]
    acks = [r.acked_at for r in run.records if r.acked_at]
    before = sum(1 for t in acks if killed - 10 <= t < killed) / 10
    after = sum(1 for t in acks if restarted <= t < restarted + 30) / 30
    return {
        "before_per_s": round(before, 1),
        "after_30s_per_s": round(after, 1),
        "ratio": round(after / before, 3) if before else None,
        "restart_took_s": round(restarted - killed, 1),
    }
