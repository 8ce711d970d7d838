"""Running one IMAP poller in the test's loop until something happened, then stopping it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from email_ingest.imap import ImapConfig, ImapPoller
from email_ingest.mailroom import Mailroom
from email_ingest.normalize import MailboxConfig
from hotline import events
from hotline.blobs import MemoryBlobStore
from hotline.intake import MemoryPublisher

TOPIC = "hotline.inbound.email"


def memory_poller(config: ImapConfig) -> tuple[ImapPoller, MemoryPublisher]:
    publisher = MemoryPublisher()
    mailroom = Mailroom(publisher, MemoryBlobStore(), MailboxConfig(tenant="acme"), TOPIC)
    return ImapPoller(config, mailroom), publisher


@asynccontextmanager
async def polling(poller: ImapPoller) -> AsyncIterator[ImapPoller]:
    stop = asyncio.Event()
    task = asyncio.create_task(poller.run(stop))
    try:
        yield poller
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)


async def wait_until(check: Callable[[], bool], timeout: float = 30) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)


def message_ids(publisher: MemoryPublisher) -> list[str]:
    found = []
    for _, event in publisher.published:
        assert isinstance(event, events.MessageReceived), event
        found.append(event.provider_message_id)
    return found


def logins(dovecot_dir: str, user: str) -> list[str]:
    """Dovecot's ``Login:`` log lines for ``user`` (they name the method and TLS)."""
    text = Path(dovecot_dir, "dovecot.log").read_text(errors="replace")
    return [line for line in text.splitlines() if f"Login: user=<{user}>" in line]
