"""python -m bench.kafka_ab [produce] [paced] [relay]: one A/B per speed mechanism of the
Kafka producer (bench/results/kafka-ab.json; the table is in bench/profiling.md).

Each mechanism is switched here, in the harness (a subclass of EventProducer built with the
alternative), never by a product setting. Per round every variant runs once on a fresh topic of
the same broker, in an order rotated from round to round; the figure is the median of rounds.

* produce: ``EventProducer.publish`` of single events at 256 concurrent senders, as in
  ``make bench-kafka`` (events/s, and the process's CPU µs per event): the remembered key
  hash (``hotline.kafka.keyhash``) against aiokafka's DefaultPartitioner, AckWatch against
  ``asyncio.wait_for``;
* paced: the same publishes at a fixed 1,500/s, as an edge sends them: CPU µs per event;
* relay: 2,000-record chunks sent one after another and awaited, as the unifier's outbox relay
  does (records/s, CPU µs per record): ``send_bulk`` against ``send_many``.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiokafka.errors import KafkaError
from aiokafka.partitioner import DefaultPartitioner

from bench import kafka_bench as kb
from bench.common import bench_broker, write_result
from hotline import events as ev
from hotline.kafka import EventProducer, KafkaUnavailable, OutRecord, ProducerSettings
from hotline.kafka.producer import event_headers

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
PACED_RATE, PACED_SECONDS = 1500, 5.0
RELAY_CHUNK = 2000
Records = Sequence[OutRecord]


def settings(bootstrap: str) -> ProducerSettings:
    return ProducerSettings(bootstrap=bootstrap, ack_timeout=30)


class DefaultPartitioning(EventProducer):
    """B for the key-hash cache: aiokafka's DefaultPartitioner (murmur2 on every send)."""

    async def start(self) -> None:
        await super().start()
        assert self._producer is not None
        self._producer._partitioner = DefaultPartitioner()


class PlainWait(EventProducer):
    """B for AckWatch: one ``asyncio.wait_for`` over the send's futures."""

    async def _deliver(
        self,
        topic: str,
        enqueue: Callable[[], Awaitable[list[asyncio.Future[Any]]]],
        count: int,
    ) -> list[Any]:
        try:
            futures = await enqueue()
            return list(await asyncio.wait_for(asyncio.gather(*futures), self.settings.ack_timeout))
        except (TimeoutError, KafkaError) as exc:
            raise KafkaUnavailable(f"no ack from Kafka for {topic}: {exc!r}") from exc


class SendManyRelay(EventProducer):
    """B for send_bulk: the relay's chunks through the ordinary ``send_many``."""

    async def send_bulk(self, topic: str, records: Records) -> None:
        await self.send_many(topic, records)


PRODUCE = {
    "current": EventProducer,
    "default_partitioner": DefaultPartitioning,
    "wait_for": PlainWait,
}
PACED = {"current": EventProducer, "default_partitioner": DefaultPartitioning}
RELAY = {"send_bulk": EventProducer, "send_many": SendManyRelay}


async def produce(p: EventProducer, name: str, evts: list[ev.MessageReceived]) -> float:
    return await kb.in_parallel(kb.N, lambda i: p.publish([evts[i]], topic=name))


async def paced(p: EventProducer, name: str, evts: list[ev.MessageReceived]) -> float:
    loop, pending = asyncio.get_running_loop(), set()
    count = int(PACED_RATE * PACED_SECONDS)
    start = loop.time()
    for i in range(count):
        due = start + i / PACED_RATE
        if (wait := due - loop.time()) > 0:
            await asyncio.sleep(wait)
        task = asyncio.ensure_future(p.publish([evts[i % len(evts)]], topic=name))
        pending.add(task)
        task.add_done_callback(pending.discard)
    await asyncio.gather(*pending)
    return loop.time() - start


async def relay(p: EventProducer, name: str, evts: list[ev.MessageReceived]) -> float:
    records = [(ev.partition_key(e), ev.encode(e), event_headers(e)) for e in evts]
    start = time.perf_counter()
    for at in range(0, len(records), RELAY_CHUNK):
        await p.send_bulk(name, records[at : at + RELAY_CHUNK])
    return time.perf_counter() - start


Figure = Callable[[EventProducer, str, list[ev.MessageReceived]], Awaitable[float]]


async def timed(
    bootstrap: str, cls: type[EventProducer], figure: Figure, evts: list[ev.MessageReceived]
) -> dict[str, float]:
    name = await kb.topic(bootstrap)
    p = cls(settings(bootstrap))
    await p.start()
    try:
        await p.publish(evts[:100], topic=name)  # warm-up: every partition's leader known
        cpu = time.process_time()
        wall = await figure(p, name, evts)
        cpu = time.process_time() - cpu
    finally:
        await p.stop()
    count = int(PACED_RATE * PACED_SECONDS) if figure is paced else len(evts)
    return {"per_s": count / wall, "cpu_us": cpu / count * 1e6}


async def experiment(
    bootstrap: str, variants: dict[str, type[EventProducer]], figure: Figure
) -> dict[str, Any]:
    evts = [kb.make_event(i) for i in range(kb.N)]
    names = list(variants)
    rounds: list[dict[str, dict[str, float]]] = []
    for r in range(ROUNDS):
        order = names[r % len(names) :] + names[: r % len(names)]
        got = {n: await timed(bootstrap, variants[n], figure, evts) for n in order}
        print(r, {n: {k: round(v) for k, v in got[n].items()} for n in names}, flush=True)
        rounds.append(got)
    return {
        n: {k: round(statistics.median(rd[n][k] for rd in rounds), 1) for k in ("per_s", "cpu_us")}
        | {"rounds": [{k: round(v, 1) for k, v in rd[n].items()} for rd in rounds]}
        for n in names
    }


EXPERIMENTS: dict[str, tuple[dict[str, type[EventProducer]], Figure]] = {
    "produce": (PRODUCE, produce),
    "paced": (PACED, paced),
    "relay": (RELAY, relay),
}


def main() -> None:
    chosen = sys.argv[1:] or list(EXPERIMENTS)
    with bench_broker() as broker:
        doc: dict[str, object] = {
            name: asyncio.run(experiment(broker.bootstrap, *EXPERIMENTS[name])) for name in chosen
        }
    doc |= {"events": kb.N, "rounds": ROUNDS, "statistic": "median of rounds, order rotated"}
    path = write_result("kafka-ab", doc)
    print(json.dumps(doc, indent=2))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
