"""Slack requests routed to channel accounts through the app's one registry
(``app.state.accounts``), on the in-memory publisher: two workspaces with their own signing
secrets and tenants, a rotated secret with both values valid, unknown and disabled teams
refused with 404 and nothing produced, the challenge answered only when one of our accounts
signed it, replies and Socket Mode reading the accounts as they are now."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Sequence

import msgspec
import pytest
from fastapi import FastAPI

from chat_gateway.replies.handlers import ReplyHandler
from chat_gateway.slack.accounts import SlackAccounts
from chat_gateway.slack.socket_mode import SocketModeFleet, runners_for
from chat_gateway.slack.verify import sign
from chat_gateway.widget.hub import Hub
from hotline import events as ev
from hotline.accounts import Account, AccountRegistry
from hotline.intake import MemoryPublisher
from tests.unit.chat.gateway import app_with, client, unit_settings
from tests.unit.chat.slack_fixtures import load
from tests.unit.chat.test_reply_handler import batch, request

ALPHA = Account(
    "slack",
    "T0ALPHA",
    "alpha",
    {
        "signing_secret": ("sig-alpha-new-0001", "sig-alpha-old-0001"),
        "bot_token": ("xoxb-alpha-new", "xoxb-alpha-old"),
        "app_token": ("xapp-alpha",),
    },
    {"bot_user_id": "U0ALPHABOT"},
    version=1,
)
ALPHA_NEW, ALPHA_OLD = ALPHA.secrets["signing_secret"]
BETA = Account("slack", "T0BETA", "beta", {"signing_secret": ("sig-beta-0001",)}, version=1)


def message(team: str, ts: str = "1764012000.000100") -> bytes:
    """The recorded message, sent by ``team`` (its envelope and its sender's home team)."""
    body = load("message").replace(b"T0HOTLINE", team.encode())
    return body.replace(b"1764012000.000100", ts.encode())


def headers(body: bytes, secret: str) -> dict[str, str]:
    ts = str(int(time.time()))
    return {"x-slack-request-timestamp": ts, "x-slack-signature": sign(secret, ts, body)}


@pytest.fixture
def fake() -> MemoryPublisher:
    return MemoryPublisher()


@pytest.fixture
def gw(fake: MemoryPublisher) -> FastAPI:
    return app_with(fake, ALPHA, BETA)


CASES = {  # name -> (team in the body, secret that signs, status, tenant of the event or None)
    "alpha, newest secret": ("T0ALPHA", "sig-alpha-new-0001", 200, "alpha"),
    "alpha, older secret (rotation)": ("T0ALPHA", "sig-alpha-old-0001", 200, "alpha"),
    "beta, its own secret": ("T0BETA", "sig-beta-0001", 200, "beta"),
    "environment workspace still served": ("T0HOTLINE", "sig-hotline-0123456789", 200, "acme"),
    "alpha signed with beta's secret": ("T0ALPHA", "sig-beta-0001", 401, None),
    "beta signed with alpha's secret": ("T0BETA", "sig-alpha-new-0001", 401, None),
    "alpha, a retired third secret": ("T0ALPHA", "sig-alpha-oldest-01", 401, None),
    "unknown team, our secret": ("T0NOBODY", "sig-alpha-new-0001", 404, None),
}


@pytest.mark.parametrize("name", list(CASES))
async def test_slack_request_routed_by_team(gw: FastAPI, fake: MemoryPublisher, name: str) -> None:
    team, secret, status, tenant = CASES[name]
    body = message(team)
    async with client(gw) as http:
        response = await http.post("/slack/events", content=body, headers=headers(body, secret))
    assert response.status_code == status, response.text
    assert [e.tenant for _, e in fake.published] == ([tenant] if tenant else [])
    assert fake.calls == (1 if tenant else 0)


async def test_both_rotation_values_are_valid_at_once(gw: FastAPI, fake: MemoryPublisher) -> None:
    new, old = message("T0ALPHA", "1764012000.000001"), message("T0ALPHA", "1764012000.000002")
    async with client(gw) as http:
        one = await http.post("/slack/events", content=new, headers=headers(new, ALPHA_NEW))
        two = await http.post("/slack/events", content=old, headers=headers(old, ALPHA_OLD))
    assert (one.status_code, two.status_code) == (200, 200)
    assert [(e.tenant, e.channel.account_id) for _, e in fake.published] == [
        ("alpha", "T0ALPHA"),
        ("alpha", "T0ALPHA"),
    ]


async def test_disabled_or_dropped_team_is_404(gw: FastAPI, fake: MemoryPublisher) -> None:
    body = message("T0ALPHA")
    async with client(gw) as http:
        gw.state.accounts.put(dataclasses.replace(ALPHA, enabled=False, version=2))
        disabled = await http.post("/slack/events", content=body, headers=headers(body, ALPHA_NEW))
        gw.state.accounts.drop("slack", "T0BETA")
        beta = message("T0BETA")
        dropped = await http.post(
            "/slack/events", content=beta, headers=headers(beta, "sig-beta-0001")
        )
    assert (disabled.status_code, disabled.json()["error"]) == (404, "unknown_team")
    assert (dropped.status_code, dropped.json()["error"]) == (404, "unknown_team")
    assert fake.calls == 0


@pytest.mark.parametrize(
    ("secret", "status"),
    [(ALPHA_OLD, 200), ("sig-beta-0001", 200), ("sig-hotline-0123456789", 200), ("sig-x-01", 401)],
)
async def test_challenge_answered_when_one_of_our_accounts_signed_it(
    gw: FastAPI, fake: MemoryPublisher, secret: str, status: int
) -> None:
    body = load("url_verification")
    async with client(gw) as http:
        response = await http.post("/slack/events", content=body, headers=headers(body, secret))
    assert response.status_code == status
    assert ("challenge" in response.json()) is (status == 200)
    assert fake.calls == 0


class TokenSlack:
    def __init__(self) -> None:
        self.tokens: list[str] = []

    async def post_message(
        self,
        token: str,
        channel: str,
        text: str,
        thread_ts: str | None,
        blocks: list[dict[str, object]] | None = None,
    ) -> str:
        self.tokens.append(token)
        return "1.1"


async def test_replies_use_the_newest_bot_token_of_the_account_now() -> None:
    registry = AccountRegistry()
    registry.put(ALPHA)
    slack, results = TokenSlack(), list[ev.Event]()

    async def publish(events: Sequence[ev.Event]) -> None:
        results.extend(events)

    accounts = SlackAccounts(registry)
    handler = ReplyHandler(slack, accounts.bot_tokens, Hub(), publish)  # type: ignore[arg-type]
    to_alpha = msgspec.structs.replace(
        request("r1", "hi"), channel=ev.ChannelRef(kind="slack", account_id="T0ALPHA")
    )
    await handler(batch(to_alpha))
    rotated = {**ALPHA.secrets, "bot_token": ("xoxb-alpha-newer", "xoxb-alpha-new")}
    registry.put(dataclasses.replace(ALPHA, secrets=rotated, version=2))
    await handler(batch(msgspec.structs.replace(to_alpha, reply_id="r2")))
    registry.drop("slack", "T0ALPHA")
    await handler(batch(msgspec.structs.replace(to_alpha, reply_id="r3")))
    assert slack.tokens == ["xoxb-alpha-new", "xoxb-alpha-newer"]
    assert [r.status for r in results if isinstance(r, ev.ReplyResult)] == [
        "sent",
        "sent",
        "failed",
    ]


def test_socket_mode_serves_the_teams_of_each_app_token_now(gw: FastAPI) -> None:
    [runner] = runners_for(unit_settings().slack_api_base, gw.state.slack, gw.state.intake)
    assert (runner.app_token, runner.teams) == ("xapp-alpha", ["T0ALPHA"])
    shares_the_app = dataclasses.replace(BETA, secrets={"app_token": ("xapp-alpha",)}, version=2)
    gw.state.accounts.put(shares_the_app)
    assert runner.teams == ["T0ALPHA", "T0BETA"]
    gw.state.accounts.drop("slack", "T0ALPHA")
    assert runner.teams == ["T0BETA"]


async def test_socket_mode_connections_follow_the_accounts(gw: FastAPI) -> None:
    """A new app token opens its connection, a rotated one replaces the old, a token no
    account has any more is closed (the runners dial nowhere here: they only retry)."""
    fleet = SocketModeFleet("http://127.0.0.1:9/api/", gw.state.slack, gw.state.intake)
    fleet.follow(gw.state.accounts)
    first = fleet.tasks["xapp-alpha"]
    gw.state.accounts.put(
        dataclasses.replace(BETA, secrets={"app_token": ("xapp-beta",)}, version=2)
    )
    assert fleet.tasks.keys() == {"xapp-alpha", "xapp-beta"}
    rotated = {**ALPHA.secrets, "app_token": ("xapp-alpha-2", "xapp-alpha")}
    gw.state.accounts.put(dataclasses.replace(ALPHA, secrets=rotated, version=2))
    gw.state.accounts.drop("slack", "T0BETA")
    assert fleet.tasks.keys() == {"xapp-alpha-2"}
    await asyncio.wait([first], timeout=5)
    assert first.cancelled()
    running = list(fleet.tasks.values())
    await fleet.stop()
    assert fleet.tasks == {} and all(task.cancelled() for task in running)
