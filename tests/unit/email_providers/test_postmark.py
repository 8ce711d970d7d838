"""Postmark inbound JSON, recorded in Postmark's documented shape: auth, parse, normalize."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from email_ingest.normalize import normalize as smtp_normalize
from email_ingest.providers.basic_auth import basic_header
from email_ingest.providers.postmark import parse
from email_ingest.providers.postmark.normalize import deliveries, normalize
from hotline.http import Rejected
from hotline.kafka.errors import PermanentError
from tests.unit.email_providers.helpers import (
    CONFIG,
    RECORDED_AT,
    capture,
    content,
    message,
    with_body,
    with_headers,
)

CREDENTIAL = b"postmark:pm-inbound-password-for-hotline-0001"
ROTATED = b"postmark:pm-inbound-password-rotated-0002"


@pytest.mark.parametrize("name", ["parsed", "spam", "raw"])
def test_the_basic_credentials_are_accepted(name: str) -> None:
    assert len(deliveries(capture("postmark", name), [ROTATED, CREDENTIAL])) == 1


@pytest.mark.parametrize(
    ("authorization", "reason"),
    [
        (None, "missing_credentials"),
        ("Bearer abc", "missing_credentials"),
        ("Basic !!!", "bad_credentials"),
        (basic_header("postmark:wrong-password-0003"), "bad_credentials"),
    ],
)
def test_refused(authorization: str | None, reason: str) -> None:
    req = with_headers(capture("postmark", "parsed"), authorization=authorization)
    with pytest.raises(Rejected) as err:
        deliveries(req, [CREDENTIAL])
    assert (err.value.status, err.value.reason) == (401, reason)


def test_a_bad_body_with_bad_credentials_is_401_not_400() -> None:
    req = with_headers(with_body(capture("postmark", "parsed"), b"{"), authorization=None)
    with pytest.raises(Rejected):
        deliveries(req, [CREDENTIAL])
    with pytest.raises(PermanentError):
        deliveries(with_body(capture("postmark", "parsed"), b"{"), [CREDENTIAL])


def test_parsed_json_normalizes_like_smtp_mail() -> None:
    [n] = normalize(capture("postmark", "parsed"), [CREDENTIAL], CONFIG, RECORDED_AT)
    e = message(n.events)
    c = content(e)
    assert e.provider_message_id == "<pm-parsed-1@mail.example.net>"
    assert e.thread.in_reply_to == ["<reply-9@hotline.localhost>"]
    assert e.sender.display_name == "Jö Weber"
    assert e.sender.identifiers[0].value == "jo.weber@example.net"
    assert c.subject == "Rechnung fehlt / invoice missing"
    assert c.text == "Hallo,\n\ndie Rechnung fehlt im Paket.\n\nJö\n"
    assert c.to == ["support+1042@acme.test"] and c.html_ref is not None
    assert [(a.filename, a.mime_type, a.size) for a in e.attachments] == [
        ("lieferschein.txt", "text/plain", 34)
    ]
    assert not e.flags.provider_spam
    assert e.provider_timestamp == datetime(2026, 12, 7, 4, 59, 58, tzinfo=UTC)


def test_spam_status_yes_is_the_spam_flag() -> None:
    [n] = normalize(capture("postmark", "spam"), [CREDENTIAL], CONFIG, RECORDED_AT)
    assert message(n.events).flags.provider_spam


def test_raw_email_is_used_as_it_is() -> None:
    req = capture("postmark", "raw")
    inbound = parse.parse(req.body)
    [n] = normalize(req, [CREDENTIAL], CONFIG, RECORDED_AT)
    assert inbound.raw_email is not None
    [direct] = smtp_normalize(
        inbound.raw_email.encode(), CONFIG, RECORDED_AT, ("support+1042@acme.test",)
    ).events
    assert message(n.events) == direct
    assert message(n.events).provider_message_id == "<pm-raw-1@mail.example.net>"


@pytest.mark.parametrize(
    "body",
    [b"[]", b'{"FromFull": 3}', b'{"Attachments": [{"Name": "a", "Content": "%%%"}]}'],
)
def test_malformed(body: bytes) -> None:
    with pytest.raises(PermanentError):
        deliveries(with_body(capture("postmark", "parsed"), body), None)
