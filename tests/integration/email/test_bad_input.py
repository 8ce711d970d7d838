"""The bad-input table: each case gets its exact HTTP status / SMTP code, and for each the
publisher (in memory: the point here is the answer, not the broker) proves nothing was
published or dead-lettered."""

from __future__ import annotations

import asyncio
import smtplib
import time
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from email_ingest.verify import sign
from tests.integration.email.conftest import (
    DOMAIN,
    SECRET,
    SMTP_MAX,
    FakeService,
    mail,
    signed_headers,
)

pytestmark = pytest.mark.integration
GOOD = mail("<never-published@example.test>")
Headers = dict[str, str]


def with_(**changes: str) -> Callable[[bytes], Headers]:
    def build(body: bytes) -> Headers:
        return {**signed_headers(body), **changes}

    return build


def without(name: str) -> Callable[[bytes], Headers]:
    def build(body: bytes) -> Headers:
        return {k: v for k, v in signed_headers(body).items() if k != name}

    return build


def signed(
    secret: bytes = SECRET, delta: int | None = None, over: bytes | None = None
) -> Callable[[bytes], Headers]:
    def build(body: bytes) -> Headers:
        ts = None if delta is None else int(time.time()) + delta
        headers = signed_headers(body, secret, ts)
        if over is not None:
            headers["x-hotline-signature"] = sign(secret, headers["x-hotline-timestamp"], over)
        return headers

    return build


def stamp_mismatch(body: bytes) -> Headers:
    now = int(time.time())
    headers = signed_headers(body, ts=now)
    headers["x-hotline-timestamp"] = str(now + 1)
    return headers


def bare_hex(body: bytes) -> Headers:
    headers = signed_headers(body)
    headers["x-hotline-signature"] = headers["x-hotline-signature"].removeprefix("sha256=")
    return headers


def upper_hex(body: bytes) -> Headers:
    headers = signed_headers(body)
    headers["x-hotline-signature"] = "sha256=" + headers["x-hotline-signature"][7:].upper()
    return headers


def truncated(body: bytes) -> Headers:
    headers = signed_headers(body)
    headers["x-hotline-signature"] = headers["x-hotline-signature"][:-2]
    return headers


