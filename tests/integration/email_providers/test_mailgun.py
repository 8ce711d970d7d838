"""Mailgun through the real HTTP edge and the real broker."""

from __future__ import annotations

import time

import pytest

from tests.integration.email_providers.conftest import (
    Service,
    mailgun_now,
    messages,
    post,
    produced,
)

pytestmark = pytest.mark.integration


async def test_a_post_is_published_once(kafka: str, providers_service: Service) -> None:
    req = mailgun_now("parsed")
    for _ in range(2):  # Mailgun retries until it gets a 200
        resp = await post(providers_service.url, req)
        assert resp.status_code == 200, resp.text
    found = [
        e for e in await messages(kafka, providers_service.topic)
        if e.provider_message_id == "<CAF=mg-parsed-1@mail.example.com>"
    ]  # fmt: skip
    assert len(found) == 1
    assert resp.json()["event_ids"] == [found[0].event_id]
    assert found[0].tenant == "acme" and not found[0].flags.provider_spam


async def test_raw_mime_route(kafka: str, providers_service: Service) -> None:
    resp = await post(providers_service.url, mailgun_now("raw_mime"))
    assert resp.status_code == 200, resp.text
    [e] = [
        e for e in await messages(kafka, providers_service.topic)
        if e.provider_message_id == "<mg-raw-1@mail.example.org>"
    ]  # fmt: skip
    assert e.thread.in_reply_to == ["<reply-7@hotline.localhost>"]


@pytest.mark.parametrize("key", ["not-the-mailgun-signing-key-0003"])
async def test_a_bad_signature_is_401_and_nothing_is_produced(
    kafka: str, providers_service: Service, key: str
) -> None:
    before = await produced(kafka, providers_service.topic)
    resp = await post(providers_service.url, mailgun_now("spam", key=key))
    assert resp.status_code == 401 and resp.json()["error"] == "bad_signature"
    resp = await post(providers_service.url, mailgun_now("spam", at=time.time() - 3600))
    assert resp.status_code == 401 and resp.json()["error"] == "stale_timestamp"
    assert await produced(kafka, providers_service.topic) == before
