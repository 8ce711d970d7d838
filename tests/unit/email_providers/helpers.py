"""Recorded provider captures (tests/fixtures/email_providers/<provider>/*.http) as requests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from email_ingest.normalize import MailboxConfig
from hotline import events
from hotline.capture import HttpRequest, parse_capture

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "email_providers"
RECORDED_AT = datetime(2026, 12, 7, 5, 0, tzinfo=UTC)  # the captures' signed timestamps
NOW = RECORDED_AT.timestamp()
CONFIG = MailboxConfig(tenant="acme", account_id="support@acme.test")


def capture(provider: str, name: str) -> HttpRequest:
    return parse_capture((FIXTURES / provider / f"{name}.http").read_bytes())


def with_body(req: HttpRequest, body: bytes) -> HttpRequest:
    return HttpRequest(req.method, req.url, dict(req.headers), body)


def with_headers(req: HttpRequest, **changes: str | None) -> HttpRequest:
    headers = dict(req.headers)
    for name, value in changes.items():
        key = name.replace("_", "-").lower()
        if value is None:
            headers.pop(key, None)
        else:
            headers[key] = value
    return HttpRequest(req.method, req.url, headers, req.body)


def message(evts: list[events.Event]) -> events.MessageReceived:
    assert len(evts) == 1
    e = evts[0]
    assert isinstance(e, events.MessageReceived) and isinstance(e.content, events.EmailContent)
    return e


def content(e: events.MessageReceived) -> events.EmailContent:
    assert isinstance(e.content, events.EmailContent)
    return e.content
