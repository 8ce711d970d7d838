"""send_bulk: every record lands, on the partition send() picks for its key, in order."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from hotline.kafka import EventProducer, ProducerSettings
from tests.kafka_helpers import fresh_topic, read_all

pytestmark = pytest.mark.integration


@pytest.fixture
async def producer(kafka: str) -> AsyncIterator[EventProducer]:
    # a small batch size so the 3,000 records below span many batches per partition
    p = EventProducer(ProducerSettings(bootstrap=kafka, ack_timeout=10, max_batch_size=16_384))
    await p.start()
    yield p
    await p.stop()


async def test_bulk_matches_send_partitioning_and_keeps_order(
    kafka: str, producer: EventProducer
) -> None:
    bulk_topic, single_topic = await fresh_topic(kafka, 3), await fresh_topic(kafka, 3)
    records = [
        (f"conv-{i % 37}".encode(), f"v{i}".encode() * 20, [("event_id", f"e{i}".encode())])
        for i in range(3000)
    ]
    await producer.send_bulk(bulk_topic, records)
    for key, value, headers in records[:200]:
        await producer.send(single_topic, value, key=key, headers=headers)

    got = await read_all(kafka, bulk_topic, expect=3000)
    assert len(got) == 3000
    assert sorted(r.value for r in got) == sorted(v for _, v, _ in records)
    single = {r.key: r.partition for r in await read_all(kafka, single_topic, expect=200)}
    for r in got:
        assert r.partition == single[r.key]
    per_key: dict[bytes, list[int]] = {}
    for r in sorted(got, key=lambda r: (r.partition, r.offset)):
        per_key.setdefault(r.key, []).append(int(dict(r.headers)["event_id"][1:]))
    assert all(seq == sorted(seq) for seq in per_key.values())
    assert len({r.partition for r in got}) == 3


async def test_bulk_without_a_broker_is_kafka_unavailable() -> None:
    from hotline.kafka import KafkaUnavailable

    p = EventProducer(ProducerSettings(bootstrap="127.0.0.1:1"))
    with pytest.raises(KafkaUnavailable):
        await p.send_bulk("t", [(b"k", b"v", [])])
