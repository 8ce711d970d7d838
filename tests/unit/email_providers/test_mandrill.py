"""Mandrill inbound batches, recorded in Mandrill's documented shape: verify, parse, normalize."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from email_ingest.providers.mandrill.normalize import deliveries, normalize
from hotline import events
from hotline.http import Rejected
from hotline.kafka.errors import PermanentError
from tests.unit.email_providers.helpers import (
    CONFIG,
    RECORDED_AT,
    capture,
    content,
    with_body,
    with_headers,
)

KEY = b"mandrill-webhook-key-for-hotline-01"
URL = "https://hooks.acme.test/inbound/email/mandrill"


@pytest.mark.parametrize(("name", "count"), [("batch", 3), ("single", 1), ("empty", 0)])
def test_signed_batches_verify(name: str, count: int) -> None:
    assert len(deliveries(capture("mandrill", name), [b"mandrill-old-key-000", KEY], URL)) == count


def test_the_capture_url_is_the_default_signed_url() -> None:
    assert len(deliveries(capture("mandrill", "single"), [KEY])) == 1


@pytest.mark.parametrize(
    ("keys", "url", "signature", "reason"),
    [
        ([b"another-key-0000"], URL, "keep", "bad_signature"),
        ([KEY], "https://hooks.acme.test/other", "keep", "bad_signature"),
        ([KEY], URL, None, "missing_signature"),
        ([KEY], URL, "bm90IGl0", "bad_signature"),
    ],
)
def test_refused(keys: list[bytes], url: str, signature: str | None, reason: str) -> None:
    req = capture("mandrill", "batch")
    if signature != "keep":
        req = with_headers(req, x_mandrill_signature=signature)
    with pytest.raises(Rejected) as err:
        deliveries(req, keys, url)
    assert (err.value.status, err.value.reason) == (401, reason)


def test_a_changed_body_breaks_the_signature() -> None:
    req = capture("mandrill", "single")
    body = req.body.replace(b"lamp", b"vase")
    with pytest.raises(Rejected):
        deliveries(with_body(req, body), [KEY], URL)


def test_unsigned_garbage_is_401_unverified_garbage_is_malformed() -> None:
    garbage = with_headers(
        with_body(capture("mandrill", "single"), b"%%%"), content_type="text/plain"
    )
    with pytest.raises(Rejected):
        deliveries(with_headers(garbage, x_mandrill_signature=None), [KEY], URL)
    with pytest.raises(PermanentError):
        deliveries(garbage, None)


def test_one_post_with_three_mails_gives_three_events() -> None:
    out = normalize(capture("mandrill", "batch"), [KEY], CONFIG, RECORDED_AT, URL)
    evts = [e for n in out for e in n.events if isinstance(e, events.MessageReceived)]
    ids = [e.provider_message_id for e in evts]
    assert ids == ["<md-1@mail.example.com>", "<md-2@mail.example.com>", "<md-3@mail.example.com>"]
    assert len({e.event_id for e in evts}) == 3
    assert [e.flags.provider_spam for e in evts] == [False, True, False]
    assert content(evts[0]).text.strip() == "I returned the lamp two weeks ago."


@pytest.mark.parametrize(
    "events_json",
    [b"{}", b'[{"event": "inbound", "msg": {"raw_msg": ""}}]', b"[1]"],
)
def test_malformed(events_json: bytes) -> None:
    body = urlencode({"mandrill_events": events_json.decode()}).encode()
    with pytest.raises(PermanentError):
        deliveries(with_body(capture("mandrill", "batch"), body), None)
