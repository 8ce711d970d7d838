"""Kafka offsets kept in the database, written in the same transaction as the rows."""

from __future__ import annotations

import sqlalchemy as sa
from aiokafka import TopicPartition
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from unifier.store.dialect import upsert
from unifier.store.schema import offsets


async def write_offset(conn: AsyncConnection, group: str, tp: TopicPartition, nxt: int) -> None:
    await write_offsets(conn, group, {tp: nxt})


async def write_offsets(conn: AsyncConnection, group: str, nxt: dict[TopicPartition, int]) -> None:
    rows = [
        {"group_id": group, "topic": tp.topic, "partition": tp.partition, "next_offset": n}
        for tp, n in sorted(nxt.items())
    ]
    await upsert(conn, offsets, rows, ["next_offset"])


class DbOffsetStore:
    """``hotline.kafka.OffsetStore``: the consumer seeks to these on assignment."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def load(self, group: str, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        wanted = set(partitions)
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                sa.select(offsets.c.topic, offsets.c.partition, offsets.c.next_offset).where(
                    offsets.c.group_id == group
                )
            )
            found = {TopicPartition(r.topic, r.partition): int(r.next_offset) for r in rows}
        return {tp: off for tp, off in found.items() if tp in wanted}

    async def save(self, group: str, tp: TopicPartition, next_offset: int) -> None:
        async with self.engine.begin() as conn:
            await write_offset(conn, group, tp, next_offset)
