"""SendGrid Inbound Parse, recorded in SendGrid's documented shapes: auth, parse, normalize."""

from __future__ import annotations

import pytest

from email_ingest.normalize import normalize as smtp_normalize
from email_ingest.providers.basic_auth import basic_header
from email_ingest.providers.form import parse_form
from email_ingest.providers.sendgrid.normalize import deliveries, normalize
from email_ingest.providers.sendgrid.parse import header_pairs
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

CREDENTIAL = b"sendgrid:sg-parse-password-for-hotline-0001"


@pytest.mark.parametrize("name", ["parsed", "raw", "spam"])
def test_the_credentials_are_accepted(name: str) -> None:
    [d] = deliveries(capture("sendgrid", name), [b"sendgrid:older-password-0000", CREDENTIAL])
    assert d.rcpts == ("help@parse.acme.test",)


@pytest.mark.parametrize(
    "authorization", [None, basic_header("sendgrid:guess-0001"), basic_header("sendgrid")]
)
def test_refused(authorization: str | None) -> None:
    with pytest.raises(Rejected) as err:
        deliveries(
            with_headers(capture("sendgrid", "parsed"), authorization=authorization), [CREDENTIAL]
        )
    assert err.value.status == 401


def test_parsed_mode_rebuilds_the_mail_in_the_declared_charsets() -> None:
    [n] = normalize(capture("sendgrid", "parsed"), [CREDENTIAL], CONFIG, RECORDED_AT)
    e = message(n.events)
    c = content(e)
    assert e.provider_message_id == "<sg-parsed-1@mail.example.fr>"
    assert c.subject == "Problème de livraison"  # RFC 2047 in the header block, decoded
    assert c.text == "Bonjour,\n\nle colis n'est pas arrivé.\n\nRenée\n"  # text was ISO-8859-1
    assert e.sender.display_name == "Renée Dupont"
    assert [(a.filename, a.mime_type, a.size) for a in e.attachments] == [
        ("recu.pdf", "application/pdf", 19)
    ]
    assert not e.flags.provider_spam


def test_raw_mode_is_the_mail_as_smtp_would_see_it() -> None:
    req = capture("sendgrid", "raw")
    form = parse_form(req.body, req.headers["content-type"])
    raw = next(f.value for f in form.fields if f.name == "email")
    [n] = normalize(req, [CREDENTIAL], CONFIG, RECORDED_AT)
    [direct] = smtp_normalize(raw, CONFIG, RECORDED_AT, ("help@parse.acme.test",)).events
    assert message(n.events) == direct
    assert content(direct).text.strip() == "Merci, c'est réglé."


@pytest.mark.parametrize(("name", "spam"), [("raw", False), ("spam", True), ("parsed", False)])
def test_spam_score_against_the_required_score(name: str, spam: bool) -> None:
    [n] = normalize(capture("sendgrid", name), [CREDENTIAL], CONFIG, RECORDED_AT)
    assert message(n.events).flags.provider_spam is spam


def test_header_block_unfolding() -> None:
    block = b"Subject: a\r\n b\r\nX-A: 1\r\n\tcontinued\r\nbroken line\r\n"
    assert header_pairs(block) == [("Subject", "a b"), ("X-A", "1 continued")]


@pytest.mark.parametrize(
    "body",
    [
        b"not multipart",
        b'--xYzZY\r\nContent-Disposition: form-data; name="to"\r\n\r\na@b\r\n--xYzZY--\r\n',
        b'--xYzZY\r\nContent-Disposition: form-data; name="envelope"\r\n\r\n{bad\r\n--xYzZY--\r\n',
    ],
)
def test_malformed(body: bytes) -> None:
    with pytest.raises(PermanentError):
        deliveries(with_body(capture("sendgrid", "parsed"), body), None)
