"""Run the unifier runtime in-process against the real broker and a real database."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline import events as ev
from hotline import unified as un
from hotline.accounts.sealing import Sealer
from hotline.kafka import EventProducer, ProducerSettings
from hotline.topics import load_topics
from unifier.domain.rules import RuleSet
from unifier.domain.unify import unify
from unifier.domain.working import Plan
from unifier.entrypoints.runtime import ConsumerRuntime, build_runtime
from unifier.settings import UnifierSettings
from unifier.store.load import load_working_set
from unifier.store.write import write_plan

# The session's channel secrets key (env=test refuses the published dev key)
CHANNEL_KEY = Fernet.generate_key().decode()
SEALER = Sealer([CHANNEL_KEY])


# In-process runtimes publish their outbox with the relay in their own process (the same
# OutboxRelay, under the same lease) rather than in a child: a Python process start less per test.
# The child (relay_process, on by default) is what test_relay_process.py and test_api.py's
# readiness pass ``relay_process=True`` for, and what every test that starts unifier processes
# runs (the drills, test_exactly_once, test_sla_drill, the e2e stacks, `make run`).
IN_PROCESS: dict[str, Any] = {"channel_secrets_key": SecretStr(CHANNEL_KEY), "relay_process": False}


def settings_for(kafka: str, dsn: str, **extra: Any) -> UnifierSettings:
    name = "t-" + uuid.uuid4().hex[:10]
    return UnifierSettings(
        kafka_bootstrap=kafka,
        database_url=dsn,
        group_id=name,
        instance_id=name,
        env="test",
        **(IN_PROCESS | extra),
    )


@contextlib.asynccontextmanager
async def producer(kafka: str) -> AsyncIterator[EventProducer]:
    p = EventProducer(ProducerSettings(bootstrap=kafka, ack_timeout=30))
    await p.start()
    try:
        yield p
    finally:
        await p.stop()


@contextlib.asynccontextmanager
async def running(settings: UnifierSettings) -> AsyncIterator[ConsumerRuntime]:
    async with producer(settings.kafka_bootstrap) as p:
        rt = await build_runtime(settings, p)
        rt.start()
        try:
            yield rt
        finally:
            await rt.close()


async def publish(kafka: str, events: Sequence[ev.Event]) -> None:
    async with producer(kafka) as p:
        await p.publish(events)


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.1)


@dataclass
class _TopicRead:
    """What earlier calls already read of one unified topic: every tenant's events so far and
    where each partition stopped (the topic only grows during a session)."""

    positions: dict[TopicPartition, int] = field(default_factory=dict)
    events: dict[str, list[un.UnifiedEvent]] = field(default_factory=dict)


_read_so_far: dict[tuple[str, str], _TopicRead] = {}


async def read_unified(kafka: str, topic: str, tenant: str) -> list[un.UnifiedEvent]:
    """Everything on a unified topic for one tenant (from the beginning, up to the end now).

    Each call reads on from where the last one stopped: late in a session the topic holds the
    drills' tens of thousands of events, which a test would otherwise decode again each poll."""
    seen = _read_so_far.setdefault((kafka, topic), _TopicRead())
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka, enable_auto_commit=False)
    await consumer.start()
    try:
        count = next(t.partitions for t in load_topics() if t.name == topic)
        parts = [TopicPartition(topic, p) for p in range(count)]
        consumer.assign(parts)
        for tp in parts:
            consumer.seek(tp, seen.positions.get(tp, 0))
        ends = await consumer.end_offsets(parts)
        while [tp for tp in parts if await consumer.position(tp) < ends[tp]]:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for r in records:
                    e = un.decode(r.value or b"")
                    seen.events.setdefault(e.tenant, []).append(e)
        seen.positions.update({tp: await consumer.position(tp) for tp in parts})
        return list(seen.events.get(tenant, []))
    finally:
        await consumer.stop()


async def decide_batch(
    engine: AsyncEngine, tenant: str, events: Sequence[ev.MessageReceived]
) -> Plan:
    """One batch as the unifier's consumer runs it: load, decide, write, one transaction."""
    async with engine.begin() as conn:
        ws = await load_working_set(conn, tenant, events, RuleSet())
        plan = unify(ws, [(e, ev.encode(e)) for e in events], RuleSet())
        await write_plan(conn, ws, plan)
    return plan