BIG = GOOD + b"x" * SMTP_MAX
# (name, method, body, headers builder, status, reason)
HTTP_CASES: list[tuple[str, str, bytes, Callable[[bytes], Headers], int, str]] = [
    ("no-signature", "POST", GOOD, without("x-hotline-signature"), 401, "missing_signature"),
    (
        "empty-signature",
        "POST",
        GOOD,
        with_(**{"x-hotline-signature": ""}),
        401,
        "missing_signature",
    ),
    ("no-timestamp", "POST", GOOD, without("x-hotline-timestamp"), 401, "missing_timestamp"),
    (
        "text-timestamp",
        "POST",
        GOOD,
        with_(**{"x-hotline-timestamp": "yesterday"}),
        401,
        "missing_timestamp",
    ),
    (
        "negative-timestamp",
        "POST",
        GOOD,
        with_(**{"x-hotline-timestamp": "-5"}),
        401,
        "missing_timestamp",
    ),
    ("stale-timestamp", "POST", GOOD, signed(delta=-301), 401, "stale_timestamp"),
    ("future-timestamp", "POST", GOOD, signed(delta=301), 401, "stale_timestamp"),
    ("very-old-timestamp", "POST", GOOD, signed(delta=-int(time.time())), 401, "stale_timestamp"),
    ("wrong-secret", "POST", GOOD, signed(secret=b"not-the-secret"), 401, "bad_signature"),
    ("other-body-signed", "POST", GOOD, signed(over=GOOD + b"x"), 401, "bad_signature"),
    ("timestamp-swapped", "POST", GOOD, stamp_mismatch, 401, "bad_signature"),
    ("hex-without-prefix", "POST", GOOD, bare_hex, 401, "bad_signature"),
    ("upper-case-hex", "POST", GOOD, upper_hex, 401, "bad_signature"),
    ("truncated-signature", "POST", GOOD, truncated, 401, "bad_signature"),
    (
        "garbage-signature",
        "POST",
        GOOD,
        with_(**{"x-hotline-signature": "sha256=zz"}),
        401,
        "bad_signature",
    ),
    ("oversize", "POST", BIG, signed(), 413, "payload_too_large"),
    (
        "json-media-type",
        "POST",
        GOOD,
        with_(**{"content-type": "application/json"}),
        415,
        "unsupported_media_type",
    ),
    ("no-media-type", "POST", GOOD, without("content-type"), 415, "unsupported_media_type"),
    (
        "html-media-type",
        "POST",
        GOOD,
        with_(**{"content-type": "text/html"}),
        415,
        "unsupported_media_type",
    ),
    (
        "form-media-type",
        "POST",
        GOOD,
        with_(**{"content-type": "multipart/form-data"}),
        415,
        "unsupported_media_type",
    ),
    ("empty-body", "POST", b"", signed(), 400, "malformed"),
    ("binary-body", "POST", b"\x00\xff\xfe\x89PNG\r\n", signed(), 400, "malformed"),
    ("leading-blank-line", "POST", b"\r\n" + GOOD, signed(), 400, "malformed"),
    ("json-body", "POST", b'{"from": "jo@example.test"}', signed(), 400, "malformed"),
    ("leading-space", "POST", b" From: jo@example.test\r\n\r\nx", signed(), 400, "malformed"),
    ("get", "GET", b"", signed(), 405, ""),
    ("put", "PUT", GOOD, signed(), 405, ""),
]


async def chunks(data: bytes) -> AsyncIterator[bytes]:
    for i in range(0, len(data), 8192):
        yield data[i : i + 8192]


@pytest.mark.parametrize(
    ("name", "method", "body", "headers", "status", "reason"), HTTP_CASES,
    ids=[c[0] for c in HTTP_CASES],
)  # fmt: skip
async def test_http_bad_input(
    fake_email: FakeService, name: str, method: str, body: bytes,
    headers: Callable[[bytes], Headers], status: int, reason: str,
) -> None:  # fmt: skip
    async with httpx.AsyncClient() as client:
        resp = await client.request(
            method, f"{fake_email.url}/inbound/email", content=body, headers=headers(body)
        )
    assert resp.status_code == status, resp.text
    if reason:
        assert resp.json()["error"] == reason
    assert fake_email.publisher.calls == 0


async def test_http_chunked_oversize_is_cut_at_the_cap(fake_email: FakeService) -> None:
    async with httpx.AsyncClient() as client:
        resp = await client.post(
            f"{fake_email.url}/inbound/email", content=chunks(BIG), headers=signed_headers(BIG)
        )
    assert resp.status_code == 413
    assert fake_email.publisher.calls == 0


