"""Slack senders' profiles through the real Events edge (signed requests) and the real broker;
users.info is answered by a local server replaying recorded Slack responses
(tests/fixtures/chat/slack_api), reached by slack_sdk through ``HOTLINE_SLACK_API_BASE``."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from hotline import events as ev
from tests.integration.chat.harness import Offsets, gateway, read_new, serve
from tests.unit.chat.gateway import settings_for
from tests.unit.chat.slack_fixtures import load, signed_headers

pytestmark = pytest.mark.integration
API = Path(__file__).resolve().parents[2] / "fixtures" / "chat" / "slack_api"
TOKENS = {"Bearer xoxb-hotline-1", "Bearer xoxb-other-2"}
SLOW_S = 2.0
_ts = itertools.count(int(time.time()) * 1000)


def users_info_server(calls: Counter[str]) -> FastAPI:
    """users.info as Slack answers it: recorded users, ``user_not_found`` for anyone else,
    plus two users standing for an outage (HTTP 500) and a hung API (answers too late)."""
    app = FastAPI()

    @app.api_route("/api/users.info", methods=["GET", "POST"])  # Slack takes both
    async def users_info(request: Request) -> Response:
        form = parse_qs((await request.body()).decode())
        user = request.query_params.get("user") or form.get("user", [""])[0]
        calls[user] += 1
        if request.headers.get("authorization") not in TOKENS:
            return Response(
                b'{"ok": false, "error": "invalid_auth"}', media_type="application/json"
            )
        if user == "U0BROKEN":
            return Response(b"<html>upstream error</html>", status_code=500)
        if user == "U0SLOW":
            await asyncio.sleep(SLOW_S)
        recorded = API / f"users.info.{user}.json"
        if not recorded.exists():
            recorded = API / "users.info.user_not_found.json"
        return Response(recorded.read_bytes(), media_type="application/json")

    return app


@pytest.fixture(scope="module")
def calls() -> Counter[str]:
    return Counter()


@pytest.fixture(scope="module")
async def gw_profiles(kafka: str, calls: Counter[str]) -> AsyncIterator[str]:
    async with serve(users_info_server(calls)) as api:
        settings = settings_for(kafka, slack_api=f"{api}/api/")
        settings.slack_profile_timeout = 0.5
        async with gateway(settings) as url:
            yield url


def message(user: str, team: str = "T0HOTLINE") -> bytes:
    doc = json.loads(load("message"))
    doc["team_id"] = doc["event"]["team"] = team
    doc["event"]["user"] = user
    doc["event"]["ts"] = doc["event"]["event_ts"] = f"{next(_ts) / 1000:.6f}"
    return json.dumps(doc).encode()


async def post(url: str, body: bytes, secret: str = "sig-hotline-0123456789") -> httpx.Response:
    headers = signed_headers(body, int(time.time()), secret)
    async with httpx.AsyncClient() as client:
        return await client.post(f"{url}/slack/events", content=body, headers=headers)


async def ingest(url: str, offsets: Offsets, kafka: str, body: bytes, **kw: str) -> ev.Event:
    before = await offsets.now()
    started = time.perf_counter()
    response = await post(url, body, **kw)
    assert time.perf_counter() - started < 3.0  # Slack's ack window, lookup included
    assert response.status_code == 200 and response.json() == {"ok": True, "produced": 1}
    [record] = await read_new(kafka, before, await offsets.now())
    return ev.decode(record.value)


Row = tuple[str, str, str, bool, str | None]


def who(e: ev.Event) -> tuple[str, str | None, set[Row]]:
    assert isinstance(e, ev.MessageReceived)
    idents: set[Row] = {
        (i.kind, i.value, i.source, i.verified, i.level) for i in e.sender.identifiers
    }
    return e.tenant, e.sender.display_name, idents


async def test_trusted_workspace_profile_email_is_provider_verified_and_cached(
    gw_profiles: str, offsets: Offsets, kafka: str, calls: Counter[str]
) -> None:
    event = await ingest(gw_profiles, offsets, kafka, message("U0ALICE"))
    assert who(event) == (
        "acme",
        "Alice Martin",
        {
            ("slack_user", "T0HOTLINE:U0ALICE", "provider", True, "provider_verified"),
            ("email", "alice.martin@example.com", "slack.profile", True, "provider_verified"),
        },
    )
    again = await ingest(gw_profiles, offsets, kafka, message("U0ALICE"))
    assert who(again) == who(event)
    assert calls["U0ALICE"] == 1  # the second message used the cached profile


async def test_untrusted_workspace_profile_email_is_only_a_claim(
    gw_profiles: str, offsets: Offsets, kafka: str
) -> None:
    body = message("U0ALICE", team="T0OTHER")
    event = await ingest(gw_profiles, offsets, kafka, body, secret="sig-other-9876543210")
    assert who(event) == (
        "default",
        "Alice Martin",
        {
            ("slack_user", "T0OTHER:U0ALICE", "provider", True, "provider_verified"),
            ("email", "alice.martin@example.com", "slack.profile", False, "unverified"),
        },
    )


def alone(user: str) -> tuple[str, None, set[Row]]:
    return (
        "acme",
        None,
        {("slack_user", f"T0HOTLINE:{user}", "provider", True, "provider_verified")},
    )


async def test_unknown_user_still_ingests_with_the_slack_user_alone(
    gw_profiles: str, offsets: Offsets, kafka: str, calls: Counter[str]
) -> None:
    before = await failed_lookups(gw_profiles)
    event = await ingest(gw_profiles, offsets, kafka, message("U0GHOST"))  # user_not_found
    assert who(event) == alone("U0GHOST")
    assert calls["U0GHOST"] == 1 and await failed_lookups(gw_profiles) == before + 1
    await ingest(gw_profiles, offsets, kafka, message("U0GHOST"))
    assert calls["U0GHOST"] == 1  # not asked again at once: one call per sender, not message


@pytest.mark.parametrize("user", ["U0BROKEN", "U0SLOW"])  # HTTP 500, no answer within timeout
async def test_api_outage_ingests_without_profiles_and_pauses_lookups(
    kafka: str, offsets: Offsets, user: str
) -> None:
    calls: Counter[str] = Counter()
    async with serve(users_info_server(calls)) as api:
        settings = settings_for(kafka, slack_api=f"{api}/api/")
        settings.slack_profile_timeout = 0.5
        async with gateway(settings) as url:
            event = await ingest(url, offsets, kafka, message(user))
            assert who(event) == alone(user) and await failed_lookups(url) == 1
            after = await ingest(url, offsets, kafka, message("U0ALICE"))
    assert who(after) == alone("U0ALICE")  # the API is left alone for a while: no profile
    assert (calls[user], calls["U0ALICE"]) == (1, 0)


async def failed_lookups(url: str) -> float:
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{url}/metrics")).text
    line = 'hotline_slack_profile_lookups_total{outcome="failed"}'
    values = [float(x.split()[-1]) for x in text.splitlines() if x.startswith(line)]
    return values[0] if values else 0.0
