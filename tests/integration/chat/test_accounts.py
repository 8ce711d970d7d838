"""Channel accounts on the running gateway and the real broker: two Slack workspaces and two
widget sites at once (put into ``app.state.accounts`` as the feed does), a workspace's signing
secret rotated while both workspaces send, a site added while the gateway runs; every accepted
message is on the broker once with its account's tenant, and what no account takes (an unknown
team, a retired secret, a removed site) produces nothing."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from websockets.asyncio.client import connect

from chat_gateway.slack.verify import sign
from hotline import events as ev
from hotline.accounts import Account
from tests.integration.chat.harness import Offsets, gateway_app, produced, read_new
from tests.unit.chat.gateway import settings_for
from tests.unit.chat.slack_fixtures import load

pytestmark = pytest.mark.integration
A1, A2, B1 = "sig-alpha-one-0001", "sig-alpha-two-0002", "sig-beta-one-0001"
ALPHA = Account("slack", "T0ALPHA", "alpha", {"signing_secret": (A1,)}, version=1)
BETA = Account("slack", "T0BETA", "beta", {"signing_secret": (B1,)}, version=1)
NORTH = Account("widget", "north", "north-co", {"site_secret": ("north-secret-0001",)}, version=1)
SOUTH = Account("widget", "south", "south-co", {"site_secret": ("south-secret-0001",)}, version=1)


@pytest.fixture(scope="module")
async def running(kafka: str) -> AsyncIterator[tuple[str, FastAPI]]:
    async with gateway_app(settings_for(kafka)) as (url, app):
        for account in (ALPHA, BETA, NORTH, SOUTH):
            app.state.accounts.put(account)
        yield url, app


def message(team: str, n: int) -> bytes:
    body = load("message").replace(b"T0HOTLINE", team.encode())
    return body.replace(b"1764012000.000100", f"{int(time.time())}.{n:06d}".encode())


async def post(http: httpx.AsyncClient, url: str, body: bytes, secret: str) -> int:
    ts = str(int(time.time()))
    headers = {"x-slack-request-timestamp": ts, "x-slack-signature": sign(secret, ts, body)}
    return (await http.post(f"{url}/slack/events", content=body, headers=headers)).status_code


async def test_two_workspaces_while_one_rotates_its_secret(
    running: tuple[str, FastAPI], offsets: Offsets, kafka: str
) -> None:
    url, app = running
    accounts = app.state.accounts

    async def alpha(http: httpx.AsyncClient) -> list[int]:
        answers = []
        for n in range(10):
            if n == 4:  # the new value joins; requests still signed with the old one count
                accounts.put(
                    dataclasses.replace(ALPHA, secrets={"signing_secret": (A2, A1)}, version=2)
                )
            answers.append(await post(http, url, message("T0ALPHA", n), A1 if n < 7 else A2))
        return answers

    async def beta(http: httpx.AsyncClient) -> list[int]:
        return [await post(http, url, message("T0BETA", 100 + n), B1) for n in range(10)]

    before = await offsets.now()
    async with httpx.AsyncClient() as http:
        sent = await asyncio.gather(alpha(http), beta(http))
        accounts.put(dataclasses.replace(ALPHA, secrets={"signing_secret": (A2,)}, version=3))
        retired = await post(http, url, message("T0ALPHA", 50), A1)
        unknown = await post(http, url, message("T0NOBODY", 51), A1)
    after = await offsets.now()
    assert list(sent) == [[200] * 10, [200] * 10] and (retired, unknown) == (401, 404)
    records = await read_new(kafka, before, after)
    tenants = sorted(ev.decode(r.value).tenant for r in records)
    assert tenants == ["alpha"] * 10 + ["beta"] * 10


async def hello(url: str, site: str) -> tuple[Any, dict[str, Any]]:
    ws = await connect(url.replace("http", "ws") + "/chat/ws")
    await ws.send(json.dumps({"type": "hello", "site": site}))
    return ws, json.loads(await ws.recv())


async def say(ws: Any, text: str) -> dict[str, Any]:
    await ws.send(json.dumps({"type": "message", "client_id": "c1", "text": text}))
    frame: dict[str, Any] = json.loads(await ws.recv())
    return frame


async def test_two_sites_and_one_added_while_running(
    running: tuple[str, FastAPI], offsets: Offsets, kafka: str
) -> None:
    url, app = running
    before = await offsets.now()
    north, _ = await hello(url, "north")
    south, _ = await hello(url, "south")
    _, refused = await hello(url, "late")
    app.state.accounts.put(
        Account("widget", "late", "late-co", {"site_secret": ("l-0001",)}, version=1)
    )
    late, welcome = await hello(url, "late")
    acks = [await say(ws, "hello") for ws in (north, south, late)]
    app.state.accounts.drop("widget", "south")
    gone = await say(south, "still there?")
    after = await offsets.now()
    for ws in (north, south, late):
        await ws.close()
    assert (refused["error"], welcome["type"], gone["error"]) == (
        "unknown_site",
        "welcome",
        "unknown_site",
    )
    assert [a["type"] for a in acks] == ["ack"] * 3
    records = await read_new(kafka, before, after)
    assert sorted(ev.decode(r.value).tenant for r in records) == ["late-co", "north-co", "south-co"]
    assert produced(before, after) == 3
