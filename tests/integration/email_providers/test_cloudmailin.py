"""CloudMailin through the real HTTP edge and the real broker."""

from __future__ import annotations

import pytest

from email_ingest.providers.basic_auth import basic_header
from tests.integration.email_providers.conftest import Service, post, produced, with_message_id
from tests.unit.email_providers.helpers import capture, with_headers

pytestmark = pytest.mark.integration


async def test_a_post_is_published_once(kafka: str, providers_service: Service) -> None:
    for _ in range(2):  # CloudMailin retries until it gets a 200
        resp = await post(providers_service.url, capture("cloudmailin", "json"))
        assert resp.status_code == 200, resp.text
    mid = "<cm-json-1@mail.example.cn>"
    [e] = await with_message_id(kafka, providers_service.topic, mid)
    assert resp.json()["event_ids"] == [e.event_id]
    assert [a.filename for a in e.attachments] == ["order.txt"]


@pytest.mark.parametrize("authorization", [None, basic_header("cloudmailin:not-the-password-9")])
async def test_bad_credentials_are_401_and_nothing_is_produced(
    kafka: str, providers_service: Service, authorization: str | None
) -> None:
    before = await produced(kafka, providers_service.topic)
    req = with_headers(capture("cloudmailin", "raw"), authorization=authorization)
    resp = await post(providers_service.url, req)
    assert resp.status_code == 401
    assert await produced(kafka, providers_service.topic) == before
