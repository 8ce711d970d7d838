"""Slack survey buttons: Block Kit rendering, and POST /slack/interactions (signed like the
Events API) turning a tap on one of our buttons into a message; anything else publishes nothing."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

import pytest

from chat_gateway.slack.interactions import blocks_of
from hotline import events as ev
from hotline.intake import MemoryPublisher
from tests.unit.chat.gateway import app_on, client
from tests.unit.chat.slack_fixtures import load, signed_headers

SURVEY = ev.SurveyAsk(
    survey_id="sv1",
    question="How did we do?",
    scale=2,
    choices=[
        ev.SurveyChoice(reply_id="csat:sv1:1", title="👎 Not good"),
        ev.SurveyChoice(reply_id="csat:sv1:2", title="👍 Good"),
    ],
)


def test_a_survey_is_a_section_and_an_actions_block_of_buttons() -> None:
    assert blocks_of(SURVEY, "How did we do?") == [
        {"type": "section", "text": {"type": "mrkdwn", "text": "How did we do?"}},
        {
            "type": "actions",
            "block_id": "csat:sv1",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": t, "emoji": True},
                    "value": f"csat:sv1:{n}",
                    "action_id": f"csat:sv1:{n}",
                }
                for n, t in ((1, "👎 Not good"), (2, "👍 Good"))
            ],
        },
    ]


def form(payload: dict[str, Any]) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def headers(body: bytes, secret: str | None = None) -> dict[str, str]:
    h = signed_headers(body, int(time.time()), secret or "sig-hotline-0123456789")
    return h | {"content-type": "application/x-www-form-urlencoded"}


async def test_a_tap_on_our_survey_button_is_an_interactive_answer() -> None:
    fake = MemoryPublisher()
    body = form(json.loads(load("block_actions")))
    async with client(app_on(fake)) as http:
        res = await http.post("/slack/interactions", content=body, headers=headers(body))
        again = await http.post("/slack/interactions", content=body, headers=headers(body))
    assert (res.status_code, again.status_code) == (200, 200)
    [(_, first)] = fake.published  # Slack's retry is the same event, published once
    assert isinstance(first, ev.MessageReceived) and first.tenant == "acme"
    assert first.content == ev.InteractiveContent(
        reply_id="csat:0b7e9d4c-3a51-5f7c-8e2d-6a9b1c4f3e20:4", title="4 ★ Good"
    )
    assert first.sender.handle == "D0ANA"  # the DM channel our survey went to
    assert first.channel == ev.ChannelRef(kind="slack", account_id="T0HOTLINE")
    assert [i.value for i in first.sender.identifiers] == ["T0HOTLINE:U0CUSTOMER"]


def _other_button() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(load("block_actions"))
    doc["actions"][0]["value"] = "approve_refund"
    return doc


@pytest.mark.parametrize(
    ("body", "secret", "status"),
    [
        (form(json.loads(load("block_actions"))), "sig-other-9876543210", 401),
        (form(json.loads(load("block_actions")) | {"team": {"id": "T0NOBODY"}}), None, 404),
        (b"payload=%7Bnot-json", None, 400),
        (b"nothing=here", None, 400),
        (form({"type": "block_actions", "team": {"id": "T0HOTLINE"}}), None, 422),
        (form(_other_button()), None, 200),
        (form({"type": "view_submission", "team": {"id": "T0HOTLINE"}}), None, 200),
    ],
)
async def test_other_input_publishes_nothing(body: bytes, secret: str | None, status: int) -> None:
    fake = MemoryPublisher()
    async with client(app_on(fake)) as http:
        res = await http.post("/slack/interactions", content=body, headers=headers(body, secret))
    assert res.status_code == status, res.text
    assert fake.published == []
