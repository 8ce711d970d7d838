"""Mandrill through the real HTTP edge and the real broker: one POST of three mails gives three
events, all acked before the 200; a bad signature is 401 and nothing is produced."""

from __future__ import annotations

import httpx
import pytest

from hotline import events
from tests.integration.email_providers.conftest import Service, messages, post, produced
from tests.unit.email_providers.helpers import capture, with_headers

pytestmark = pytest.mark.integration
IDS = ["<md-1@mail.example.com>", "<md-2@mail.example.com>", "<md-3@mail.example.com>"]


async def test_one_post_with_three_mails_gives_three_events(
    kafka: str, providers_service: Service
) -> None:
    for _ in range(2):  # a retried batch adds nothing
        resp = await post(providers_service.url, capture("mandrill", "batch"))
        assert resp.status_code == 200, resp.text
        assert len(resp.json()["event_ids"]) == 3
    found = [
        e for e in await messages(kafka, providers_service.topic) if e.provider_message_id in IDS
    ]
    assert sorted(e.provider_message_id for e in found) == IDS
    spam = {e.provider_message_id: e.flags.provider_spam for e in found}
    assert spam == {IDS[0]: False, IDS[1]: True, IDS[2]: False}
    assert all(isinstance(e, events.MessageReceived) and e.tenant == "acme" for e in found)


async def test_mandrill_checks_the_url_with_head(providers_service: Service) -> None:
    async with httpx.AsyncClient() as client:
        resp = await client.head(providers_service.url + "/inbound/email/mandrill")
    assert resp.status_code == 200


@pytest.mark.parametrize("signature", [None, "AAAAAAAAAAAAAAAAAAAAAAAAAAA="])
async def test_a_bad_signature_is_401_and_nothing_is_produced(
    kafka: str, providers_service: Service, signature: str | None
) -> None:
    before = await produced(kafka, providers_service.topic)
    req = with_headers(capture("mandrill", "single"), x_mandrill_signature=signature)
    resp = await post(providers_service.url, req)
    assert resp.status_code == 401
    assert await produced(kafka, providers_service.topic) == before