MAIL = "MAIL FROM:<jo@example.test>"
RCPT = f"RCPT TO:<help@{DOMAIN}>"
# (name, commands after EHLO, the reply code of the last command)
SMTP_CASES: list[tuple[str, list[str], int]] = [
    ("unknown-domain", [MAIL, "RCPT TO:<a@other.test>"], 550),
    ("subdomain", [MAIL, f"RCPT TO:<a@sub.{DOMAIN}>"], 550),
    ("lookalike-domain", [MAIL, f"RCPT TO:<a@{DOMAIN}.evil.test>"], 550),
    ("domain-prefix", [MAIL, f"RCPT TO:<a@x{DOMAIN}>"], 550),
    ("no-domain", [MAIL, "RCPT TO:<postmaster>"], 550),
    ("empty-domain", [MAIL, "RCPT TO:<user@>"], 553),
    ("size-declared-over", [f"MAIL FROM:<jo@example.test> SIZE={SMTP_MAX + 1}"], 552),
    ("size-not-a-number", ["MAIL FROM:<jo@example.test> SIZE=abc"], 501),
    ("data-before-mail", ["DATA"], 503),
    ("rcpt-before-mail", [RCPT], 503),
    ("data-without-rcpt", [MAIL, "DATA"], 503),
    ("data-after-refused-rcpt", [MAIL, "RCPT TO:<a@other.test>", "DATA"], 503),
    ("nested-mail", [MAIL, MAIL], 503),
    ("mail-bad-syntax", ["MAIL jo@example.test"], 501),
    ("mail-no-address", ["MAIL FROM:"], 501),
    ("mail-unknown-param", ["MAIL FROM:<jo@example.test> FOO=BAR"], 555),
    ("mail-bad-body-param", ["MAIL FROM:<jo@example.test> BODY=FOO"], 501),
    ("rcpt-no-address", [MAIL, "RCPT TO:"], 501),
    ("rcpt-bad-syntax", [MAIL, f"RCPT <a@{DOMAIN}>"], 501),
    ("rcpt-two-addresses", [MAIL, f"RCPT TO:<a@{DOMAIN}> <b@{DOMAIN}>"], 501),
    ("rcpt-unknown-param", [MAIL, f"RCPT TO:<a@{DOMAIN}> FOO=1"], 555),
    ("unknown-command", ["FOO"], 500),
    ("command-too-long", ["MAIL FROM:<" + "a" * 1200 + "@example.test>"], 500),
    ("auth-not-offered", ["AUTH PLAIN AGFAYg=="], 538),
    ("starttls-not-configured", ["STARTTLS"], 454),
    ("expn", ["EXPN staff"], 502),
]
# cases that start without EHLO
SMTP_BARE: list[tuple[str, list[str], int]] = [
    ("helo-without-name", ["HELO"], 501),
    ("ehlo-without-name", ["EHLO"], 501),
    ("mail-before-helo", [MAIL], 503),
    ("smtputf8-after-helo", ["HELO x", "MAIL FROM:<jo@example.test> SMTPUTF8"], 501),
]


def run_commands(port: int, commands: list[str], ehlo: bool) -> int:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        if ehlo:
            client.ehlo("client.example.test")
        code = 0
        for command in commands:
            client.putcmd(command)
            code, _ = client.getreply()
        return code


@pytest.mark.parametrize(
    ("name", "commands", "code", "ehlo"),
    [(*c, True) for c in SMTP_CASES] + [(*c, False) for c in SMTP_BARE],
    ids=[c[0] for c in SMTP_CASES + SMTP_BARE],
)
async def test_smtp_bad_input(
    fake_email: FakeService, name: str, commands: list[str], code: int, ehlo: bool
) -> None:
    got = await asyncio.to_thread(run_commands, fake_email.smtp_port, commands, ehlo)
    assert got == code
    assert fake_email.publisher.calls == 0


def data_reply(port: int, body: bytes) -> int:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.ehlo("client.example.test")
        client.mail("jo@example.test")
        client.rcpt(f"help@{DOMAIN}")
        return client.data(body)[0]


@pytest.mark.parametrize(
    ("name", "body", "code"),
    [
        ("data-over-size", GOOD + b"0123456789abcdef\r\n" * (SMTP_MAX // 16), 552),
        ("data-line-too-long", GOOD + b"y" * 1200 + b"\r\n", 500),
    ],
)
async def test_smtp_bad_data(fake_email: FakeService, name: str, body: bytes, code: int) -> None:
    assert await asyncio.to_thread(data_reply, fake_email.smtp_port, body) == code
    assert fake_email.publisher.calls == 0


def test_the_table_has_at_least_50_cases() -> None:
    assert len(HTTP_CASES) + 1 + len(SMTP_CASES) + len(SMTP_BARE) + 2 >= 50
