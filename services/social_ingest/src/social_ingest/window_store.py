"""The customer's last inbound time per (tenant, channel, account, customer handle), in SQLite.

Fed by this service's own events: a ConsumerLoop over ``hotline.inbound.social`` in store mode
(rows and the consumed offsets in one transaction), so a restart resumes exactly and a replay
rebuilds it. Each instance keeps a full copy (its own consumer group), because a reply may be
handled by any instance. Only customer messages count: echoes, statuses, reactions do not.
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path

from aiokafka import TopicPartition

from hotline import events as ev
from hotline.kafka import Batch

SCHEMA = """
create table if not exists last_inbound (
  tenant text, channel text, account text, customer text, at real,
  primary key (tenant, channel, account, customer));
create table if not exists offsets (
  grp text, topic text, part integer, next integer, primary key (grp, topic, part));
create table if not exists meta (key text primary key, value text);
create table if not exists reply_results (reply_id text primary key, result blob);
"""


class WindowStore:
    """Also the ConsumerLoop's OffsetStore (load/save) for the feeding consumer."""

    def __init__(self, path: str) -> None:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.execute("pragma journal_mode=wal")
        # no fsync per batch: a lost tail after a power cut is re-consumed (offsets are
        # in the same transaction as the rows), so the store stays consistent
        self.db.execute("pragma synchronous=normal")
        self.db.executescript(SCHEMA)
        self.group = self._group()

    def _group(self) -> str:
        """A consumer group of this store's own: a fresh file reads the topic from the start."""
        self.db.execute(
            "insert or ignore into meta values ('group', ?)",
            (f"social_ingest.windows.{uuid.uuid4().hex[:12]}",),
        )
        row = self.db.execute("select value from meta where key='group'").fetchone()
        return str(row[0])

    def result_of(self, reply_id: str) -> bytes | None:
        """A reply already sent: its result (a redelivered request is never sent twice)."""
        row = self.db.execute(
            "select result from reply_results where reply_id=?", (reply_id,)
        ).fetchone()
        return bytes(row[0]) if row else None

    def remember(self, reply_id: str, result: bytes) -> None:
        self.db.execute("insert or replace into reply_results values (?, ?)", (reply_id, result))

    def last_inbound(self, tenant: str, channel: ev.ChannelRef, customer: str) -> datetime | None:
        row = self.db.execute(
            "select at from last_inbound where tenant=? and channel=? and account=? and customer=?",
            (tenant, channel.kind, channel.account_id, customer),
        ).fetchone()
        return datetime.fromtimestamp(row[0], UTC) if row else None

    async def handle(self, batch: Batch[ev.Event]) -> None:
        rows = [r for r in (_row(item.value) for item in batch.items) if r]
        with self.db:  # one transaction: the rows and the offset after them
            self.db.execute("begin")
            self.db.executemany(
                "insert into last_inbound values (?,?,?,?,?) on conflict do update "
                "set at = max(at, excluded.at)",
                rows,
            )
            self._save(batch.tp, batch.next_offset)

    async def load(self, group: str, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        found = {}
        for tp in partitions:
            row = self.db.execute(
                "select next from offsets where grp=? and topic=? and part=?",
                (group, tp.topic, tp.partition),
            ).fetchone()
            if row:
                found[tp] = int(row[0])
        return found

    async def save(self, group: str, tp: TopicPartition, next_offset: int) -> None:
        self._save(tp, next_offset, group)

    def _save(self, tp: TopicPartition, next_offset: int, group: str | None = None) -> None:
        self.db.execute(
            "insert into offsets values (?,?,?,?) on conflict do update set next=excluded.next",
            (group or self.group, tp.topic, tp.partition, next_offset),
        )

    def close(self) -> None:
        self.db.close()


def _row(event: ev.Event) -> tuple[str, str, str, str, float] | None:
    if not isinstance(event, ev.MessageReceived) or event.sender.role != "customer":
        return None
    at = event.provider_timestamp or event.received_at
    customer = event.conversation_key.rsplit("/", 1)[-1]
    return (event.tenant, event.channel.kind, event.channel.account_id, customer, at.timestamp())
