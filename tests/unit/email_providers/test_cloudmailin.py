"""CloudMailin posts (JSON Normalized and Raw formats): auth, parse, normalize."""

from __future__ import annotations

import pytest

from email_ingest.normalize import normalize as smtp_normalize
from email_ingest.providers.basic_auth import basic_header
from email_ingest.providers.cloudmailin.normalize import deliveries, normalize
from email_ingest.providers.form import parse_form
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

CREDENTIAL = b"cloudmailin:cm-password-for-hotline-0001"


@pytest.mark.parametrize("name", ["json", "raw"])
def test_credentials(name: str) -> None:
    [d] = deliveries(capture("cloudmailin", name), [CREDENTIAL])
    assert d.rcpts == ("helpdesk@cm.acme.test",) and not d.spam
    for bad in (None, basic_header("cloudmailin:nope-0001")):
        with pytest.raises(Rejected) as err:
            deliveries(with_headers(capture("cloudmailin", name), authorization=bad), [CREDENTIAL])
        assert err.value.status == 401


def test_json_normalized_format() -> None:
    [n] = normalize(capture("cloudmailin", "json"), [CREDENTIAL], CONFIG, RECORDED_AT)
    e = message(n.events)
    c = content(e)
    assert e.provider_message_id == "<cm-json-1@mail.example.cn>"
    assert c.subject == "订单问题" and e.sender.display_name == "李伟"
    assert c.text == "你好，我的订单还没有到。\n"
    # the attachment kept in CloudMailin's attachment store (a URL only) is not fetched
    assert [(a.filename, a.size) for a in e.attachments] == [("order.txt", 10)]


def test_raw_format_is_the_mail_as_smtp_would_see_it() -> None:
    req = capture("cloudmailin", "raw")
    raw = next(
        f.value
        for f in parse_form(req.body, req.headers["content-type"]).fields
        if f.name == "message"
    )
    [n] = normalize(req, [CREDENTIAL], CONFIG, RECORDED_AT)
    [direct] = smtp_normalize(raw, CONFIG, RECORDED_AT, ("helpdesk@cm.acme.test",)).events
    assert message(n.events) == direct
    assert direct.thread.in_reply_to == ["<reply-77@hotline.localhost>"]


@pytest.mark.parametrize(
    ("ctype", "body"),
    [
        ("application/json", b"[]"),
        ("application/json", b'{"attachments": [{"content": "@@"}]}'),
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--b--\r\n',
        ),
        ("text/plain", b"hello"),
    ],
)
def test_malformed(ctype: str, body: bytes) -> None:
    req = with_headers(with_body(capture("cloudmailin", "json"), body), content_type=ctype)
    with pytest.raises(PermanentError):
        deliveries(req, None)
