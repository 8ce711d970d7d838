"""POST /slack/events through the app on the in-memory publisher: the URL verification
challenge is echoed without touching the broker; the workspace settings feed the pure layer."""

from __future__ import annotations

import time

from chat_gateway.accounts import registry_for
from chat_gateway.slack.accounts import SlackAccounts
from chat_gateway.slack.pipeline import Workspace
from hotline.intake import MemoryPublisher
from tests.unit.chat.gateway import app_on, client, unit_settings
from tests.unit.chat.slack_fixtures import load, signed_headers


async def test_url_verification_echoes_the_challenge() -> None:
    fake = MemoryPublisher()
    body = load("url_verification")
    async with client(app_on(fake)) as http:
        response = await http.post(
            "/slack/events", content=body, headers=signed_headers(body, int(time.time()))
        )
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}
    assert fake.calls == 0


def test_workspace_settings_feed_the_pure_layer() -> None:
    ws = SlackAccounts(registry_for(unit_settings()))
    assert ws["T0HOTLINE"] == Workspace(
        ("sig-hotline-0123456789",), "U0BOT", "A0HOTLINE", tenant="acme", trusted=True
    )
    assert ws["T0OTHER"].tenant == "default" and not ws["T0OTHER"].trusted
