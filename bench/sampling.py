"""One sample a second during a scenario: acked (generator), stored (database) and consumer lag
(broker end offsets vs the offsets the unifier committed with its rows).

The sampler shares its event loop with the load generator, so a sample must stay cheap and
constant in cost: the acked count is a counter (not a scan of the run's records, which grows to
millions in a soak) and one Kafka client is kept for the whole run (not a new admin client and
consumer each second)."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Callable

import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.kafka.admin import partitions_of
from hotline_tools.load.clock import RunClock, wall_to_run

INBOUND = ("hotline.inbound.email", "hotline.inbound.chat", "hotline.inbound.social")
OFFSETS_SQL = (
    "SELECT COALESCE(SUM(next_offset), 0) FROM consumer_offsets WHERE topic IN ("
    + ", ".join(f"'{t}'" for t in INBOUND)
    + ")"
)


class EndOffsets:
    """The inbound topics' end offsets through one long-lived client; it reconnects by itself
    after a broker restart."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self.consumer: AIOKafkaConsumer | None = None
        self.tps: list[TopicPartition] = []

    async def total(self) -> float:
        if self.consumer is None:
            self.tps = await partitions_of(self.bootstrap, *INBOUND)
            consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap)
            await consumer.start()
            self.consumer = consumer
        ends = await self.consumer.end_offsets(self.tps)
        return float(sum(ends.values()))

    async def close(self) -> None:
        if self.consumer is not None:
            await self.consumer.stop()


class Sampler:
    def __init__(self, engine: AsyncEngine, bootstrap: str, clock: RunClock) -> None:
        self.engine = engine
        self.clock = clock  # the run's: samples and the generator's records share it
        self.ends = EndOffsets(bootstrap)
        self.samples: list[dict[str, float]] = []
        self.acked: Callable[[], int] = lambda: 0

    async def close(self) -> None:
        await self.ends.close()

    async def run(self, stop: asyncio.Event, acked: Callable[[], int]) -> None:
        self.acked = acked
        while not stop.is_set():
            self.samples.append(await self.one())
            await asyncio.sleep(1.0)

    async def one(self) -> dict[str, float]:
        """A part whose component is down during a drill is NaN, so plots show a gap instead of
        a fake line. The end offsets are read before and after the database: their mean is the
        log end at the moment of the read, whatever the two reads cost under load."""
        acked = float(self.acked())
        before = await self._ends()
        stored, done = await self._database()
        after = await self._ends()
        lag = (before + after) / 2 - done
        t, drift = self.clock.now(), self.clock.drift()
        return {"t": t, "stored": stored, "acked": acked, "lag": lag, "drift": drift}

    def wall_to_run(self) -> Callable[[float], float]:
        """Wall-clock readings from other processes (Kafka timestamps) on the run's clock."""
        return wall_to_run([(s["t"], s["drift"]) for s in self.samples])

    async def drained(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s = await self.one()
            if s["lag"] <= 0:  # NaN (a component down) compares False: keep waiting
                return
            await asyncio.sleep(1.0)

    async def _ends(self) -> float:
        with contextlib.suppress(Exception):
            return await asyncio.wait_for(self.ends.total(), 5)
        return math.nan

    async def _database(self) -> tuple[float, float]:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(5), self.engine.connect() as conn:
                stored = (await conn.execute(sa.text(stored_sql(self.engine)))).scalar_one()
                done = (await conn.execute(sa.text(OFFSETS_SQL))).scalar_one()
                return float(stored), float(done)
        return math.nan, math.nan


def stored_sql(engine: AsyncEngine) -> str:
    """Stored messages, sampled every second: on SQLite ``count(*)`` scans the table (seconds
    of a core per minute once it holds a few hundred thousand rows, taken from the services
    under test); messages are never deleted, so the largest rowid is the count."""
    if engine.dialect.name == "sqlite":
        return "SELECT COALESCE(MAX(rowid), 0) FROM messages"
    return "SELECT count(*) FROM messages"
