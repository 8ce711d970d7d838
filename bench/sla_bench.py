"""make bench-sla (issue 26): 1,000,000 open conversations with running clocks; how late the
SLA scheduler emits their breaches and warnings, and what the unifier costs meanwhile.

The store (SQLite) is filled in bulk with the conversations of ``bench.sla_data``: BACKGROUND
ones that keep running through the run, then BREACHES whose due time and WARNINGS whose
warning time falls in the WINDOW (seconds, starting LEAD seconds after they are written),
their rows as of the window's start. Then the unifier process (``bench.sla_unifier``: the
production runtime, its relay publishing to a dedicated broker) runs until the window is over
plus TAIL seconds. Every SLA event is read back from ``hotline.conversations``; lateness =
the commit that wrote it (or its Kafka record's timestamp) minus the event's own moment.
Target (issue 26): breaches p99 <= 1 s after their due time.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import host
from bench import sla_data as data
from bench import sla_measure as measure
from bench import sla_seed as seed
from bench.common import bench_broker, write_result
from bench.pg_cluster import SERVE, Cluster
from bench.processes import children

N = int(os.environ.get("BENCH_SLA_N", "1000000"))
BREACHES = int(os.environ.get("BENCH_SLA_BREACHES", "30000"))
WARNINGS = int(os.environ.get("BENCH_SLA_WARNINGS", "15000"))
WINDOW = float(os.environ.get("BENCH_SLA_WINDOW", "300"))
DATABASES = os.environ.get("BENCH_SLA_DBS", "sqlite,postgresql").split(",")
LEAD, TAIL, CHUNK = 30.0, 10.0, 10_000
VAR = Path(__file__).resolve().parent.parent / "var" / "bench-sla"
Due = list[tuple[int, data.Role, datetime]]  # (conversation number, role, its moment)
Tuples = dict[str, list[tuple[Any, ...]]]


def background_chunk(args: tuple[int, int, datetime, str]) -> Tuples:
    lo, hi, seed_at, database = args
    rng = random.Random(lo)
    convs = [data.background(i, rng, seed_at) for i in range(lo, hi)]
    return _tuples(convs, seed_at, database)


def due_chunk(args: tuple[Due, datetime, str]) -> Tuples:
    due, start, database = args
    rng = random.Random(due[0][0])
    return _tuples([data.due_soon(i, rng, role, at) for i, role, at in due], start, database)


def _tuples(convs: list[data.Conversation], now: datetime, database: str) -> Tuples:
    plans = data.planned(convs, data.config(), now)
    rows = (seed.rows_of(c, p, now) for c, p in zip(convs, plans, strict=True))
    return seed.as_tuples(rows, database)


def fill(
    dsn: Callable[[], str], database: str, settle: Callable[[], None]
) -> tuple[datetime, Due, dict[str, Any]]:
    """Seed the store (``settle`` runs between the background and the due conversations, and
    may move the store: ``dsn`` says where it is); the window's start and the conversations
    due in it."""
    t0, seed_at = time.monotonic(), datetime.now(UTC)
    background = N - BREACHES - WARNINGS
    jobs = [(lo, min(lo + CHUNK, background), seed_at, database)
            for lo in range(0, background, CHUNK)]  # fmt: skip
    rows = _write(dsn(), lambda pool: pool.imap(background_chunk, jobs))
    settle()
    t1 = time.monotonic()
    start = datetime.now(UTC) + timedelta(seconds=LEAD)
    due = _due(background, start)
    parts = [(due[i : i + CHUNK], start, database) for i in range(0, len(due), CHUNK)]
    rows += _write(dsn(), lambda pool: pool.imap(due_chunk, parts))
    facts = {"rows": rows, "background_s": round(t1 - t0, 1),
             "due_s": round(time.monotonic() - t1, 1)}  # fmt: skip
    return start, due, facts


def _due(first: int, start: datetime) -> Due:
    rng = random.Random(7)
    breach: list[data.Role] = ["breach"]
    warning: list[data.Role] = ["warning"]
    roles = breach * BREACHES + warning * WARNINGS
    return [
        (first + n, role, start + timedelta(seconds=rng.uniform(5, WINDOW)))
        for n, role in enumerate(roles)
    ]


def _write(dsn: str, chunks: Any) -> int:
    fill = seed.filler(dsn)
    n = 0
    with multiprocessing.get_context("fork").Pool(1) as pool:  # rows built beside the writes
        for tuples in chunks(pool):
            n += fill.write(tuples)
            if n // 1_000_000 != (n - sum(len(v) for v in tuples.values())) // 1_000_000:
                print(f"  {n:,} rows", flush=True)
    fill.close()
    return n


def run_unifier(dsn: str, bootstrap: str, start: datetime) -> dict[str, Any]:
    """The unifier from before the window's start until its end plus TAIL; its commits, and
    its CPU (with the relay's, over the window) and peak memory."""
    out, until = VAR / "unifier.json", start.timestamp() + WINDOW + TAIL
    cmd = [sys.executable, "-m", "bench.sla_unifier", dsn, bootstrap, str(out), str(until)]
    proc = subprocess.Popen(cmd)
    pids: dict[str, int] = {"unifier": proc.pid}
    cpu0: dict[str, float] = {}
    peak: dict[str, float] = {}
    ticks0: list[int] = []
    while proc.poll() is None:
        if not cpu0 and time.time() >= start.timestamp():
            pids |= dict(zip(["relay"], children(proc.pid), strict=False))
            cpu0 = {k: measure.cpu_seconds(p) or 0.0 for k, p in pids.items()}
            ticks0, load0 = host.ticks(), os.getloadavg()[0]
        if time.time() < until:
            cpu1 = {k: measure.cpu_seconds(p) or 0.0 for k, p in pids.items()}
            ticks1 = host.ticks()
        for k, p in pids.items():
            peak[k] = max(peak.get(k, 0.0), measure.peak_rss_mib(p) or 0.0)
        time.sleep(0.5)
    assert proc.returncode == 0, f"the unifier exited with {proc.returncode}"
    own = json.loads(out.read_text())
    return {
        "commits": own.pop("commits"),
        "process": own,
        "cpu_s_window": {k: round(cpu1[k] - cpu0.get(k, 0.0), 2) for k in cpu1},
        "peak_rss_mib": {k: round(v, 1) for k, v in peak.items()},
        "host": host.shares(ticks0, ticks1),
        "loadavg_1m": [round(load0, 2), round(os.getloadavg()[0], 2)],
    }


def main() -> None:
    target = "breaches: p99 <= 1 s after their due time (issue 26)"
    runs: dict[str, Any] = {}
    for db in DATABASES:  # written after each: a later one's failure keeps the earlier
        runs[db] = one(db)
        doc = {"conversations": N, "window_s": WINDOW, "runs": runs, "target": target}
        print(f"written {write_result('sla', doc)}", flush=True)


def one(database: str) -> dict[str, Any]:
    """Seed a fresh store of ``database`` and run the unifier on it, with a broker of its own."""
    shutil.rmtree(VAR, ignore_errors=True)
    VAR.mkdir(parents=True)
    cluster = Cluster(VAR / "pg") if database == "postgresql" else None
    if cluster is not None:
        cluster.create()  # the load settings (no durability) while seeding, then SERVE

    def dsn() -> str:  # a restarted cluster listens on another port
        return cluster.dsn if cluster else f"sqlite:///{VAR / 'sla.db'}"

    def settle() -> None:
        if cluster is not None:
            cluster.stop()
            cluster.start(SERVE)

    try:
        with bench_broker() as broker:
            asyncio.run(seed.prepare(dsn()))
            print(f"seeding {N:,} conversations into {database}", flush=True)
            start, due, facts = fill(dsn, database, settle)
            facts["db_mib"] = asyncio.run(measure.size_mib(dsn()))
            print(f"seeded: {facts}; the window starts {start:%H:%M:%S}", flush=True)
            ran = run_unifier(dsn(), broker.bootstrap, start)
            events = asyncio.run(measure.read_sla(broker.bootstrap, data.TENANT))
        probe = asyncio.run(measure.earliest_ms(dsn()))
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(VAR, ignore_errors=True)
    return report(due, events, ran, facts) | {"earliest_next_query_ms": probe}


def report(due: Due, events: list[measure.Emitted], ran: dict[str, Any],
           facts: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    commits = measure.committed_at([(t, tids) for t, tids in ran.pop("commits")])
    expect = expected(due)
    by_kind = {k: [e for e in events if e.kind == k] for k in ("sla.breached", "sla.warning")}
    first = min(m for *_, m in due)
    emitted = sum(1 for e in events if e.at >= first)
    return {
        "seed": facts,
        "breaches": measure.lateness(by_kind["sla.breached"], commits, expect["breach"]),
        "warnings": measure.lateness(by_kind["sla.warning"], commits, expect["warning"]),
        "events_total": len(events),
        "events_per_s_window": round(emitted / WINDOW, 1),
        "unifier": ran,
    }


def expected(due: Due) -> dict[str, dict[str, datetime]]:
    out: dict[str, dict[str, datetime]] = {"breach": {}, "warning": {}}
    rng_free = _conversations(due)
    for (_, role, at), tid in zip(due, rng_free, strict=True):
        out[role][tid] = at
    return out


def _conversations(due: Due) -> Iterator[str]:
    """The thread ids of the due conversations, as ``due_chunk`` made them."""
    for lo in range(0, len(due), CHUNK):
        part = due[lo : lo + CHUNK]
        rng = random.Random(part[0][0])
        for i, role, at in part:
            yield data.due_soon(i, rng, role, at).thread_id


if __name__ == "__main__":
    main()
