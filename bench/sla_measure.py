"""What make bench-sla measures: every SLA event on ``hotline.conversations`` (read back from
the broker, with its record timestamp), matched with the commit that wrote it to the outbox;
lateness = emitted time minus the event's own moment (a breach's due time, a warning's
threshold); the unifier's CPU and peak memory from /proc while it runs."""

from __future__ import annotations

import bisect
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer, TopicPartition

from hotline import unified as un
from hotline.topics import CONVERSATIONS, load_topics
from unifier.store.engine import create_engine

PROC = Path("/proc")
TICK = 100  # clock ticks per second in /proc/<pid>/stat (USER_HZ)


@dataclass(frozen=True)
class Emitted:
    kind: str  # "sla.breached", "sla.warning", "sla.fulfilled"
    conversation: str
    key: tuple[str, int, str, int, str]
    at: datetime  # the threshold's moment
    relayed: float  # the Kafka record's timestamp (epoch seconds)


async def read_sla(bootstrap: str, tenant: str) -> list[Emitted]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    out: list[Emitted] = []
    try:
        count = next(t.partitions for t in load_topics() if t.name == CONVERSATIONS)
        parts = [TopicPartition(CONVERSATIONS, p) for p in range(count)]
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        while [tp for tp in parts if await consumer.position(tp) < ends[tp]]:
            for records in (await consumer.getmany(timeout_ms=500, max_records=5000)).values():
                out += [e for r in records if (e := _emitted(r.value or b"", r.timestamp, tenant))]
    finally:
        await consumer.stop()
    return out


def _emitted(value: bytes, timestamp_ms: int, tenant: str) -> Emitted | None:
    e = un.decode(value)
    if e.tenant != tenant or not isinstance(e, un.SlaWarning | un.SlaBreached | un.SlaFulfilled):
        return None
    tag = un.unified_tag(e)
    key = (e.conversation_id, e.cycle, e.target, e.n, tag)
    return Emitted(tag.rsplit(".", 1)[0], e.conversation_id, key, e.at, timestamp_ms / 1000)


def committed_at(commits: list[tuple[float, list[str]]]) -> dict[str, list[float]]:
    """Per conversation, the times of the commits that changed it (ascending)."""
    out: dict[str, list[float]] = defaultdict(list)
    for at, tids in commits:
        for tid in tids:
            out[tid].append(at)
    return out


def lateness(
    events: list[Emitted], commits: dict[str, list[float]], expected: dict[str, datetime]
) -> dict[str, Any]:
    """For the events of one kind expected in the window (conversation -> moment): how late
    their commit and their Kafka record were, how many came, more than once, or not at all."""
    counts = Counter(e.key for e in events)
    seen = {e.conversation: e for e in events if e.conversation in expected}
    commit, relay = [], []
    slow: Counter[int] = Counter()  # Kafka lateness over 1 s, per 10 s of the window
    start = min(expected.values(), default=None)
    for tid, e in seen.items():
        due = e.at.timestamp()
        times = commits.get(tid, [])
        first = bisect.bisect_left(times, due)  # the first commit at or after the moment
        if first < len(times):
            commit.append(times[first] - due)
        relay.append(e.relayed - due)
        if start is not None and e.relayed - due > 1:
            slow[int((due - start.timestamp()) // 10) * 10] += 1
    return {
        "expected": len(expected),
        "emitted": len(seen),
        "missing": len(set(expected) - set(seen)),
        "duplicated": sum(1 for n in counts.values() if n > 1),
        "moment_mismatch": sum(1 for t, e in seen.items() if e.at != expected[t]),
        "commit_late_s": summary(commit),
        "kafka_late_s": summary(relay),
        "over_1s_by_10s_of_window": dict(sorted(slow.items())),
    }


def summary(values: list[float]) -> dict[str, float | int]:
    if not values:
        return {"n": 0}
    v = sorted(values)
    q = statistics.quantiles(v, n=100, method="inclusive") if len(v) > 1 else [v[0]] * 99
    return {"n": len(v), "p50": round(q[49], 4), "p95": round(q[94], 4), "p99": round(q[98], 4),
            "max": round(v[-1], 4), "min": round(v[0], 4)}  # fmt: skip


def cpu_seconds(pid: int) -> float | None:
    try:
        fields = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def peak_rss_mib(pid: int) -> float | None:
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


async def size_mib(dsn: str) -> float:
    engine = create_engine(dsn)
    try:
        async with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                q = "SELECT pg_database_size(current_database())"
            else:
                q = "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
            return round(float((await conn.execute(sa.text(q))).scalar() or 0) / 2**20)
    finally:
        await engine.dispose()


EARLIEST = {  # the scheduler's "earliest next look" query, as it was and as it is
    "min_only": "SELECT min(sla_next_at) FROM threads",
    "min_is_not_null": "SELECT min(sla_next_at) FROM threads WHERE sla_next_at IS NOT NULL",
}


async def earliest_ms(dsn: str, times: int = 5) -> dict[str, float]:
    """Both forms of the query on the seeded store, interleaved: the mean ms of each."""
    engine = create_engine(dsn)
    spent = dict.fromkeys(EARLIEST, 0.0)
    try:
        async with engine.connect() as conn:
            for _ in range(times):
                for name, q in EARLIEST.items():
                    t0 = time.perf_counter()
                    await conn.execute(sa.text(q))
                    spent[name] += time.perf_counter() - t0
    finally:
        await engine.dispose()
    return {k: round(v / times * 1000, 3) for k, v in spent.items()}
