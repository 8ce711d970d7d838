"""make bench-kafka: produce and consume 1.2 KB events through our runtime vs raw aiokafka,
on the same broker in the same run; the ratio is the figure (target: ours >= 0.9x raw)."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
import uuid
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.common import bench_broker, write_result
from hotline import events as ev
from hotline.kafka import Batch, ConsumerLoop, EventProducer, OutRecord, ProducerSettings
from hotline.kafka.admin import ensure_topics
from hotline.kafka.consumer import LoopSettings
from hotline.kafka.producer import event_headers
from hotline.topics import TopicSpec

N = int(os.environ.get("BENCH_N", "50000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CONCURRENCY = 256  # concurrent in-flight requests, like an edge under load
PARTITIONS = 6


def make_event(i: int) -> ev.MessageReceived:
    pid = f"wamid.bench.{i}"
    return ev.MessageReceived(
        event_id=ev.event_id_for("bench", "whatsapp", pid, "msg"),
        tenant="bench",
        channel=ev.ChannelRef(kind="whatsapp", account_id="100200300"),
        provider_message_id=pid,
        received_at=datetime.now(UTC),
        conversation_key=f"bench/whatsapp/+4917{i % 5000:07d}",
        sender=ev.Sender(
            handle=f"+4917{i % 5000:07d}",
            display_name="Bench Customer",
            identifiers=[
                ev.Identifier(
                    kind="phone", value=f"+4917{i % 5000:07d}", source="provider", verified=True
                )
            ],
        ),
        content=ev.TextContent(text="x" * 780),
    )


async def topic(bootstrap: str) -> str:
    name = f"bench.{uuid.uuid4().hex[:8]}"
    await ensure_topics(bootstrap, [TopicSpec(name, PARTITIONS, 3_600_000, None, "")])
    return name


async def in_parallel(n: int, one: object) -> float:
    assert callable(one)
    queue = iter(range(n))

    async def worker() -> None:
        for i in queue:
            await one(i)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return time.perf_counter() - start


async def produce_raw(bootstrap: str, name: str, payloads: list[OutRecord]) -> float:
    p = AIOKafkaProducer(
        bootstrap_servers=bootstrap, enable_idempotence=True, linger_ms=5, max_batch_size=256 * 1024
    )
    await p.start()
    try:
        return await in_parallel(
            N,
            lambda i: p.send_and_wait(
                name, payloads[i][1], key=payloads[i][0], headers=payloads[i][2]
            ),
        )
    finally:
        await p.stop()


async def produce_ours(bootstrap: str, name: str, evts: list[ev.MessageReceived]) -> float:
    p = EventProducer(ProducerSettings(bootstrap=bootstrap, ack_timeout=30))
    await p.start()
    try:
        return await in_parallel(N, lambda i: p.publish([evts[i]], topic=name))
    finally:
        await p.stop()


async def consume_raw(bootstrap: str, name: str, decode: bool) -> float:
    c = AIOKafkaConsumer(
        name,
        bootstrap_servers=bootstrap,
        group_id=f"raw-{name}-{decode}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=1000,
    )
    await c.start()
    seen, start = 0, 0.0
    try:
        while seen < N:
            for tp, records in (await c.getmany(timeout_ms=500, max_records=1000)).items():
                start = start or time.perf_counter()  # steady state: from the first record
                seen += len(records)
                if decode:  # what any real consumer does with each record
                    _ = [ev.decode(r.value or b"") for r in records]
                await c.commit({tp: records[-1].offset + 1})
        return time.perf_counter() - start
    finally:
        await c.stop()


async def consume_ours(bootstrap: str, name: str) -> float:
    stop, seen, start = asyncio.Event(), 0, 0.0

    async def handle(batch: Batch[ev.Event]) -> None:
        nonlocal seen, start
        start = start or time.perf_counter()  # steady state: from the first record
        seen += len(batch.items)
        if seen >= N:
            stop.set()

    producer = EventProducer(ProducerSettings(bootstrap=bootstrap))
    await producer.start()
    loop: ConsumerLoop[ev.Event] = ConsumerLoop(
        LoopSettings(bootstrap=bootstrap, group_id=f"ours-{name}", topics=[name]),
        decode=lambda r: ev.decode(r.value or b""),
        handle=handle,
        producer=producer,
    )
    await loop.run(stop)
    elapsed = time.perf_counter() - start
    await producer.stop()
    return elapsed


async def one_round(
    bootstrap: str, evts: list[ev.MessageReceived], payloads: list[OutRecord]
) -> dict[str, float]:
    raw_t, ours_t = await topic(bootstrap), await topic(bootstrap)
    return {
        "produce_raw_s": await produce_raw(bootstrap, raw_t, payloads),
        "produce_ours_s": await produce_ours(bootstrap, ours_t, evts),
        "consume_raw_undecoded_s": await consume_raw(bootstrap, raw_t, decode=False),
        "consume_raw_s": await consume_raw(bootstrap, raw_t, decode=True),
        "consume_ours_s": await consume_ours(bootstrap, ours_t),
    }


async def run(bootstrap: str) -> dict[str, object]:
    evts = [make_event(i) for i in range(N)]
    payloads: list[OutRecord] = [
        (ev.partition_key(e), ev.encode(e), event_headers(e)) for e in evts
    ]
    size = sum(len(p[1]) for p in payloads) / N
    rounds = [await one_round(bootstrap, evts, payloads) for _ in range(ROUNDS)]
    timings = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
    rates = {k.replace("_s", "_per_s"): round(N / v) for k, v in timings.items()}
    return {
        "events": N,
        "rounds": ROUNDS,
        "statistic": "median of rounds (raw and ours alternate)",
        "avg_event_bytes": round(size),
        "concurrency": CONCURRENCY,
        "partitions": PARTITIONS,
        **rates,
        "produce_ratio": round(timings["produce_raw_s"] / timings["produce_ours_s"], 3),
        "consume_ratio": round(timings["consume_raw_s"] / timings["consume_ours_s"], 3),
        "consume_ratio_vs_undecoded_raw": round(
            timings["consume_raw_undecoded_s"] / timings["consume_ours_s"], 3
        ),
        "target": "ours >= 0.9x raw aiokafka (produce and consume)",
        "notes": "ours = EventProducer.publish (msgspec encode + key + headers + bounded ack wait)"
        " and ConsumerLoop (decode every record, commit offset+1 per partition batch);"
        " raw = send_and_wait of the same pre-encoded record (key, value, headers) /"
        " getmany + msgspec decode of each record + commit (consume_ratio); the ratio"
        " against raw without any decoding is reported too. Consumers timed from the"
        " first record (group join excluded).",
    }


def main() -> None:
    with bench_broker() as broker:
        doc = asyncio.run(run(broker.bootstrap))
    path = write_result("kafka", doc)
    print(json.dumps(doc, indent=2))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
