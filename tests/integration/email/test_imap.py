"""IMAP poller against a real Dovecot: killed (SIGKILL) mid-run and restarted, every message
arrives exactly once; a checkpoint left pending after an acked publish is not published again;
new mail delivered while the poller runs is picked up."""

from __future__ import annotations

import asyncio
import imaplib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer

from email_ingest.imap import ImapConfig, ImapPoller
from email_ingest.imap_checkpoint import Checkpoint, CheckpointFile, Pending
from email_ingest.mailroom import Mailroom
from email_ingest.normalize import MailboxConfig
from email_ingest.published import was_published
from hotline import events
from hotline.blobs import MemoryBlobStore
from hotline.intake import KafkaPublisher, MemoryPublisher
from hotline.kafka import EventProducer, ProducerSettings
from hotline_tools.devstack.broker import free_port
from tests.integration.email.conftest import SECRET
from tests.integration.email.dovecot import Dovecot, message, running_dovecot
from tests.kafka_helpers import fresh_topic, partitions, read_all

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[3]
N = 60


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    with running_dovecot("email-test") as server:
        server.add_user("alice")
        server.add_user("bob")
        for i in range(1, N + 1):
            server.deliver("alice", message(i), i)
        yield server


def service_env(kafka: str, topic: str, server: Dovecot, user: str, work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HOTLINE_ROOT": str(REPO),
        "HOTLINE_ENV": "test",
        "HOTLINE_KAFKA_BOOTSTRAP": kafka,
        "HOTLINE_PORT": str(free_port()),
        "HOTLINE_DEFAULT_TENANT": "acme",
        "HOTLINE_INBOUND_TOPIC": topic,
        "HOTLINE_BLOB_DIR": str(work / "blobs"),
        "HOTLINE_WEBHOOK_SECRETS": f'["{SECRET.decode()}"]',
        "HOTLINE_SMTP_ENABLED": "false",
        "HOTLINE_IMAP_HOST": "127.0.0.1",
        "HOTLINE_IMAP_PORT": str(server.port),
        "HOTLINE_IMAP_SECURITY": "plain",
        "HOTLINE_IMAP_USER": user,
        "HOTLINE_IMAP_PASSWORD": server.password,
        "HOTLINE_IMAP_BATCH": "4",
        "HOTLINE_IMAP_POLL_S": "0.5",
        "HOTLINE_IMAP_POST_ACTION": "seen",
        "HOTLINE_IMAP_CHECKPOINT": str(work / "checkpoint.json"),
        "HOTLINE_LOG_LEVEL": "WARNING",
    }


