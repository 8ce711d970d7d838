"""Every email transport through the one shared intake, on the in-memory publisher: a resent
mail is published once, a broker that does not ack gets 503 / 451 (SMTP) with nothing
published, and poison lands in the dead letters with its bytes and reason (202 / 250)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from hotline import events
from hotline.topics import INBOUND_EMAIL
from tests.integration.email.conftest import FakeService, mail, signed_headers
from tests.integration.email.test_bad_input import data_reply
from tests.integration.email.test_intake import deep_mail

pytestmark = pytest.mark.integration
Send = Callable[[FakeService, bytes], Awaitable[int]]


async def via_webhook(service: FakeService, body: bytes) -> int:
    async with httpx.AsyncClient() as client:
        resp = await client.post(
            f"{service.url}/inbound/email", content=body, headers=signed_headers(body)
        )
    return resp.status_code


async def via_smtp(service: FakeService, body: bytes) -> int:
    return await asyncio.to_thread(data_reply, service.smtp_port, body)


TRANSPORTS = {"webhook": (via_webhook, 202, 503), "smtp": (via_smtp, 250, 451)}


@pytest.fixture
async def service(fake_email: FakeService) -> AsyncIterator[FakeService]:
    fake_email.publisher.down = False
    yield fake_email
    fake_email.publisher.down = False


def message_ids(service: FakeService) -> list[str]:
    return [
        e.provider_message_id
        for e in service.publisher.events_on(INBOUND_EMAIL)
        if isinstance(e, events.MessageReceived)
    ]


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_resent_mail_is_published_once(service: FakeService, transport: str) -> None:
    send, ok, _ = TRANSPORTS[transport]
    mid = f"<once-{transport}@example.test>"
    for _ in range(3):
        assert await send(service, mail(mid)) == ok
    assert message_ids(service).count(mid) == 1


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_broker_down_is_refused_and_nothing_published(
    service: FakeService, transport: str
) -> None:
    send, ok, refused = TRANSPORTS[transport]
    mid = f"<down-{transport}@example.test>"
    service.publisher.down = True
    assert await send(service, mail(mid)) == refused
    assert mid not in message_ids(service)
    service.publisher.down = False
    assert await send(service, mail(mid)) == ok  # the sender's retry
    assert message_ids(service).count(mid) == 1


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_poison_is_dead_lettered_with_bytes_and_reason(
    service: FakeService, transport: str
) -> None:
    send, ok, _ = TRANSPORTS[transport]
    before = len(service.publisher.letters)
    body = deep_mail()
    assert await send(service, body) == ok
    [letter] = service.publisher.letters[before:]
    assert (letter.topic, letter.value, letter.reason) == (
        f"{INBOUND_EMAIL}.dlq",
        body,
        "mime_too_deep",
    )
    assert letter.headers["hotline.dlq.source_topic"] == transport.encode()
