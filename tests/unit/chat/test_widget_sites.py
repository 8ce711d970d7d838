"""Widget sockets routed to their site's channel account through the app's one registry
(``app.state.accounts``), on the in-memory publisher: two sites with their own secrets and
tenants, a site added at runtime welcomed without a restart, a removed or disabled one refused
(4404, nothing produced, even on a socket opened before), both values of a rotated site secret
valid, and origins and identity_required read from the account's settings."""

from __future__ import annotations

import dataclasses
import json
import time
from typing import Any

import jwt
import pytest
from fastapi import FastAPI

from chat_gateway.widget.sites import NO_ORIGIN, origins_of
from chat_gateway.widget.verify import visitor_token
from hotline.accounts import Account
from hotline.intake import MemoryPublisher
from tests.unit.chat.gateway import AppSocket, SocketClosed, app_with, identifier_hash

NEW, OLD = "north-secret-new-0d1e2f3a4b5c6d7e8f90", "north-secret-old-0d1e2f3a4b5c6d7e8f90"
NORTH = Account("widget", "north", "north-co", {"site_secret": (NEW, OLD)}, version=1)
SOUTH = Account(
    "widget",
    "south",
    "south-co",
    {"site_secret": ("south-secret-1-0d1e2f3a4b5c6d7e8f90",)},
    {"origins": ["https://south.example"], "identity_required": True},
    version=1,
)
SOUTH_SECRET = SOUTH.secrets["site_secret"][0]


@pytest.fixture
def fake() -> MemoryPublisher:
    return MemoryPublisher()


@pytest.fixture
def gw(fake: MemoryPublisher) -> FastAPI:
    return app_with(fake, NORTH, SOUTH)


def tenants(fake: MemoryPublisher) -> list[str]:
    return [e.tenant for _, e in fake.published]


async def refused(app: FastAPI, site: str, origin: str | None = None) -> tuple[int, str]:
    """Say hello to ``site``: the close code and reason (the error frame said the same)."""
    ws = AppSocket(app, origin=origin)
    await ws.connect()
    error = await ws.say({"type": "hello", "site": site})
    with pytest.raises(SocketClosed) as closed:
        await ws.recv()
    await ws.close()
    assert error["error"] == closed.value.reason
    return closed.value.code, closed.value.reason


async def chat(app: FastAPI, origin: str | None = None, **hello: object) -> dict[str, Any]:
    """Welcome, one message acked, closed: the welcome."""
    ws = AppSocket(app, origin=origin)
    welcome = await ws.open(**hello)
    assert welcome["type"] == "welcome", welcome
    assert (await ws.message("c1", "hello there"))["type"] == "ack"
    await ws.close()
    return welcome


ANN = "ann@example.com"
SITES = {  # name -> (origin, hello, tenant of the event)
    "north, anonymous": (None, {"site": "north"}, "north-co"),
    "north, hash by the newest secret": (
        None,
        {"site": "north", "identifier": ANN, "identifier_hash": identifier_hash(ANN, NEW)},
        "north-co",
    ),
    "north, hash by the older secret": (
        None,
        {"site": "north", "identifier": ANN, "identifier_hash": identifier_hash(ANN, OLD)},
        "north-co",
    ),
    "south, verified, from its origin": (
        "https://south.example",
        {"site": "south", "identifier": ANN, "identifier_hash": identifier_hash(ANN, SOUTH_SECRET)},
        "south-co",
    ),
    "environment site still served": (None, {"site": "demo"}, "acme"),
}


@pytest.mark.parametrize("name", list(SITES))
async def test_each_site_its_secret_and_tenant(
    gw: FastAPI, fake: MemoryPublisher, name: str
) -> None:
    origin, hello, tenant = SITES[name]
    await chat(gw, origin, **hello)
    assert tenants(fake) == [tenant]


