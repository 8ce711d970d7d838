"""Twilio's tenant through the real edge, in process on the intake's in-memory publisher:
our number's tenant (``HOTLINE_TENANTS``), and national From numbers read in
``HOTLINE_DEFAULT_REGION``."""

from __future__ import annotations

import json
import uuid
from urllib.parse import parse_qsl, urlencode

import pytest

from hotline import events as ev
from hotline.topics import INBOUND_SOCIAL
from tests.unit.social.edges import in_process
from tests.unit.social.helpers import FIXTURES
from tests.unit.social.providers import twilio_signer


async def test_sms_tenant_is_our_numbers_and_a_national_from_is_read_in_the_region(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOTLINE_TENANTS", json.dumps({"sms:+15005550006": "acme"}))
    sid = f"SM{uuid.uuid4().hex}"
    pairs = dict(parse_qsl((FIXTURES / "twilio" / "national_number.form").read_text()))
    body = urlencode({**pairs, "MessageSid": sid}).encode()  # From=4155552671, no country code
    async with in_process(default_tenant="default", default_region="US") as social:
        assert social.settings.tenancy().tenant_for("sms", "+15005550006") == "acme"
        headers = twilio_signer(social.settings.twilio_webhook_url)(body)
        r = await social.client.post("/webhooks/sms", content=body, headers=headers)
        assert r.status_code == 200, r.text
    (event,) = [
        e
        for e in social.fake.events_on(INBOUND_SOCIAL)
        if isinstance(e, ev.MessageReceived) and e.provider_message_id == sid
    ]
    assert event.tenant == "acme" and event.channel.account_id == "+15005550006"
    assert event.event_id == ev.event_id_for("acme", "sms", sid, "message")
    phone = event.sender.identifiers[0]  # not +41 55 555 26 71 (Switzerland) as before
    assert (phone.value, phone.level, phone.verified) == ("+14155552671", "carrier_asserted", False)
    assert event.conversation_key == "acme/sms/+15005550006/+14155552671"
