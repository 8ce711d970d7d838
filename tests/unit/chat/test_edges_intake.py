"""Every chat edge through the one shared intake, on the in-memory publisher: Slack Events over
HTTP (correctly signed requests, through the app as ``create_app`` wires it), Slack Socket Mode
envelopes (the runner the app starts) and the widget's socket frames. Each proves: published
once however often the sender retries, no acknowledgement and nothing published while the
broker is down (and published once it is back), poison dead-lettered with its bytes and reason.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

import pytest
from pydantic import SecretStr

from chat_gateway.slack.socket_mode import SocketModeRunner, runners_for
from hotline import events as ev
from hotline.intake import MemoryPublisher
from hotline.topics import INBOUND_CHAT, dead_letter_for
from tests.unit.chat.gateway import AppSocket, app_on, client, unit_settings
from tests.unit.chat.slack_fixtures import TEAM, load, signed_headers

DLQ = dead_letter_for(INBOUND_CHAT)
RETRY = {"x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout"}
POISON = load("message").replace(b'"ts": "1764012000.000100"', b'"ts": "half past nine"')


async def post(fake: MemoryPublisher, body: bytes, **extra: str) -> tuple[int, dict[str, object]]:
    headers = {**signed_headers(body, int(time.time())), **extra}
    async with client(app_on(fake)) as http:
        response = await http.post("/slack/events", content=body, headers=headers)
    return response.status_code, response.json()


def ids(published: Sequence[tuple[str, ev.Event]]) -> list[tuple[str, str]]:
    return [(topic, str(getattr(e, "provider_message_id", ""))) for topic, e in published]


# Slack Events API over HTTP


@pytest.fixture
def fake() -> MemoryPublisher:
    return MemoryPublisher()


async def test_http_a_slack_retry_is_published_once(fake: MemoryPublisher) -> None:
    app = app_on(fake)
    body = load("thread_reply")
    async with client(app) as http:
        first = await http.post("/slack/events", content=body, headers=signed(body))
        retry = await http.post("/slack/events", content=body, headers={**signed(body), **RETRY})
    assert (first.status_code, first.json()) == (200, {"ok": True, "produced": 1})
    assert (retry.status_code, retry.json()) == (200, {"ok": True, "produced": 0})
    assert ids(fake.published) == [(INBOUND_CHAT, "C0SUPPORT:1764012060.000200")]


def signed(body: bytes) -> dict[str, str]:
    return signed_headers(body, int(time.time()))


async def test_http_broker_down_is_503_with_nothing_published(fake: MemoryPublisher) -> None:
    app = app_on(fake)
    body = load("message")
    fake.down = True
    async with client(app) as http:
        refused = await http.post("/slack/events", content=body, headers=signed(body))
        assert refused.status_code == 503
        assert refused.json()["error"] == "kafka_unavailable"
        assert fake.published == [] and fake.letters == [] and fake.calls == 1
        fake.down = False  # Slack retries: this time it is published, once
        retried = await http.post("/slack/events", content=body, headers={**signed(body), **RETRY})
    assert retried.json() == {"ok": True, "produced": 1}
    assert ids(fake.published) == [(INBOUND_CHAT, "C0SUPPORT:1764012000.000100")]


async def test_http_poison_is_dead_lettered_with_its_bytes_and_reason(
    fake: MemoryPublisher,
) -> None:
    status, answer = await post(fake, POISON)
    assert (status, answer) == (200, {"ok": True, "dead_lettered": "bad_ts"})
    [letter] = fake.letters
    assert (letter.topic, letter.value, letter.reason) == (DLQ, POISON, "bad_ts")
    assert letter.headers["hotline.dlq.source_topic"] == b"http:/slack/events"
    assert b"half past nine" in letter.headers["hotline.dlq.error"]
    assert fake.published == []


async def test_http_poison_with_the_broker_down_is_503(fake: MemoryPublisher) -> None:
    fake.down = True
    status, answer = await post(fake, POISON)
    assert (status, answer["error"]) == (503, "kafka_unavailable")
    assert fake.letters == []


async def test_http_challenge_is_answered_without_the_broker(fake: MemoryPublisher) -> None:
    fake.down = True
    status, answer = await post(fake, load("url_verification"))
    challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    assert (status, answer) == (200, {"challenge": challenge})
    assert fake.calls == 0


# Slack Socket Mode


class SlackLink:
    """The runner the app starts in socket mode, fed envelopes; what it sent back to Slack."""

    def __init__(self, fake: MemoryPublisher) -> None:
        settings = unit_settings()
        settings.slack_mode = "socket"
        settings.slack_workspaces[TEAM] = settings.slack_workspaces[TEAM].model_copy(
            update={"app_token": SecretStr("xapp-hotline-1")}
        )
        self.app = app_on(fake, settings)
        state = self.app.state
        [self.runner] = runners_for(settings.slack_api_base, state.slack, state.intake)
        self.sent: list[str] = []

    async def push(self, envelope_id: str, payload: bytes, retry: int = 0) -> bool:
        """Deliver one envelope (the payload's bytes as they are); whether it was acked."""
        head = {"type": "events_api", "envelope_id": envelope_id, "retry_attempt": retry}
        envelope = json.dumps(head).encode()[:-1] + b', "payload": ' + payload + b"}"
        before = len(self.sent)
        assert await self.runner.on_frame(self.record, envelope)
        acks = [json.loads(s) for s in self.sent[before:]]
        assert acks in ([], [{"envelope_id": envelope_id}])
        return bool(acks)

    async def record(self, text: str) -> None:
        self.sent.append(text)


async def test_socket_mode_a_redelivery_is_published_once(fake: MemoryPublisher) -> None:
    slack = SlackLink(fake)
    assert isinstance(slack.runner, SocketModeRunner) and slack.runner.teams == [TEAM]
    assert await slack.push("env-1", load("message"))
    assert await slack.push("env-1", load("message"), retry=1)
    assert ids(fake.published) == [(INBOUND_CHAT, "C0SUPPORT:1764012000.000100")]


async def test_socket_mode_broker_down_is_not_acked(fake: MemoryPublisher) -> None:
    slack = SlackLink(fake)
    fake.down = True
    assert not await slack.push("env-1", load("message"))  # Slack redelivers it
    assert fake.published == []
    fake.down = False
    assert await slack.push("env-1", load("message"), retry=1)
    assert ids(fake.published) == [(INBOUND_CHAT, "C0SUPPORT:1764012000.000100")]


async def test_socket_mode_poison_is_dead_lettered_then_acked(fake: MemoryPublisher) -> None:
    slack = SlackLink(fake)
    fake.down = True
    assert not await slack.push("env-2", POISON)  # not even the dead letter was acked
    fake.down = False
    assert await slack.push("env-2", POISON, retry=1)
    [letter] = fake.letters  # the payload's bytes inside the envelope (the fixture's own end)
    assert (letter.topic, letter.value, letter.reason) == (DLQ, POISON.rstrip(), "bad_ts")
    assert letter.headers["hotline.dlq.source_topic"] == b"slack:socket_mode"
    assert fake.published == []


async def test_socket_mode_bad_payload_is_acked_and_changes_nothing(
    fake: MemoryPublisher,
) -> None:
    slack = SlackLink(fake)
    assert await slack.push("env-3", b'{"type": "event_callback", "team_id": "T0HOTLINE"}')
    other_team = load("message").replace(b'"team_id": "T0HOTLINE"', b'"team_id": "T0OTHER"')
    assert await slack.push("env-4", other_team)
    assert fake.calls == 0


# the widget's socket


async def test_widget_a_resend_after_reconnect_is_published_once(fake: MemoryPublisher) -> None:
    app = app_on(fake)
    ws = AppSocket(app)
    welcome = await ws.open()
    ack = await ws.message("c_1", "Is anyone there?")
    await ws.close()
    [(topic, event)] = fake.published
    assert ack == {"type": "ack", "client_id": "c_1", "event_id": event.event_id}
    assert topic == INBOUND_CHAT and ev.partition_key(event) == (
        f"widget:demo:{welcome['visitor_id']}".encode()
    )
    again = AppSocket(app)
    await again.open(visitor_id=welcome["visitor_id"], visitor_token=welcome["visitor_token"])
    assert await again.message("c_1", "Is anyone there?") == ack
    await again.close()
    assert len(fake.published) == 1


async def test_widget_broker_down_is_a_retry_frame_with_nothing_published(
    fake: MemoryPublisher,
) -> None:
    ws = AppSocket(app_on(fake))
    await ws.open()
    fake.down = True
    refused = await ws.message("c_1", "hello?")
    assert refused == {"type": "error", "error": "kafka_unavailable", "client_id": "c_1",
                       "retry": True}  # fmt: skip
    assert fake.published == []
    fake.down = False  # the browser resends the same client id
    acked = await ws.message("c_1", "hello?")
    await ws.close()
    assert acked["type"] == "ack" and len(fake.published) == 1


@pytest.mark.parametrize(
    "frame", ["{not json", b"\x00\xff", json.dumps({"type": "message", "client_id": "c1"})]
)
async def test_widget_has_no_poison_a_bad_frame_is_told_and_kept_nowhere(
    fake: MemoryPublisher, frame: str | bytes
) -> None:
    """The widget's input is refused to the browser that sent it, never dead-lettered."""
    ws = AppSocket(app_on(fake))
    await ws.open()
    assert (await ws.say(frame))["type"] == "error"
    await ws.close()
    assert fake.calls == 0


async def test_http_and_socket_mode_share_the_one_intake(fake: MemoryPublisher) -> None:
    """The same Slack event by both transports of one app (a workspace moving from HTTP to
    Socket Mode while Slack retries) is published once: ``create_app`` built one intake."""
    slack = SlackLink(fake)
    body = load("message")
    async with client(slack.app) as http:
        answer = await http.post("/slack/events", content=body, headers=signed(body))
    assert answer.json() == {"ok": True, "produced": 1}
    assert await slack.push("env-1", body, retry=1)
    assert len(fake.published) == 1 and fake.calls == 1
