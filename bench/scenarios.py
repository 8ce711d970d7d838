"""End-to-end scenarios (issue 8): traffic through the real stack, faults, verification."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bench import edge_latency, host, multi, processes
from bench.sampling import Sampler
from bench.summary import by_channel, by_minute, end_to_end_ms, summarize
from hotline_tools.devstack.broker import TEST_JVM, free_port
from hotline_tools.devstack.postgres import Postgres
from hotline_tools.devstack.stack import Stack, free_base_port, free_port_pair
from hotline_tools.load.clock import RunClock
from hotline_tools.load.faults import Fault, FaultLog, drive
from hotline_tools.load.generator import LoadRun, Record, RetryPolicy, Target, write_records
from hotline_tools.load.mix import Channel, Mix, MixSettings
from hotline_tools.load.verify import (
    async_url,
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
    channels: tuple[Channel, ...] = ("whatsapp", "slack", "email")
    target: str = ""
    broker_jvm: list[str] = field(default_factory=lambda: list(TEST_JVM))
    retry_share: float = 0.2  # provider retries of already-acked messages (R5)
    unifier_nice: int = 0  # lowers the unifier's CPU priority (hotline.priority)
    unifiers: int = 1  # instances in one consumer group (more than one: database="postgres")
    same_person: int = 0  # new people writing two mails at once (bench.multi)


@dataclass
class Run:
    scenario: Scenario
    stack: Stack
    engine: AsyncEngine
    sampler: Sampler
    records: list[Record] = field(default_factory=list)
    pg: Postgres | None = None
    faults: FaultLog = field(init=False)
    owners: list[multi.OwnerDrill] = field(default_factory=list)  # target "relay_owner"
    same_person: list[str] = field(default_factory=list)  # their addresses, once sent

    def __post_init__(self) -> None:  # one clock for the generator, sampler and fault marks
        self.faults = FaultLog(clock=self.sampler.clock)

    @property
    def clock(self) -> RunClock:
        return self.sampler.clock


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
        nice={"unifier": s.unifier_nice},
        unifiers=s.unifiers,
    )
    return stack, pg


def kill(run: Run, target: str) -> None:
    if target == "postgres":
        assert run.pg is not None
        run.pg.stop(remove=False)
    elif target == "relay_owner":
        assert run.pg is not None
        run.owners.append(multi.OwnerDrill())
        multi.kill_owner(run.stack, run.pg.url, run.owners[-1])
    else:
        run.stack.kill9(target)


def restart(run: Run, target: str) -> None:
    if target == "postgres":
        assert run.pg is not None
        run.pg.start()
    elif target == "relay_owner":
        assert run.pg is not None
        multi.restart_owner(run.stack, run.pg.url, run.owners[-1])
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
    run = Run(s, stack, engine, Sampler(engine, stack.bootstrap, RunClock.start()), pg=pg)
    try:
        await asyncio.to_thread(stack.start)
        return await drive_run(run, db)
    finally:
        await run.sampler.close()
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
        s.duration,
        RetryPolicy(enabled=True),
        clock=run.clock,
    )
    run.records = load.records
    stop = asyncio.Event()
    sampling = asyncio.create_task(run.sampler.run(stop, lambda: load.acked))
    try:
        return await measure(run, db, load, stop, sampling)
    finally:  # cancelled (Ctrl-C, SIGTERM): the sampler must not outlive its Kafka client
        sampling.cancel()


async def measure(
    run: Run, db: str, load: LoadRun, stop: asyncio.Event, sampling: asyncio.Task[None]
) -> dict[str, object]:
    s, stack = run.scenario, run.stack
    until = run.clock.now() + s.duration
    drills = [
        drive(f, lambda t: kill(run, t), lambda t: restart(run, t), until, run.faults)
        for f in s.faults
    ]
    if s.same_person:
        drills.append(send_same_person(run))
    host_cpu, cpu_window = await under_load(run, load.run(), *drills)
    edge_ack = await edge_latency.scrape(stack)
    await run.sampler.drained()
    await asyncio.sleep(2.0)  # let the outbox relay publish the tail
    stop.set()
    await sampling
    report = await verify_async(run.records, db, stack.bootstrap)
    stream = await published(stack.bootstrap)
    by_message_id = (await stored_rows(db))[1]
    e2e = end_to_end_ms(run.records, stream, by_message_id, run.sampler.wall_to_run())
    if os.environ.get("BENCH_KEEP_VAR"):  # per message, for a post-mortem of a tail
        await asyncio.to_thread(Path(stack.var, "e2e.json").write_text, json.dumps(e2e))
        await asyncio.to_thread(write_records, run.records, Path(stack.var, "records.jsonl"))
    doc = summarize(run, report, [ms for _, _, ms in e2e])
    doc["receive_to_committed_by_channel_ms"] = by_channel(e2e)
    doc["edge_ack"] = edge_ack
    doc["host_cpu"] = host_cpu  # all cores while the load ran: busy and stolen shares
    doc["cpu_window"] = cpu_window  # per process: CPU and run-queue wait (bench.processes)
    doc["receive_to_committed_p99_by_minute_ms"] = by_minute(e2e)
    doc["wall_clock_stepped_s"] = round(run.clock.drift(), 3)  # 0 unless NTP / a VM restore
    if s.id == "P1":
        doc["p7"] = await raw_ratio(stack.bootstrap, doc)
    if s.unifiers > 1 or s.same_person:
        doc["multi"] = await multi_figures(run)
    return doc


async def send_same_person(run: Run) -> None:
    """Half early (both instances consume), half late (after a killed instance is back)."""
    s, ports = run.scenario, (run.stack.base_port, run.stack.smtp_port)
    half = s.same_person // 2
    waves = await asyncio.gather(
        multi.same_person(*ports, half, s.duration * 0.15),
        multi.same_person(*ports, s.same_person - half, s.duration * 0.85, first=half),
    )
    run.same_person = [e for wave in waves for e in wave]


async def multi_figures(run: Run) -> dict[str, object]:
    assert run.pg is not None, "several unifiers share PostgreSQL"
    return {
        "unifiers": run.scenario.unifiers,
        "offered_messages_per_s": round(run.scenario.rate * (1 - run.scenario.retry_share), 1),
        "acked_messages_per_s": multi.acked_per_s(run.records),
        "kills": [multi.figures(o) for o in run.owners],
        "identity_races_lost": multi.races_lost(run.stack),
        **await multi.identity_check(run.pg.url, run.same_person),
    }


async def under_load(
    run: Run, *work: Coroutine[Any, Any, object]
) -> tuple[dict[str, float | None], dict[str, object]]:
    """Runs the load (and drills); reads the host's CPU over all of it, and each process's CPU
    and run-queue wait over its middle (from 40% to 70% of the scenario's duration)."""
    d = run.scenario.duration
    window = asyncio.create_task(processes.window(run.stack, d * 0.4, d * 0.3))
    before = host.ticks()
    try:
        await asyncio.gather(*work)
    except BaseException:
        window.cancel()
        raise
    return host.shares(before, host.ticks()), await window


async def raw_ratio(bootstrap: str, doc: dict[str, object]) -> dict[str, object]:
    """P7: the end-to-end rate / raw aiokafka produce rate of the same payload, same broker."""
    from aiokafka import AIOKafkaProducer

    from hotline_tools.load import payloads
    from hotline_tools.load.mix import Customer, Send

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
