"""Every provider route through the shared intake, on the in-memory publisher: Kafka down is a
503 with nothing published, an oversize body a 413 (before it is read), a malformed but
authenticated body a 400, an unconfigured provider a 404 — nothing produced in each case."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import httpx
import pytest
from pydantic import SecretStr

from email_ingest.app import create_app
from email_ingest.providers.mandrill import verify as mandrill_verify
from email_ingest.providers.settings import PostmarkSettings
from hotline import events
from hotline.capture import HttpRequest
from hotline.intake import MemoryPublisher
from tests.http_helpers import serve_app
from tests.integration.email.conftest import NO_BROKER, SMTP_MAX, mail, settings_for
from tests.integration.email.test_intake import deep_mail
from tests.integration.email_providers.conftest import (
    MANDRILL_KEY,
    MANDRILL_URL,
    POSTMARK_AUTH,
    FakeService,
    mailgun_now,
    post,
)
from tests.unit.email_providers.helpers import capture, with_body

pytestmark = pytest.mark.integration


def requests() -> dict[str, HttpRequest]:
    return {
        "mailgun": mailgun_now("parsed"),
        "postmark": capture("postmark", "parsed"),
        "sendgrid": capture("sendgrid", "parsed"),
        "mandrill": capture("mandrill", "single"),
        "cloudmailin": capture("cloudmailin", "json"),
    }


@pytest.fixture
async def service(fake_providers: FakeService) -> AsyncIterator[FakeService]:
    fake_providers.publisher.down = False
    yield fake_providers
    fake_providers.publisher.down = False


def messages(published: list[tuple[str, events.Event]]) -> list[events.MessageReceived]:
    return [e for _, e in published if isinstance(e, events.MessageReceived)]


def published(service: FakeService) -> int:
    return len(service.publisher.published) + len(service.publisher.letters)


@pytest.mark.parametrize("provider", list(requests()))
async def test_kafka_down_is_503_and_nothing_is_published(
    service: FakeService, provider: str
) -> None:
    service.publisher.down = True
    before = published(service)
    resp = await post(service.url, requests()[provider])
    assert resp.status_code == 503 and resp.json()["error"] == "kafka_unavailable"
    assert published(service) == before
    service.publisher.down = False
    resp = await post(service.url, requests()[provider])  # the provider's retry
    assert resp.status_code == 200 and published(service) > before


@pytest.mark.parametrize("provider", list(requests()))
async def test_oversize_is_413(service: FakeService, provider: str) -> None:
    req = requests()[provider]
    big = with_body(req, req.body + b" " * (SMTP_MAX + 1))
    before = published(service)
    resp = await post(service.url, big)
    assert resp.status_code == 413 and published(service) == before


@pytest.mark.parametrize("provider", ["postmark", "sendgrid", "cloudmailin"])
async def test_authenticated_garbage_is_400(service: FakeService, provider: str) -> None:
    before = published(service)
    resp = await post(service.url, with_body(requests()[provider], b"{not a mail"))
    assert resp.status_code == 400 and resp.json()["error"] == "malformed"
    assert published(service) == before


async def test_unconfigured_providers_are_not_mounted() -> None:
    app = create_app(settings_for(NO_BROKER, "t"), workers=[], publisher=MemoryPublisher())
    async with serve_app(app) as url, httpx.AsyncClient() as client:
        for provider, req in requests().items():
            resp = await client.post(url + req.path, content=req.body, headers=req.headers)
            assert resp.status_code == 404, provider


async def test_a_batch_with_poison_publishes_the_rest_and_dead_letters_the_poison(
    service: FakeService,
) -> None:
    good = {
        "event": "inbound",
        "msg": {"raw_msg": mail("<batch-good@example.test>").decode(), "email": "a@acme.test"},
    }
    bad = {"event": "inbound", "msg": {"raw_msg": deep_mail().decode(), "email": "a@acme.test"}}
    params = {"mandrill_events": json.dumps([good, bad])}
    body = urlencode(params).encode()
    sig = mandrill_verify.sign(MANDRILL_KEY.encode(), MANDRILL_URL, list(params.items()))
    headers = {"content-type": "application/x-www-form-urlencoded", "x-mandrill-signature": sig}
    req = HttpRequest("POST", MANDRILL_URL, headers, body)
    letters = len(service.publisher.letters)
    resp = await post(service.url, req)
    assert resp.status_code == 200 and resp.json()["status"] == "partial"
    assert resp.json()["dead_lettered"] == ["mime_too_deep"]
    ids = [e.provider_message_id for e in messages(service.publisher.published)]
    assert "<batch-good@example.test>" in ids
    [letter] = service.publisher.letters[letters:]
    assert letter.value == deep_mail() and letter.reason == "mime_too_deep"


async def test_the_provider_account_picks_the_tenant() -> None:
    settings = settings_for(
        NO_BROKER,
        "hotline.inbound.email",
        tenants={"email:parse@beta.test": "beta"},
        postmark=PostmarkSettings(
            basic_auth=[SecretStr(POSTMARK_AUTH)], account_id="parse@beta.test"
        ),
    )
    publisher = MemoryPublisher()
    app = create_app(settings, workers=[], publisher=publisher)
    async with serve_app(app) as url:
        resp = await post(url, capture("postmark", "parsed"))
    assert resp.status_code == 200
    [e] = messages(publisher.published)
    assert (e.tenant, e.channel.account_id) == ("beta", "parse@beta.test")
