"""Replay the inbound log into a shadow store under another rule set; report what would move.

The replay runs the production path (ConsumerLoop -> BatchHandler -> store) with a throw-away
consumer group into a temporary SQLite file, from the beginning of the inbound topics up to
their end offsets at start, in Kafka timestamp order across partitions (``TimeMerge``), each
partition in its own order, as the live unifier saw them. A message "moves" when the
messages it shares a thread with differ (threads are compared by their earliest message).
"""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.kafka import Batch, ConsumerLoop, EventProducer, ProducerSettings
from hotline.kafka.consumer import InRecord, LoopSettings
from hotline.topics import load_topics
from unifier.domain.rules import rule_set
from unifier.entrypoints.batch_handler import BatchHandler, Decoded, decode_record
from unifier.entrypoints.replay_order import TimeMerge
from unifier.entrypoints.runtime import TOPICS
from unifier.store.engine import create_engine, migrate
from unifier.store.schema import messages

Progress = Callable[[int, int], None]  # (done, total)


@dataclass
class Report:
    rules: str
    compared: int = 0
    moved: int = 0
    skipped: int = 0
    examples: list[dict[str, Any]] = field(default_factory=list)


async def end_offsets(bootstrap: str) -> dict[TopicPartition, tuple[int, int]]:
    """(beginning, end) per inbound partition: metadata only, nothing is consumed here."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        counts = {t.name: t.partitions for t in load_topics()}
        parts = [TopicPartition(t, p) for t in TOPICS for p in range(counts[t])]
        begin, end = await consumer.beginning_offsets(parts), await consumer.end_offsets(parts)
        return {tp: (begin[tp], end[tp]) for tp in parts}
    finally:
        await consumer.stop()


async def replay(
    bootstrap: str, shadow: AsyncEngine, version: str, tenant: str | None, progress: Progress
) -> int:
    """Feed the inbound log into the shadow store; returns the records skipped as unreadable."""
    ranges = await end_offsets(bootstrap)
    total = sum(end - begin for begin, end in ranges.values())
    merge = TimeMerge(ranges)
    stop, skipped = asyncio.Event(), [0]
    rules = rule_set(version)
    handler = BatchHandler(shadow, "rethread", lambda _: rules)

    def decode(record: InRecord) -> Decoded | None:
        try:
            value = decode_record(record)
        except Exception:  # already dead-lettered by the live unifier: count, never re-send
            skipped[0] += 1
            return None
        return value if tenant is None or value[0].tenant == tenant else None

    async def handle(batch: Batch[Decoded | None]) -> None:
        released = merge.add(batch.tp, batch.items, batch.next_offset)
        items = [i for i in released if i.value is not None]
        if items:
            await handler.handle(Batch(batch.tp, items))
        progress(sum(merge.done[tp] - b for tp, (b, _) in ranges.items()), total)
        if merge.finished:
            stop.set()

    if total == 0:
        return 0
    producer = EventProducer(ProducerSettings(bootstrap=bootstrap))
    await producer.start()
    try:
        settings = LoopSettings(
            bootstrap=bootstrap,
            group_id=f"hotline-rethread-{uuid.uuid4()}",
            topics=TOPICS,
            max_poll_records=2000,
        )
        loop: ConsumerLoop[Decoded | None] = ConsumerLoop(
            settings, decode=decode, handle=handle, producer=producer
        )
        await loop.run(stop)
    finally:
        await producer.stop()
    return skipped[0]


async def _labels(engine: AsyncEngine, tenant: str | None) -> dict[str, tuple[str, str, str, str]]:
    """message id -> (thread label, rule, evidence, thread id); label = earliest message id."""
    m = messages.c
    q = sa.select(m.message_id, m.thread_id, m.at, m.rule, m.evidence).where(
        m.direction == "inbound"  # replies are not in the inbound log
    )
    if tenant:
        q = q.where(m.tenant == tenant)
    async with engine.connect() as conn:
        rows = (await conn.execute(q.order_by(m.at, m.message_id))).all()
    first: dict[str, str] = {}
    for r in rows:
        first.setdefault(r.thread_id, r.message_id)
    return {r.message_id: (first[r.thread_id], r.rule, r.evidence, r.thread_id) for r in rows}


def compare(
    live: dict[str, tuple[str, str, str, str]],
    shadow: dict[str, tuple[str, str, str, str]],
    report: Report,
    examples: int,
) -> Report:
    for mid in sorted(live.keys() & shadow.keys()):
        report.compared += 1
        if live[mid][0] == shadow[mid][0]:
            continue
        report.moved += 1
        if len(report.examples) < examples:
            report.examples.append(
                {
                    "message_id": mid,
                    "live_thread": live[mid][3],
                    "live_rule": live[mid][1],
                    "shadow_rule": shadow[mid][1],
                    "shadow_evidence": shadow[mid][2],
                }
            )
    return report


async def rethread(
    database_url: str,
    bootstrap: str,
    version: str,
    *,
    tenant: str | None = None,
    examples: int = 5,
    progress: Progress = lambda _d, _t: None,
) -> Report:
    rule_set(version)  # unknown versions fail before any work
    with tempfile.TemporaryDirectory(prefix="hotline-rethread-") as tmp:
        shadow = create_engine(f"sqlite:///{Path(tmp) / 'shadow.db'}")
        live = create_engine(database_url)
        try:
            await migrate(shadow)
            skipped = await replay(bootstrap, shadow, version, tenant, progress)
            report = Report(version, skipped=skipped)
            return compare(
                await _labels(live, tenant), await _labels(shadow, tenant), report, examples
            )
        finally:
            await shadow.dispose()
            await live.dispose()
