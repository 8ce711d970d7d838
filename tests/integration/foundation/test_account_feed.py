"""The account feed on the real broker, fed by hand on a topic of its own: a record that does not
decode, is not an account, or whose secrets no key opens is logged (never a value) and skipped,
and the feed goes on, while catching up and while following; without a key only accounts with
no secrets are applied."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet

from hotline import unified as un
from hotline.accounts import AccountRegistry
from hotline.accounts.feed import AccountFeed
from hotline.accounts.sealing import Sealer
from hotline.kafka import EventProducer
from hotline.kafka.admin import ensure_topics
from hotline.topics import TopicSpec

KEY, OTHER_KEY = Sealer([Fernet.generate_key().decode()]), Sealer([Fernet.generate_key().decode()])
TOKEN = f"auth-token-{uuid.uuid4().hex}"
AT = datetime(2026, 12, 1, tzinfo=UTC)


def changed(
    account_id: str, sealer: Sealer | None, *, version: int = 1, removed: bool = False
) -> bytes:
    secrets = {"auth_token": [sealer.seal(TOKEN)]} if sealer else {}
    return un.encode(
        un.ChannelAccountChanged(
            event_id=uuid.uuid4().hex, tenant="acme", occurred_at=AT, kind="sms",
            account_id=account_id, name="n", secrets=secrets, version=version, removed=removed,
        )
    )  # fmt: skip


async def fresh_topic(kafka: str) -> str:
    name = f"t.accounts.{uuid.uuid4().hex[:8]}"
    await ensure_topics(kafka, [TopicSpec(name, 1, -1, None, "test", compacted=True)])
    return name


async def send(producer: EventProducer, topic: str, *records: tuple[str, bytes]) -> None:
    await producer.send_bulk(topic, [(k.encode(), v, []) for k, v in records])


async def until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


CLOSED = un.ConversationClosed(
    event_id="e", tenant="acme", occurred_at=AT, conversation_id="c", closed_by="a"
)
BAD = [
    ("sms:junk", b"\x00 not json"),
    ("sms:other", un.encode(CLOSED)),
    ("sms:AC-wrong-key", changed("AC-wrong-key", OTHER_KEY)),
]


async def test_unusable_records_are_skipped_and_the_feed_goes_on(
    kafka: str, producer: EventProducer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    topic = await fresh_topic(kafka)
    await send(
        producer, topic, *BAD, ("sms:AC1", changed("AC1", KEY)), ("sms:AC2", changed("AC2", None))
    )
    registry = AccountRegistry()
    feed = AccountFeed(registry, kafka, KEY, topic=topic)
    await feed.start()
    try:
        assert (feed.applied, feed.skipped) == (2, 3)
        assert registry.route("sms", "AC1").secret_values("auth_token") == (TOKEN,)
        assert registry.route("sms", "AC2").secrets == {}
        assert registry.find("sms", "AC-wrong-key") is None
        await send(producer, topic, *BAD, ("sms:AC1", changed("AC1", KEY, version=2, removed=True)))
        await until(lambda: registry.find("sms", "AC1") is None)
        await send(producer, topic, ("sms:AC3", changed("AC3", KEY)))
        await until(lambda: registry.find("sms", "AC3") is not None)
        assert feed.skipped == 6
    finally:
        await feed.stop()
    assert TOKEN not in caplog.text and "record skipped" in caplog.text


async def test_without_a_key_only_accounts_without_secrets_are_applied(
    kafka: str, producer: EventProducer
) -> None:
    topic = await fresh_topic(kafka)
    await send(producer, topic, ("sms:AC1", changed("AC1", KEY)), ("sms:AC2", changed("AC2", None)))
    registry = AccountRegistry()
    feed = AccountFeed(registry, kafka, None, topic=topic)
    await feed.start()
    try:
        assert (feed.applied, feed.skipped) == (1, 1)
        assert registry.find("sms", "AC1") is None and registry.find("sms", "AC2") is not None
    finally:
        await feed.stop()


async def test_a_feed_on_an_empty_topic_is_caught_up_at_once(kafka: str) -> None:
    registry = AccountRegistry()
    feed = AccountFeed(registry, kafka, KEY, topic=await fresh_topic(kafka))
    assert not await feed.ready()
    await feed.start(timeout=10)
    try:
        assert await feed.ready() and registry.snapshot() == {}
    finally:
        await feed.stop()
    assert not await feed.ready()
    await feed.stop()  # twice: nothing left to stop


async def test_a_missing_topic_fails_the_start_and_leaves_nothing_running(kafka: str) -> None:
    feed = AccountFeed(AccountRegistry(), kafka, KEY, topic=f"t.missing.{uuid.uuid4().hex[:8]}")
    with pytest.raises(LookupError, match="has no partitions"):
        await feed.start(timeout=10)
    assert not await feed.ready() and feed._consumer is None and feed._task is None