async def wait_for_records(kafka: str, topic: str, at_least: int, timeout: float = 60) -> int:
    """Poll the topic's end offsets on one open consumer (a few ms per look)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka)
    await consumer.start()
    try:
        tps = await partitions(kafka, topic)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (n := sum((await consumer.end_offsets(tps)).values())) < at_least:
            assert loop.time() < deadline, f"{topic}: {n} records, expected {at_least}"
            await asyncio.sleep(0.005)
        return int(n)
    finally:
        await consumer.stop()


def received(raw: bytes) -> events.MessageReceived:
    event = events.decode(raw)
    assert isinstance(event, events.MessageReceived), event
    return event


async def test_killed_mid_batch_and_restarted_every_message_exactly_once(
    kafka: str, dovecot: Dovecot
) -> None:
    topic = await fresh_topic(kafka, 3)
    work = Path(tempfile.mkdtemp(prefix="imap-poller-"))
    env = service_env(kafka, topic, dovecot, "alice", work)
    cmd = [sys.executable, "-m", "email_ingest"]
    first = subprocess.Popen(cmd, env=env, cwd=work)
    try:
        at_kill = await wait_for_records(kafka, topic, 6)
        first.send_signal(signal.SIGKILL)  # a crash: no shutdown code runs
    finally:
        first.wait(timeout=10)
    assert at_kill < N, "the poller finished before it could be killed mid-run"
    at_crash = (work / "checkpoint.json").read_text()
    log = (work / "second.log").open("wb")
    env2 = {**env, "HOTLINE_LOG_LEVEL": "INFO"}
    second = subprocess.Popen(cmd, env=env2, cwd=work, stderr=log, stdout=log)
    try:
        await wait_for_records(kafka, topic, N)
        dovecot.deliver("alice", message(N + 1), N + 1)  # new mail while it runs (IDLE)
        await wait_for_records(kafka, topic, N + 1)
        await asyncio.sleep(1.5)  # would any duplicate still come?
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=20)
        log.close()
    records = await read_all(kafka, topic, timeout=10)
    ids = [received(r.value or b"").provider_message_id for r in records]
    dups = {i: ids.count(i) for i in ids if ids.count(i) > 1}
    assert not dups, (
        f"duplicates {dups}; killed at {at_kill}; checkpoint {at_crash}"
        + (work / "second.log").read_text()[-3000:]
    )
    assert sorted(ids) == sorted(f"<imap-{i}@example.test>" for i in range(1, N + 2))
    assert CheckpointFile(work / "checkpoint.json").load().last_uid == N + 1
    assert seen_count(dovecot, "alice") == N + 1  # post-action "seen" ran for each message
    shutil.rmtree(work, ignore_errors=True)


def seen_count(server: Dovecot, user: str) -> int:
    client = imaplib.IMAP4("127.0.0.1", server.port)
    client.login(user, server.password)
    client.select("INBOX", readonly=True)
    _, found = client.uid("SEARCH", None, "SEEN")  # type: ignore[arg-type]
    client.logout()
    return len(found[0].split()) if found and found[0] else 0


def uidvalidity(server: Dovecot, user: str) -> int:
    client = imaplib.IMAP4("127.0.0.1", server.port)
    client.login(user, server.password)
    client.select("INBOX")
    value = client.response("UIDVALIDITY")[1][0]
    client.logout()
    assert isinstance(value, bytes)
    return int(value)


async def test_pending_uid_that_was_acked_is_not_published_again(
    kafka: str, dovecot: Dovecot
) -> None:
    for i in (101, 102):
        dovecot.deliver("bob", message(i), i)
    topic = await fresh_topic(kafka)
    producer = EventProducer(ProducerSettings(bootstrap=kafka))
    await producer.start()
    work = Path(tempfile.mkdtemp(prefix="imap-pending-"))
    try:
        mailroom = Mailroom(
            KafkaPublisher(producer), MemoryBlobStore(), MailboxConfig(tenant="acme"), topic
        )
        first = await mailroom.prepare(message(101))
        await mailroom.commit(first)  # acked ... and then the process died before the checkpoint
        pending = Pending(1, topic, first.marker, first.key.decode())
        store = CheckpointFile(work / "cp.json")
        store.save(Checkpoint(uidvalidity(dovecot, "bob"), 0, pending))
        cfg = ImapConfig(
            "127.0.0.1", dovecot.port, "bob", "secret", kafka, work / "cp.json", security="plain"
        )
        poller = ImapPoller(cfg, mailroom)
        stop = asyncio.Event()
        task = asyncio.create_task(poller.run(stop))
        await wait_for_records(kafka, topic, 2)
        await asyncio.sleep(1.0)
        stop.set()
        await asyncio.wait_for(task, 15)
    finally:
        await producer.stop()
    records = await read_all(kafka, topic, timeout=5)
    ids = [received(r.value or b"").provider_message_id for r in records]
    assert ids == ["<imap-101@example.test>", "<imap-102@example.test>"]
    assert store.load() == Checkpoint(uidvalidity(dovecot, "bob"), 2)
    shutil.rmtree(work, ignore_errors=True)


async def test_was_published_finds_every_record_and_nothing_else(kafka: str) -> None:
    topic = await fresh_topic(kafka, 3)
    producer = EventProducer(ProducerSettings(bootstrap=kafka))
    await producer.start()
    try:
        mailroom = Mailroom(
            KafkaPublisher(producer), MemoryBlobStore(), MailboxConfig(tenant="acme"), topic
        )
        prepared = [await mailroom.prepare(message(i)) for i in range(200, 230)]
        for p in prepared[:20]:
            await mailroom.commit(p)
    finally:
        await producer.stop()
    for i in (0, 7, 19, 20, 29):  # first, middle, last published; two never published
        pending = Pending(i, topic, prepared[i].marker, prepared[i].key.decode())
        assert await was_published(kafka, topic, pending) == (i < 20), i


def mailbox_uids(server: Dovecot, user: str, mailbox: str) -> list[bytes]:
    client = imaplib.IMAP4("127.0.0.1", server.port)
    client.login(user, server.password)
    status, _ = client.select(mailbox, readonly=True)
    found = client.uid("SEARCH", None, "ALL")[1] if status == "OK" else [b""]  # type: ignore[arg-type]
    client.logout()
    return found[0].split() if found and found[0] else []


async def test_move_post_action_creates_the_folder_and_empties_the_inbox(
    kafka: str, dovecot: Dovecot
) -> None:
    for i in (301, 302, 303):
        dovecot.deliver("carol", message(i), i)
    dovecot.add_user("carol")
    topic = await fresh_topic(kafka)
    producer = EventProducer(ProducerSettings(bootstrap=kafka))
    await producer.start()
    work = Path(tempfile.mkdtemp(prefix="imap-move-"))
    try:
        mailroom = Mailroom(
            KafkaPublisher(producer), MemoryBlobStore(), MailboxConfig(tenant="acme"), topic
        )
        cfg = ImapConfig("127.0.0.1", dovecot.port, "carol", "secret", kafka, work / "cp.json",
                         post_action="move:Processed", security="plain")  # fmt: skip
        stop = asyncio.Event()
        task = asyncio.create_task(ImapPoller(cfg, mailroom).run(stop))
        await wait_for_records(kafka, topic, 3)
        stop.set()
        await asyncio.wait_for(task, 15)
    finally:
        await producer.stop()
    assert mailbox_uids(dovecot, "carol", "INBOX") == []
    assert len(mailbox_uids(dovecot, "carol", "Processed")) == 3
    shutil.rmtree(work, ignore_errors=True)


async def wait_until(check: Callable[[], bool], timeout: float = 30) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_broker_down_keeps_the_uid_pending_and_the_retry_publishes_once(
    kafka: str, dovecot: Dovecot
) -> None:
    for i in (401, 402):
        dovecot.deliver("dave", message(i), i)
    dovecot.add_user("dave")
    topic = await fresh_topic(kafka)  # only asked whether a pending UID was published
    work = Path(tempfile.mkdtemp(prefix="imap-down-"))
    fake = MemoryPublisher(down=True)
    mailroom = Mailroom(fake, MemoryBlobStore(), MailboxConfig(tenant="acme"), topic)
    cfg = ImapConfig(
        "127.0.0.1", dovecot.port, "dave", "secret", kafka, work / "cp.json", security="plain"
    )
    store = CheckpointFile(cfg.checkpoint)
    stop = asyncio.Event()
    task = asyncio.create_task(ImapPoller(cfg, mailroom).run(stop))
    try:
        await wait_until(lambda: fake.calls >= 2)  # refused, reconnected, refused again
        checkpoint = store.load()
        assert fake.published == [] and checkpoint.last_uid == 0
        assert checkpoint.pending is not None and checkpoint.pending.uid == 1
        fake.down = False
        await wait_until(lambda: store.load().last_uid == 2)
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
    ids = [received(events.encode(e)).provider_message_id for _, e in fake.published]
    assert ids == ["<imap-401@example.test>", "<imap-402@example.test>"]
    assert store.load().pending is None
    shutil.rmtree(work, ignore_errors=True)
