"""The bad-input table: every case gets its expected answer, and nothing reaches the intake's
publisher (no record, no dead letter, not even an attempt).

The app as ``create_app`` builds it, driven over ASGI, publishes to a ``MemoryPublisher``; a
control case (a valid message) shows the same check does see a published record. The two
cases that need a real HTTP server (413 before the body is sent) are in
tests/integration/chat/test_bad_input.py, on the real broker.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest
from fastapi import FastAPI

from chat_gateway.slack.verify import sign
from hotline.intake import MemoryPublisher
from tests.unit.chat.gateway import (
    MEMBERS_SECRET,
    SITE,
    AppSocket,
    SocketClosed,
    app_on,
    client,
    identifier_hash,
)
from tests.unit.chat.slack_fixtures import load

SECRET, OTHER = "sig-hotline-0123456789", "sig-other-9876543210"
MSG = load("message")


@dataclass(frozen=True)
class Slack:
    body: bytes
    headers: dict[str, str]
    expect: int


def now() -> int:
    return int(time.time())


def signed(body: bytes = MSG, secret: str = SECRET, ts_shift: int = 0) -> dict[str, str]:
    ts = str(now() + ts_shift)
    return {
        "x-slack-request-timestamp": ts,
        "x-slack-signature": sign(secret, ts, body),
        "content-type": "application/json",
    }


def s(body: bytes, expect: int, secret: str = SECRET, ts_shift: int = 0) -> Callable[[], Slack]:
    """Build the case at run time (timestamps are relative to now)."""
    return lambda: Slack(body, signed(body, secret, ts_shift), expect)


def raw(body: bytes, expect: int, make: Callable[[], dict[str, str]]) -> Callable[[], Slack]:
    return lambda: Slack(body, make(), expect)


def event(inner: dict[str, object], **top: object) -> bytes:
    doc = {
        "type": "event_callback",
        "team_id": "T0HOTLINE",
        "event_id": "Ev1",
        "event_time": 1764012000,
        "event": inner,
        **top,
    }
    return json.dumps(doc).encode()


def ts_header(value: str) -> Callable[[], dict[str, str]]:
    return lambda: {
        "x-slack-request-timestamp": value,
        "x-slack-signature": sign(SECRET, value, MSG),
    }


BIG = b'{"pad": "' + b"x" * (1024 * 1024 + 10) + b'"}'
SLACK_CASES: dict[str, Callable[[], Slack]] = {
    # signature: 401
    "no headers": raw(MSG, 401, dict),
    "no signature": raw(MSG, 401, lambda: {"x-slack-request-timestamp": str(now())}),
    "no timestamp": raw(MSG, 401, lambda: {"x-slack-signature": signed()["x-slack-signature"]}),
    "wrong secret": s(MSG, 401, secret="sig-wrong-000000000"),
    "other workspace's secret": s(MSG, 401, secret=OTHER),
    "tampered body": raw(MSG.replace(b"4412", b"9999"), 401, signed),
    "truncated signature": raw(
        MSG, 401, lambda: {**signed(), "x-slack-signature": signed()["x-slack-signature"][:-4]}
    ),
    "upper-case hex": raw(
        MSG, 401, lambda: {**signed(), "x-slack-signature": signed()["x-slack-signature"].upper()}
    ),
    "v1 prefix": raw(
        MSG,
        401,
        lambda: {**signed(), "x-slack-signature": "v1" + signed()["x-slack-signature"][2:]},
    ),
    "empty signature": raw(MSG, 401, lambda: {**signed(), "x-slack-signature": ""}),
    "signature for another timestamp": raw(
        MSG, 401, lambda: {**signed(), "x-slack-request-timestamp": str(now() - 1)}
    ),
    "signature of an empty body": raw(MSG, 401, lambda: signed(b"")),
    "signature of another body": raw(
        MSG,
        401,
        lambda: {
            **signed(),
            "x-slack-signature": signed(load("thread_reply"))["x-slack-signature"],
        },
    ),
    # timestamps: 401
    "stale 301 s": s(MSG, 401, ts_shift=-301),
    "stale 1 h": s(MSG, 401, ts_shift=-3600),
    "stale 1 day": s(MSG, 401, ts_shift=-86400),
    # 302: the header is whole seconds (int(now) drops up to 1 s), the check is against float now
    "future 302 s": s(MSG, 401, ts_shift=302),
    "future 1 h": s(MSG, 401, ts_shift=3600),
    "epoch 0": raw(MSG, 401, ts_header("0")),
    "non-numeric timestamp": raw(MSG, 401, ts_header("yesterday")),
    "negative timestamp": raw(MSG, 401, ts_header("-1764012000")),
    "decimal timestamp": raw(
        MSG, 401, lambda: {**signed(), "x-slack-request-timestamp": f"{now()}.5"}
    ),
    "huge timestamp": raw(MSG, 401, ts_header("9" * 40)),
    # oversize: 413 before the body is read
    "declared 1 MiB + 10": s(BIG, 413),
    # malformed JSON (signed): 400
    "half an object": s(b"{", 400),
    "empty body": s(b"", 400),
    "truncated payload": s(MSG[: len(MSG) // 2], 400),
    "UTF-16, not UTF-8": s('{"type": "url_verification"}'.encode("utf-16"), 400),
    "trailing garbage": s(MSG + b"}}", 400),
    "single quotes": s(b"{'type': 'url_verification'}", 400),
    "bare word": s(b"hello", 400),
    # schema mismatch (signed): 422
    "null": s(b"null", 422),
    "array": s(b"[]", 422),
    "no type": s(b'{"challenge": "x"}', 422),
    "unknown envelope type": s(b'{"type": "block_actions", "actions": []}', 422),
    "interactive_message": s(b'{"type": "interactive_message"}', 422),
    "event_callback without event": s(
        b'{"type": "event_callback", "team_id": "T0HOTLINE", "event_id": "E", "event_time": 1}', 422
    ),
    "event_callback without team": s(
        event({"type": "message"}).replace(b'"team_id": "T0HOTLINE", ', b""), 422
    ),
    "event_time as text": s(
        event({"type": "app_home_opened"}).replace(b"1764012000", b'"noon"'), 422
    ),
    "message channel is a number": s(event({"type": "message", "channel": 7, "ts": "1.2"}), 422),
    "message without ts": s(event({"type": "message", "channel": "C1", "user": "U1"}), 422),
    "reaction without item": s(
        event({"type": "reaction_added", "user": "U1", "reaction": "x", "event_ts": "1.2"}), 422
    ),
    "inner event without type": s(event({"channel": "C1"}), 422),
    "url_verification without challenge": s(b'{"type": "url_verification"}', 422),
    # unknown or ignored event types (signed, valid): 200, nothing produced
    "app_home_opened": s(load("app_mention"), 200),
    "team_join": s(event({"type": "team_join", "user": {"id": "U9"}}), 200),
    "channel_created": s(event({"type": "channel_created", "channel": {"id": "C9"}}), 200),
    "member_joined_channel": s(event({"type": "member_joined_channel", "user": "U9"}), 200),
    "bot message": s(load("bot_message"), 200),
    "our own app's message": s(load("own_app_message"), 200),
    "channel_join subtype": s(load("channel_join"), 200),
    "link unfurl (message_changed, not edited)": s(load("message_changed_unfurl"), 200),
    "app_rate_limited": s(
        b'{"type": "app_rate_limited", "team_id": "T0HOTLINE", '
        b'"minute_rate_limited": 1518467820, "api_app_id": "A0"}',
        200,
    ),
    "reaction to a file": s(
        event(
            {
                "type": "reaction_added",
                "user": "U1",
                "reaction": "x",
                "item": {"type": "file", "file": "F1"},
                "event_ts": "1.2",
            }
        ),
        200,
    ),
}


@pytest.fixture
def fake() -> MemoryPublisher:
    return MemoryPublisher()


@pytest.fixture
def gw(fake: MemoryPublisher) -> FastAPI:
    return app_on(fake)


@pytest.fixture
async def unchanged(fake: MemoryPublisher) -> AsyncIterator[None]:
    yield
    assert (fake.calls, fake.published, fake.letters) == (0, [], []), "a rejected input got out"


@pytest.mark.parametrize("name", list(SLACK_CASES))
async def test_slack_bad_input(gw: FastAPI, unchanged: None, name: str) -> None:
    case = SLACK_CASES[name]()
    async with client(gw) as http:
        response = await http.post("/slack/events", content=case.body, headers=case.headers)
    assert response.status_code == case.expect, response.text


def hello(**fields: object) -> str:
    return json.dumps({"type": "hello", "site": SITE, **fields})


REFUSED_HELLO = {  # first frame -> (close code, reason)
    "wrong identifier_hash": (
        hello(identifier="ann@example.com", identifier_hash="0" * 64),
        4401,
        "bad_identifier_hash",
    ),
    "hash of another identifier": (
        hello(identifier="ann@example.com", identifier_hash=identifier_hash("bob@example.com")),
        4401,
        "bad_identifier_hash",
    ),
    "hash made with another secret": (
        hello(
            identifier="ann@example.com",
            identifier_hash=identifier_hash("ann@example.com", "other-secret"),
        ),
        4401,
        "bad_identifier_hash",
    ),
    "identifier without hash": (hello(identifier="ann@example.com"), 4401, "bad_identifier_hash"),
    "hash without identifier": (
        hello(identifier_hash=identifier_hash("x")),
        4401,
        "bad_identifier_hash",
    ),
    "unknown site": (json.dumps({"type": "hello", "site": "evil"}), 4404, "unknown_site"),
    "visitor id with a forged token": (
        hello(visitor_id="v_1", visitor_token="0" * 64),
        4401,
        "bad_visitor_token",
    ),
    "visitor id without token": (hello(visitor_id="v_1"), 4401, "bad_visitor_token"),
    "message before hello": (
        json.dumps({"type": "message", "client_id": "c1", "text": "hi"}),
        4400,
        "hello_expected",
    ),
    "malformed hello": ("{hello", 4400, "malformed"),
    "hello without site": (json.dumps({"type": "hello"}), 4400, "schema_mismatch"),
    "page origin not allowed for the site": (
        json.dumps({"type": "hello", "site": "locked"}),
        4401,
        "origin_not_allowed",
    ),
    "no origin for a locked site": (
        json.dumps({"type": "hello", "site": "locked"}),
        4401,
        "origin_not_allowed",
    ),
    "anonymous on a verified-users-only site": (
        json.dumps({"type": "hello", "site": "members"}),
        4401,
        "identity_required",
    ),
}


async def test_verified_user_is_welcomed_on_a_members_site(gw: FastAPI) -> None:
    ws = AppSocket(gw)
    signed = identifier_hash("ann@example.com", MEMBERS_SECRET)
    welcome = await ws.open(site="members", identifier="ann@example.com", identifier_hash=signed)
    await ws.close()
    assert welcome["verified"] is True


async def test_allowed_origin_is_welcomed(gw: FastAPI) -> None:
    ws = AppSocket(gw, origin="https://shop.example")
    welcome = await ws.open(site="locked")
    await ws.close()
    assert welcome["type"] == "welcome"


@pytest.mark.parametrize("name", list(REFUSED_HELLO))
async def test_widget_refused_at_hello(gw: FastAPI, unchanged: None, name: str) -> None:
    frame, code, reason = REFUSED_HELLO[name]
    origin = "https://evil.example" if name.startswith("page origin") else None
    ws = AppSocket(gw, origin=origin)
    await ws.connect()
    error = await ws.say(frame)
    with pytest.raises(SocketClosed) as closed:
        await ws.recv()
    await ws.close()
    assert error == {"type": "error", "error": reason, "detail": error["detail"]}
    assert (closed.value.code, closed.value.reason) == (code, reason)


def message(**fields: object) -> str:
    return json.dumps({"type": "message", **fields})


BAD_FRAMES: dict[str, tuple[str | bytes, str]] = {
    "malformed frame": ("{not json", "malformed"),
    "binary garbage": (b"\x00\xff\x10", "malformed"),
    "message without client_id": (message(text="hi"), "schema_mismatch"),
    "message without text": (message(client_id="c1"), "schema_mismatch"),
    "empty text": (message(client_id="c1", text="   "), "schema_mismatch"),
    "empty client_id": (message(client_id="", text="hi"), "schema_mismatch"),
    "client_id too long": (message(client_id="c" * 65, text="hi"), "schema_mismatch"),
    "text as number": (message(client_id="c1", text=5), "schema_mismatch"),
    "unknown frame type": (json.dumps({"type": "typing"}), "schema_mismatch"),
    "text over the limit": (message(client_id="c1", text="x" * 8001), "payload_too_large"),
    "frame over 64 KiB": (message(client_id="c1", text="x" * 70000), "payload_too_large"),
}


@pytest.mark.parametrize("name", list(BAD_FRAMES))
async def test_widget_bad_frame(gw: FastAPI, unchanged: None, name: str) -> None:
    frame, reason = BAD_FRAMES[name]
    ws = AppSocket(gw)
    await ws.connect()
    assert (await ws.say(hello()))["type"] == "welcome"
    error = await ws.say(frame)
    assert (error["type"], error["error"]) == ("error", reason)
    assert (await ws.say(hello()))["error"] == "already_identified"  # the socket survives
    await ws.close()


def test_the_table_is_big_enough() -> None:
    assert len(SLACK_CASES) + 2 + len(REFUSED_HELLO) + len(BAD_FRAMES) >= 50


async def test_control_a_valid_message_is_seen_by_the_check(
    gw: FastAPI, fake: MemoryPublisher
) -> None:
    body = load("connect_external").replace(b"1764012540.001000", f"{now()}.000001".encode())
    async with client(gw) as http:
        response = await http.post("/slack/events", content=body, headers=signed(body))
    assert response.status_code == 200
    assert (fake.calls, len(fake.published)) == (1, 1)