REFUSALS = {  # name -> (site, origin, close code, reason)
    "unknown site": ("nowhere", None, 4404, "unknown_site"),
    "south from another origin": ("south", "https://evil.example", 4401, "origin_not_allowed"),
    "south, anonymous": ("south", "https://south.example", 4401, "identity_required"),
}


@pytest.mark.parametrize("name", list(REFUSALS))
async def test_refused_at_hello(gw: FastAPI, fake: MemoryPublisher, name: str) -> None:
    site, origin, code, reason = REFUSALS[name]
    assert await refused(gw, site, origin) == (code, reason)
    assert fake.calls == 0


async def test_site_added_at_runtime_is_welcomed(gw: FastAPI, fake: MemoryPublisher) -> None:
    assert await refused(gw, "late") == (4404, "unknown_site")
    late = Account("widget", "late", "late-co", {"site_secret": ("late-secret-0001",)}, version=1)
    gw.state.accounts.put(late)
    await chat(gw, site="late")
    assert tenants(fake) == ["late-co"]


async def test_removed_or_disabled_site_is_refused(gw: FastAPI, fake: MemoryPublisher) -> None:
    ws = AppSocket(gw)
    await ws.open(site="north")  # opened before the site goes
    gw.state.accounts.drop("widget", "north")
    assert await refused(gw, "north") == (4404, "unknown_site")
    assert (await ws.message("c1", "still there?"))["error"] == "unknown_site"
    with pytest.raises(SocketClosed) as closed:
        await ws.recv()
    await ws.close()
    gw.state.accounts.put(dataclasses.replace(SOUTH, enabled=False, version=2))
    assert await refused(gw, "south", "https://south.example") == (4404, "unknown_site")
    assert (closed.value.code, fake.calls) == (4404, 0)


async def test_rotation_keeps_old_visitors_and_hands_out_new_tokens(gw: FastAPI) -> None:
    """A visitor token made with the older secret is still taken; the welcome's is the
    newest secret's, so the browser moves on before the older value is retired."""
    old_token = visitor_token(OLD, "v_kept")
    welcome = await chat(gw, site="north", visitor_id="v_kept", visitor_token=old_token)
    assert welcome["visitor_token"] == visitor_token(NEW, "v_kept")
    retired = dataclasses.replace(NORTH, secrets={"site_secret": (NEW,)}, version=2)
    gw.state.accounts.put(retired)
    ws = AppSocket(gw)
    await ws.connect()
    hello = {"type": "hello", "site": "north", "visitor_id": "v_kept", "visitor_token": old_token}
    assert (await ws.say(json.dumps(hello)))["error"] == "bad_visitor_token"
    await ws.close()


def identity_token(secret: str, sub: str = "u-1") -> str:
    now = int(time.time())
    return jwt.encode({"sub": sub, "iat": now, "exp": now + 600}, secret, algorithm="HS256")


@pytest.mark.parametrize(
    ("secret", "verified"),
    [(NEW, True), (OLD, True), ("north-secret-other-0d1e2f3a4b5c6d7e8f9", False)],
)
async def test_identity_token_signed_with_either_value(
    gw: FastAPI, secret: str, verified: bool
) -> None:
    ws = AppSocket(gw)
    welcome = await ws.open(site="north", identity_token=identity_token(secret))
    then = None if verified else await ws.recv()
    await ws.close()
    assert welcome["verified"] is verified
    assert then is None or (then["error"], then["reason"]) == ("identity_rejected", "bad_signature")


@pytest.mark.parametrize(
    ("value", "origins"),
    [
        (None, frozenset()),
        ([], frozenset()),
        (["https://a.example", "https://b.example"], {"https://a.example", "https://b.example"}),
        ("https://a.example", {"https://a.example"}),
        ({"https://a.example": True}, {NO_ORIGIN}),  # malformed: admits no page
        ([1, 2], {NO_ORIGIN}),
    ],
)
def test_origins_from_account_settings(value: object, origins: set[str]) -> None:
    assert origins_of(json.loads(json.dumps(value))) == origins
