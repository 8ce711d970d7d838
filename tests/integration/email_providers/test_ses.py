"""Amazon SES through SNS, end to end: a local HTTP server stands in for SNS (it serves the
signing certificate we generated and records subscription confirmations); notifications are
signed for it at test time and posted to the real edge, which publishes to the real broker."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse

from hotline.capture import HttpRequest
from tests.fixtures.email_providers.gen.ses import (
    notification,
    received,
    sign_message,
    subscription,
)
from tests.http_helpers import serve_app
from tests.integration.email_providers.conftest import (
    FakeService,
    Service,
    post,
    produced,
    with_message_id,
)
from tests.unit.email_providers.helpers import FIXTURES, capture

pytestmark = pytest.mark.integration
KEY = (FIXTURES / "ses" / "signing-key.pem").read_bytes()
CERT = (FIXTURES / "ses" / "signing-cert.pem").read_bytes()


@dataclass
class FakeSns:
    url: str
    confirmed: list[str] = field(default_factory=list)
    cert_fetches: int = 0


@pytest.fixture(scope="module")
async def sns() -> AsyncIterator[FakeSns]:
    app = FastAPI()
    state = FakeSns("")

    @app.get("/certs/{name}")
    async def cert(name: str) -> PlainTextResponse:
        state.cert_fetches += 1
        if name != "SimpleNotificationService-test.pem":
            return PlainTextResponse("no such certificate", status_code=404)
        return PlainTextResponse(CERT.decode())

    @app.get("/confirm")
    async def confirm(request: Request) -> PlainTextResponse:
        state.confirmed.append(request.query_params["Token"])
        return PlainTextResponse("<ConfirmSubscriptionResponse/>")

    async with serve_app(app) as url:
        state.url = url
        yield state


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def signed(doc: dict[str, str]) -> HttpRequest:
    template = capture("ses", "notification_utf8")
    body = json.dumps(sign_message(doc, KEY)).encode()
    return HttpRequest("POST", template.url, dict(template.headers), body)


def mail(
    sns: FakeSns, mid: str, cert: str = "SimpleNotificationService-test.pem"
) -> dict[str, str]:
    message = received(mid, "BASE64", "PASS")
    return notification(message, "msg-" + mid, "2", now(), f"{sns.url}/certs/{cert}")


async def test_a_notification_is_published_once(
    kafka: str, providers_service: Service, sns: FakeSns
) -> None:
    req = signed(mail(sns, "ses-int-1@mail.example.es"))
    for _ in range(2):  # SNS retries until it gets a 2xx
        resp = await post(providers_service.url, req)
        assert resp.status_code == 200, resp.text
    [e] = await with_message_id(kafka, providers_service.topic, "<ses-int-1@mail.example.es>")
    assert e.tenant == "acme" and e.sender.identifiers[0].value == "maria.garcia@example.es"
    assert sns.cert_fetches >= 1


async def test_a_subscription_is_confirmed_by_visiting_the_subscribe_url(
    providers_service: Service, sns: FakeSns
) -> None:
    token = "2336412f37fb687f5d51e6e2425dacbba9f8c3a7e0d1b2c3"
    url = f"{sns.url}/confirm?Action=ConfirmSubscription&Token={token}"
    doc = subscription(now(), f"{sns.url}/certs/SimpleNotificationService-test.pem", url)
    resp = await post(providers_service.url, signed(doc))
    assert resp.status_code == 200 and resp.json()["status"] == "subscription_confirmed"
    assert sns.confirmed == [token]


async def test_a_bad_signature_is_401_and_nothing_is_produced(
    kafka: str, providers_service: Service, sns: FakeSns
) -> None:
    before = await produced(kafka, providers_service.topic)
    doc = sign_message(mail(sns, "ses-forged@mail.example.es"), KEY)
    forged = {**doc, "Message": received("ses-other@mail.example.es", "UTF8", "PASS")}
    template = capture("ses", "notification_utf8")
    req = HttpRequest("POST", template.url, dict(template.headers), json.dumps(forged).encode())
    resp = await post(providers_service.url, req)
    assert resp.status_code == 401 and resp.json()["error"] == "bad_signature"
    resp = await post(providers_service.url, capture("ses", "notification_utf8"))  # a real
    assert resp.status_code == 401  # SNS certificate URL is not the one this service trusts
    assert await produced(kafka, providers_service.topic) == before


async def test_an_unreachable_certificate_is_503(providers_service: Service, sns: FakeSns) -> None:
    req = signed(mail(sns, "ses-nocert@mail.example.es", cert="missing.pem"))
    resp = await post(providers_service.url, req)
    assert resp.status_code == 503 and resp.json()["error"] == "certificate_unavailable"


async def test_kafka_down_is_503_and_nothing_is_published(
    fake_providers: FakeService, sns: FakeSns
) -> None:
    req = signed(mail(sns, "ses-down@mail.example.es"))
    fake_providers.publisher.down = True
    try:
        before = len(fake_providers.publisher.published)
        resp = await post(fake_providers.url, req)
        assert resp.status_code == 503 and resp.json()["error"] == "kafka_unavailable"
        assert len(fake_providers.publisher.published) == before
    finally:
        fake_providers.publisher.down = False
    assert (await post(fake_providers.url, req)).status_code == 200  # SNS's retry
