"""Reply composition: threading headers, reply token, deterministic Message-ID, refusals."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from email import message_from_bytes

import pytest

from email_ingest.compose import ReplyConfig, compose, reply_token
from hotline import events
from hotline.kafka import PermanentError

CFG = ReplyConfig("Acme <support@acme.test>", "reply.acme.test", "out.acme.test")
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def request(content: events.Content | None = None, **kw: object) -> events.ReplyRequested:
    values: dict[str, object] = {
        "event_id": "e1",
        "reply_id": "r/1",
        "tenant": "acme",
        "channel": events.ChannelRef(kind="email", account_id="support@acme.test"),
        "conversation_id": "conv 42",
        "recipient": "jo@example.test",
        "content": content or events.TextContent(text="Hello"),
        "requested_at": NOW,
        "requested_by": "agent",
        **kw,
    }
    return events.ReplyRequested(**values)  # type: ignore[arg-type]


def test_headers_without_thread_hints() -> None:
    msg = message_from_bytes(compose(request(), CFG, NOW).data)
    assert msg["Message-ID"] == "<hotline.r_1@out.acme.test>"
    assert msg["Subject"] == "Re: your request"
    assert msg["In-Reply-To"] is None and msg["References"] is None
    token = reply_token(request())
    assert msg["Reply-To"] == f"reply+{token}@reply.acme.test"
    padded = token[1:].upper() + "=" * (-len(token[1:]) % 8)
    assert base64.b32decode(padded).decode() == "conv 42"  # reversible to the conversation


def test_in_reply_to_falls_back_to_the_hint_list() -> None:
    thread = events.ThreadHints(in_reply_to=["<a@x>"], references=["<root@x>", "<a@x>"])
    msg = message_from_bytes(compose(request(thread=thread), CFG, NOW).data)
    assert msg["In-Reply-To"] == "<a@x>"
    assert msg["References"] == "<root@x> <a@x>"


def test_subject_keeps_a_single_re() -> None:
    content = events.EmailContent(subject="RE: Order 7", text="ok")
    assert message_from_bytes(compose(request(content), CFG, NOW).data)["Subject"] == "RE: Order 7"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"channel": events.ChannelRef(kind="sms", account_id="x")}, "wrong_channel"),
        ({"recipient": "not-an-address"}, "bad_recipient"),
        ({"recipient": "a@b.test\r\nBcc: evil@x.test"}, "bad_recipient"),
        ({"content": events.LocationContent(latitude=1.0, longitude=2.0)}, "unsupported_content"),
    ],
)
def test_refusals_are_permanent(changes: dict[str, object], reason: str) -> None:
    with pytest.raises(PermanentError) as info:
        compose(request(**changes), CFG, NOW)  # type: ignore[arg-type]
    assert info.value.reason == reason
