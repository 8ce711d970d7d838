"""Bulk enqueueing for relays: records grouped per partition into batches built directly.

``AIOKafkaProducer.send`` does per-record work a relay of thousands of records pays for over
and over (a metadata wait, the partitioner, one future per record). Here each key's partition
comes from ``keyhash`` (the default partitioner's rule, so a key lands where ``send`` would put
it), and each partition's records go into full batches (``create_batch``/``send_batch``): one
future per batch. Order per partition is the order of ``records``. Idempotence applies as for
any batch (sequence numbers are assigned when the sender drains it). Cost: one failed batch
fails the whole call (the relay sends it all again; the topic's tail says what arrived), and a
record larger than ``max_batch_size`` is refused (ValueError).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaProducer

from hotline.kafka.keyhash import key_hash
from hotline.kafka.records import OutRecord


def by_partition(records: Sequence[OutRecord], partitions: list[int]) -> dict[int, list[OutRecord]]:
    out: dict[int, list[OutRecord]] = {}
    n = len(partitions)
    for rec in records:
        key = rec[0]
        p = partitions[key_hash(key) % n] if key is not None else random.choice(partitions)
        out.setdefault(p, []).append(rec)
    return out


async def enqueue_bulk(
    producer: AIOKafkaProducer, topic: str, records: Sequence[OutRecord]
) -> list[asyncio.Future[Any]]:
    """Queue every record; return one future per batch (all acked = all records acked)."""
    partitions = sorted(await producer.partitions_for(topic))
    futures: list[asyncio.Future[Any]] = []
    for partition, recs in by_partition(records, partitions).items():
        batch = producer.create_batch()
        for key, value, headers in recs:
            if batch.append(key=key, value=value, timestamp=None, headers=headers) is None:
                futures.append(await producer.send_batch(batch, topic, partition=partition))
                batch = producer.create_batch()
                if batch.append(key=key, value=value, timestamp=None, headers=headers) is None:
                    raise ValueError(f"a record of {len(value)} bytes exceeds the batch size")
        futures.append(await producer.send_batch(batch, topic, partition=partition))
    return futures
