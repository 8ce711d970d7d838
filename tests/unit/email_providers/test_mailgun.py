"""Mailgun forward() posts, recorded in Mailgun's documented shapes: verify, parse, normalize."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pytest

from email_ingest.normalize import normalize as smtp_normalize
from email_ingest.providers.form import parse_form
from email_ingest.providers.mailgun import parse
from email_ingest.providers.mailgun.normalize import deliveries, normalize
from hotline.capture import HttpRequest
from hotline.http import Rejected
from hotline.kafka.errors import PermanentError
from tests.unit.email_providers.helpers import (
    CONFIG,
    NOW,
    RECORDED_AT,
    capture,
    content,
    message,
    with_body,
)

KEY = b"mailgun-signing-key-for-hotline-0001"
OLD_KEY = b"mailgun-signing-key-rotated-out-0000"


def without(name: str, field: str) -> bytes:
    pairs = parse_qsl(capture("mailgun", name).body.decode(), keep_blank_values=True)
    return urlencode([(k, v) for k, v in pairs if k != field]).encode()


@pytest.mark.parametrize("name", ["parsed", "spam", "attachments", "raw_mime"])
def test_a_signed_post_verifies_with_any_active_key(name: str) -> None:
    assert len(deliveries(capture("mailgun", name), [OLD_KEY, KEY], NOW)) == 1


@pytest.mark.parametrize(
    ("keys", "now", "reason"),
    [
        ([OLD_KEY], NOW, "bad_signature"),
        ([KEY], NOW + 301, "stale_timestamp"),
        ([KEY], NOW - 301, "stale_timestamp"),
    ],
)
def test_refused(keys: list[bytes], now: float, reason: str) -> None:
    with pytest.raises(Rejected) as err:
        deliveries(capture("mailgun", "parsed"), keys, now)
    assert (err.value.status, err.value.reason) == (401, reason)


@pytest.mark.parametrize(
    ("field", "reason"),
    [
        ("signature", "missing_signature"),
        ("token", "missing_signature"),
        ("timestamp", "missing_timestamp"),
    ],
)
def test_missing_signature_fields_are_refused(field: str, reason: str) -> None:
    req = with_body(capture("mailgun", "parsed"), without("parsed", field))
    with pytest.raises(Rejected) as err:
        deliveries(req, [KEY], NOW)
    assert (err.value.status, err.value.reason) == (401, reason)


def test_a_tampered_body_keeps_a_valid_signature_but_no_other_field_is_signed() -> None:
    """Mailgun signs only timestamp+token: the freshness window and the token bound replays."""
    body = capture("mailgun", "parsed").body.replace(b"Order+1042", b"Order+9999")
    assert deliveries(with_body(capture("mailgun", "parsed"), body), [KEY], NOW)


def test_parsed_fields_rebuild_the_mail() -> None:
    req = capture("mailgun", "parsed")
    d = parse.delivery(parse_form(req.body, req.headers["content-type"]))
    assert d.rcpts == ("support@acme.test",) and not d.spam
    assert b"Message-Id: <CAF=mg-parsed-1@mail.example.com>\r\n" in d.raw
    assert b"X-Mailgun-Sflag: No" in d.raw and b'boundary="000000000000a1b2c3"' not in d.raw


def test_parsed_post_normalizes_like_smtp_mail() -> None:
    e = message(
        [
            ev
            for n in normalize(capture("mailgun", "parsed"), [KEY], CONFIG, RECORDED_AT)
            for ev in n.events
        ]
    )
    c = content(e)
    assert e.provider_message_id == "<CAF=mg-parsed-1@mail.example.com>"
    assert (e.tenant, e.channel.kind, e.channel.account_id) == (
        "acme",
        "email",
        "support@acme.test",
    )
    assert c.subject == "Order 1042 arrived damaged"
    assert c.text.strip().splitlines() == [
        "Hello,",
        "",
        "the box was crushed and the mug is broken.",
        "",
        "Ana",
    ]
    assert c.html_ref is not None and c.to == ["support@acme.test"]
    assert e.sender.display_name == "Ana Lima"
    ident = e.sender.identifiers[0]
    assert (ident.value, ident.verified, ident.level) == (
        "ana.lima@example.com",
        False,
        "unverified",
    )
    assert not e.flags.provider_spam and e.attachments == []


def test_spam_flag_is_carried() -> None:
    [n] = normalize(capture("mailgun", "spam"), [KEY], CONFIG, RECORDED_AT)
    e = message(n.events)
    assert e.flags.provider_spam and e.provider_message_id == "<mg-spam-1@mail.example.com>"


def test_attachments_and_inline_images_are_kept() -> None:
    [n] = normalize(capture("mailgun", "attachments"), [KEY], CONFIG, RECORDED_AT)
    e = message(n.events)
    got = sorted((a.filename, a.mime_type, a.size) for a in e.attachments)
    assert got == [("invoice-1042.pdf", "application/pdf", 51), ("mug.png", "image/png", 33)]
    assert len(n.blobs) == 3  # the two files and the HTML body


def test_raw_mime_is_normalized_exactly_as_smtp_would() -> None:
    req = capture("mailgun", "raw_mime")
    [n] = normalize(req, [KEY], CONFIG, RECORDED_AT)
    e = message(n.events)
    mime = parse_form(req.body, req.headers["content-type"]).get("body-mime") or ""
    [direct] = smtp_normalize(mime.encode(), CONFIG, RECORDED_AT, ("reply+tok42@acme.test",)).events
    assert e == direct
    assert content(e).subject == "Re: your ticket ✓" and e.thread.reply_token == "tok42"
    assert e.thread.in_reply_to == ["<reply-7@hotline.localhost>"]
    assert content(e).visible_text.strip() == "Thanks, that fixed it ✓"


def test_unverified_skips_the_signature() -> None:
    req = with_body(capture("mailgun", "parsed"), without("parsed", "signature"))
    assert deliveries(req, None, NOW + 10_000)


@pytest.mark.parametrize(
    ("ctype", "body"),
    [
        ("application/json", b"{}"),
        ("multipart/form-data; boundary=x", b"--x\r\nno end"),
        ("application/x-www-form-urlencoded", b"message-headers=not-json&" + b"x=1"),
    ],
)
def test_malformed_posts(ctype: str, body: bytes) -> None:
    req = capture("mailgun", "parsed")
    bad = HttpRequest(req.method, req.url, {"content-type": ctype}, body)
    with pytest.raises(PermanentError):
        deliveries(bad, None, NOW)


def test_an_8bit_raw_mime_keeps_its_bytes() -> None:
    """A Latin-1 body percent-encoded by the provider reaches the parser byte for byte."""
    head = b"From: a@example.test\r\nMessage-ID: <l1@x>\r\n"
    mime = head + b"Content-Type: text/plain; charset=iso-8859-1\r\n\r\nCaf\xe9\r\n"
    body = urlencode([("body-mime", mime.decode("latin-1"))], encoding="latin-1").encode()
    req = HttpRequest(
        "POST",
        "https://h/inbound/email/mailgun/mime",
        {"content-type": "application/x-www-form-urlencoded"},
        body,
    )
    [d] = deliveries(req, None, NOW)
    assert d.raw == mime
    [n] = normalize(req, None, CONFIG, RECORDED_AT)
    assert content(message(n.events)).text.strip() == "Café"
