"""Widget identity, frames and normalisation (pure), with hand-written expected values."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from chat_gateway.widget.normalize import normalize
from chat_gateway.widget.parse import Hello, Seen, Send, parse_frame
from chat_gateway.widget.verify import identify, visitor_token
from hotline import events as ev
from hotline.http import Rejected

SECRET = "site-secret-7f3a9c"
ANN_HASH = hmac.new(SECRET.encode(), b"ann@example.com", hashlib.sha256).hexdigest()
WHEN = datetime(2026, 11, 24, 19, 40, tzinfo=UTC)
NOW = WHEN.timestamp()


def test_visitor_token_is_the_documented_hmac() -> None:
    expected = hmac.new(SECRET.encode(), b"visitor:v_abc", hashlib.sha256).hexdigest()
    assert visitor_token(SECRET, "v_abc") == expected


def test_new_visitor_gets_the_fresh_id_and_its_token() -> None:
    who = identify(Hello(site="demo"), (SECRET,), "v_new", NOW)
    assert (who.visitor_id, who.visitor_token, who.user) == (
        "v_new",
        visitor_token(SECRET, "v_new"),
        None,
    )


def test_returning_visitor_keeps_their_id() -> None:
    hello = Hello(site="demo", visitor_id="v_old", visitor_token=visitor_token(SECRET, "v_old"))
    assert identify(hello, (SECRET,), "v_new", NOW).visitor_id == "v_old"


def test_matching_identifier_hash_is_verified() -> None:
    who = identify(
        Hello(site="demo", identifier="ann@example.com", identifier_hash=ANN_HASH),
        (SECRET,),
        "v_1",
        NOW,
    )
    assert who.user == "ann@example.com"


@pytest.mark.parametrize(
    ("hello", "reason"),
    [
        (
            Hello(site="demo", identifier="ann@example.com", identifier_hash="0" * 64),
            "bad_identifier_hash",
        ),
        (
            Hello(site="demo", identifier="bob@example.com", identifier_hash=ANN_HASH),
            "bad_identifier_hash",
        ),
        (Hello(site="demo", identifier="ann@example.com"), "bad_identifier_hash"),
        (Hello(site="demo", identifier_hash=ANN_HASH), "bad_identifier_hash"),
        (
            Hello(site="demo", identifier="ann@example.com", identifier_hash=ANN_HASH.upper()),
            "bad_identifier_hash",
        ),
        (Hello(site="demo", visitor_id="v_x", visitor_token="f" * 64), "bad_visitor_token"),
        (Hello(site="demo", visitor_id="v_x"), "bad_visitor_token"),
    ],
)
def test_refused_not_downgraded(hello: Hello, reason: str) -> None:
    with pytest.raises(Rejected) as info:
        identify(hello, (SECRET,), "v_new", NOW)
    assert (info.value.status, info.value.reason) == (401, reason)


def test_frames_decode_by_type() -> None:
    assert parse_frame('{"type":"seen","reply_ids":["r1"]}', 1000, 100) == Seen(reply_ids=["r1"])
    assert parse_frame(b'{"type":"message","client_id":"c1","text":"hi"}', 1000, 100) == Send(
        client_id="c1", text="hi"
    )


@pytest.mark.parametrize(
    ("frame", "status"),
    [
        ("{", 400),
        ('{"type":"message","text":"hi"}', 422),
        ('{"type":"message","client_id":"c1","text":"' + "x" * 101 + '"}', 413),
        ('{"type":"message","client_id":"c1","text":"' + "x" * 2000 + '"}', 413),
        ('{"type":"nope"}', 422),
        ('{"type":"message","client_id":"c1","text":"5","reply_id":"flow:x"}', 422),
        (
            '{"type":"message","client_id":"c1","text":"5","reply_id":"csat:' + "s" * 130 + ':5"}',
            422,
        ),
    ],
)
def test_bad_frames(frame: str, status: int) -> None:
    with pytest.raises(Rejected) as info:
        parse_frame(frame, 1000, 100)
    assert info.value.status == status


def test_normalize_verified_visitor_message() -> None:
    who = identify(
        Hello(site="demo", identifier="ann@example.com", identifier_hash=ANN_HASH, name="Ann"),
        (SECRET,),
        "v_1",
        NOW,
    )
    e = normalize("acme", who, Send(client_id="c_42", text="Where is my parcel?"), WHEN)
    assert e.event_id == ev.event_id_for("acme", "widget", "demo:v_1:c_42")
    assert (e.tenant, e.channel) == ("acme", ev.ChannelRef(kind="widget", account_id="demo"))
    assert e.provider_message_id == "v_1:c_42"
    assert e.conversation_key == "widget:demo:v_1"
    assert e.content == ev.TextContent(text="Where is my parcel?")
    assert e.sender == ev.Sender(
        handle="v_1",
        display_name="Ann",
        identifiers=[
            ev.Identifier(
                kind="widget_visitor",
                value="demo:v_1",
                source="widget.visitor_token",
                verified=False,
                level="unverified",
            ),
            ev.Identifier(
                kind="widget_user",
                value="ann@example.com",
                source="widget.hmac",
                verified=True,
                level="site_signed",
            ),
        ],
    )
    again = normalize(
        "acme", who, Send(client_id="c_42", text="Where is my parcel?"), datetime.now(UTC)
    )
    assert again.event_id == e.event_id  # a resend is the same event


def test_anonymous_visitor_has_no_user_identifier() -> None:
    who = identify(Hello(site="demo"), (SECRET,), "v_2", NOW)
    e = normalize("acme", who, Send(client_id="c1", text="hi"), WHEN)
    assert [i.kind for i in e.sender.identifiers] == ["widget_visitor"]


def test_a_rating_tap_is_an_interactive_answer_with_our_reply_id() -> None:
    frame = parse_frame(
        '{"type":"message","client_id":"c_9","text":"5 ★ Excellent","reply_id":"csat:sv1:5"}',
        1000,
        100,
    )
    assert isinstance(frame, Send) and frame.reply_id == "csat:sv1:5"
    who = identify(Hello(site="demo"), (SECRET,), "v_2", NOW)
    e = normalize("acme", who, frame, WHEN)
    assert e.content == ev.InteractiveContent(reply_id="csat:sv1:5", title="5 ★ Excellent")
    assert e.sender.handle == "v_2" and e.provider_message_id == "v_2:c_9"
