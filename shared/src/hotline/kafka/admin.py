"""Idempotent topic creation: create what is missing, wait until every partition has a leader."""

from __future__ import annotations

import asyncio

from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.client import AIOKafkaClient

from hotline.topics import TopicSpec

TOPIC_ALREADY_EXISTS = 36


async def ensure_topics(bootstrap: str, specs: list[TopicSpec], timeout: float = 30.0) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
    await admin.start()
    try:
        await _create(admin, specs)
        await _wait_for_leaders(admin, [s.name for s in specs], timeout)
    finally:
        await admin.close()


async def _create(admin: AIOKafkaAdminClient, specs: list[TopicSpec]) -> None:
    new = [
        NewTopic(
            s.name,
            num_partitions=s.partitions,
            replication_factor=1,
            topic_configs=s.configs(),
        )
        for s in specs
    ]
    resp = await admin.create_topics(new)
    for topic, code, *detail in resp.topic_errors:
        if code not in (0, TOPIC_ALREADY_EXISTS):
            raise RuntimeError(f"create topic {topic}: error {code} {detail}")


async def _wait_for_leaders(admin: AIOKafkaAdminClient, names: list[str], timeout: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        described = await admin.describe_topics(names)
        if all(_has_leaders(t) for t in described):
            return
        if loop.time() > deadline:
            raise TimeoutError(f"topics {names} have no leaders yet")
        await asyncio.sleep(0.1)


def _has_leaders(topic: dict[str, object]) -> bool:
    partitions = topic.get("partitions")
    if topic.get("error_code") != 0 or not isinstance(partitions, list) or not partitions:
        return False
    return all(p["leader"] >= 0 for p in partitions)


async def partitions_of(bootstrap: str, *topics: str) -> list[TopicPartition]:
    """Every partition of ``topics`` from a fresh metadata request (raises if one is missing)."""
    client = AIOKafkaClient(bootstrap_servers=bootstrap)
    await client.bootstrap()
    try:
        cluster = await client.fetch_all_metadata()
        found = []
        for topic in topics:
            parts = cluster.partitions_for_topic(topic)
            if not parts:
                raise LookupError(f"topic {topic} has no partitions (does it exist?)")
            found += [TopicPartition(topic, p) for p in sorted(parts)]
        return found
    finally:
        await client.close()
