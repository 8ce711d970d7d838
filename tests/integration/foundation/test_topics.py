"""Topic creation on the real broker: every topic of deploy/kafka/topics as declared, the
compacted ones with cleanup.policy=compact and no time limit; creating again changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from hotline.kafka.admin import ensure_topics, partitions_of
from hotline.topics import CHANNEL_ACCOUNTS, TopicSpec, load_topics

WATCHED = ("cleanup.policy", "retention.ms")


@pytest.fixture
async def admin(kafka: str) -> AsyncIterator[AIOKafkaAdminClient]:
    client = AIOKafkaAdminClient(bootstrap_servers=kafka)
    await client.start()
    yield client
    await client.close()


async def configs(admin: AIOKafkaAdminClient, topic: str) -> dict[str, str]:
    [resp] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    [(code, _, _, _, entries)] = resp.resources
    assert code == 0, f"describe {topic}: error {code}"
    return {e[0]: e[1] for e in entries if e[0] in WATCHED}


async def test_the_channel_accounts_topic_is_compacted_and_kept_forever(
    kafka: str, admin: AIOKafkaAdminClient
) -> None:
    """The session broker's topics come from ``ensure_topics(load_topics())``."""
    assert await configs(admin, CHANNEL_ACCOUNTS) == {
        "cleanup.policy": "compact",
        "retention.ms": "-1",
    }
    assert len(await partitions_of(kafka, CHANNEL_ACCOUNTS)) == 1
    inbound = await configs(admin, "hotline.inbound.email")
    assert inbound == {"cleanup.policy": "delete", "retention.ms": "1209600000"}


async def test_declared_topics_are_created_as_declared_and_again_changes_nothing(
    kafka: str, admin: AIOKafkaAdminClient
) -> None:
    run = uuid.uuid4().hex[:8]
    specs = [
        TopicSpec(f"t.{run}.latest", 1, -1, None, "latest per key", compacted=True),
        TopicSpec(f"t.{run}.stream", 2, 3_600_000, None, "a stream"),
    ]
    for _ in range(2):
        await ensure_topics(kafka, specs)
    assert await configs(admin, specs[0].name) == {
        "cleanup.policy": "compact",
        "retention.ms": "-1",
    }
    assert await configs(admin, specs[1].name) == {
        "cleanup.policy": "delete",
        "retention.ms": "3600000",
    }
    assert [len(await partitions_of(kafka, s.name)) for s in specs] == [1, 2]
    declared = {t.name for t in load_topics() if t.compacted}
    assert declared == {CHANNEL_ACCOUNTS}
