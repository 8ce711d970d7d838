"""`hotline verify-delivery`: what was acknowledged vs what the unifier stored and published.

lost        acked by an edge but not stored
duplicated  stored twice, or published (conversation.message.added.v1) twice for one message
out_of_order  in one conversation, B acked after A was acked but B published before A
counters    sum(threads.message_count) == count(messages)
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import msgspec
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy.ext.asyncio import create_async_engine

from hotline.kafka.admin import partitions_of
from hotline.kafka.lookup import behind
from hotline.topics import CONVERSATIONS
from hotline_tools.load.generator import Record

Key = tuple[str, str]  # (channel kind, provider message id, normalised)


def load_key(channel: str, provider_id: str) -> Key:
    """The id the load generator chose, whatever prefix a channel adds when storing it."""
    pid = provider_id.strip().strip("<>")
    if channel == "slack":
        pid = pid.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    return channel, pid


@dataclass
class Report:
    acked: int = 0
    stored: int = 0
    lost: list[str] = field(default_factory=list)
    duplicated_rows: list[str] = field(default_factory=list)
    duplicated_published: list[str] = field(default_factory=list)
    published: int = 0
    out_of_order: list[str] = field(default_factory=list)
    thread_message_sum: int = 0
    message_count: int = 0

    @property
    def counters_exact(self) -> bool:
        return self.thread_message_sum == self.message_count

    @property
    def ok(self) -> bool:
        return (
            not (
                self.lost or self.duplicated_rows or self.duplicated_published or self.out_of_order
            )
            and self.counters_exact
        )

    def summary(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "acked": self.acked,
            "stored": self.stored,
            "published": self.published,
            "lost": len(self.lost),
            "duplicates": len(self.duplicated_rows) + len(self.duplicated_published),
            "out_of_order": len(self.out_of_order),
            "counters_exact": self.counters_exact,
            "thread_message_sum": self.thread_message_sum,
            "message_count": self.message_count,
            "examples": {
                "lost": self.lost[:5],
                "duplicated": (self.duplicated_rows + self.duplicated_published)[:5],
                "out_of_order": self.out_of_order[:5],
            },
        }


def async_url(db_url: str) -> str:
    if db_url.startswith("sqlite:"):
        return "sqlite+aiosqlite:" + db_url.split(":", 1)[1]
    if db_url.startswith(("postgresql:", "postgres:")):
        return "postgresql+asyncpg:" + db_url.split(":", 1)[1]
    return db_url


async def stored_rows(db_url: str) -> tuple[dict[Key, int], dict[str, Key], int, int]:
    engine = create_async_engine(async_url(db_url))
    try:
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.text("SELECT message_id, channel_kind, provider_message_id FROM messages")
                )
            ).all()
            thread_sum = (
                await conn.execute(sa.text("SELECT COALESCE(SUM(message_count), 0) FROM threads"))
            ).scalar_one()
    finally:
        await engine.dispose()
    counts: Counter[Key] = Counter()
    by_message_id: dict[str, Key] = {}
    for message_id, channel, pid in rows:
        key = load_key(channel, pid)
        counts[key] += 1
        by_message_id[message_id] = key
    return dict(counts), by_message_id, int(thread_sum), len(rows)


Published = list[tuple[str, str, int]]


async def published(bootstrap: str, topic: str = CONVERSATIONS) -> Published:
    """(conversation id, message id, Kafka timestamp ms) of every conversation.message.added.v1,
    in log order per partition."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        tps = await partitions_of(bootstrap, topic)
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        return await _drain(consumer, ends)
    finally:
        await consumer.stop()


class _Added(msgspec.Struct):
    type: str
    conversation_id: str = ""
    message_id: str = ""


async def _drain(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> Published:
    out: Published = []
    decoder = msgspec.json.Decoder(_Added)
    while await behind(consumer, ends):
        for records in (await consumer.getmany(timeout_ms=500, max_records=5000)).values():
            for r in records:
                doc = decoder.decode(r.value)
                if doc.type == "conversation.message.added.v1":
                    out.append((doc.conversation_id, doc.message_id, r.timestamp))
    return out


def verify(records: list[Record], db_url: str, bootstrap: str) -> Report:
    return asyncio.run(verify_async(records, db_url, bootstrap))


async def verify_async(records: list[Record], db_url: str, bootstrap: str) -> Report:
    report = Report()
    acked = {load_key(r.channel, r.provider_id): r for r in records if r.ok}
    report.acked = len(acked)
    stored = await stored_rows(db_url)
    counts, by_message_id, report.thread_message_sum, report.message_count = stored
    report.stored = sum(1 for k in acked if k in counts)
    report.lost = [f"{k[0]}:{k[1]}" for k in acked if k not in counts]
    report.duplicated_rows = [f"{k[0]}:{k[1]}" for k, n in counts.items() if n > 1]
    stream = [(c, m) for c, m, _ in await published(bootstrap)]
    report.published = len(stream)
    report.duplicated_published = [m for m, n in Counter(m for _, m in stream).items() if n > 1]
    report.out_of_order = order_violations(stream, by_message_id, acked, records)
    return report


def order_violations(
    stream: list[tuple[str, str]],
    by_message_id: dict[str, Key],
    acked: dict[Key, Record],
    records: list[Record],
) -> list[str]:
    """Causal order: within a conversation, a message sent after another was acked must not be
    published before it (concurrently in-flight sends may legitimately swap). One violation is
    reported per message that some earlier-published message was sent after the ack of."""
    first_send = {load_key(r.channel, r.provider_id): r for r in records if r.retry_of is None}
    per_conversation: dict[str, list[Record]] = defaultdict(list)
    for conversation, message_id in stream:
        key = by_message_id.get(message_id)
        if key in acked and key in first_send:
            per_conversation[conversation].append(first_send[key])
    violations = []
    for conversation, seq in per_conversation.items():  # one pass: a shared thread has 100k+
        latest: Record | None = None  # the latest-sent message published so far
        for shown_later in seq:
            later_ack = shown_later.acked_at
            if latest is not None and later_ack is not None and latest.due > later_ack:
                violations.append(
                    f"{conversation}: {latest.provider_id} published "
                    f"before {shown_later.provider_id}, sent after its ack"
                )
            if latest is None or shown_later.due > latest.due:
                latest = shown_later
    return violations
