"""Hostile MIME: every cap is a dead-letter reason, reached fast, never a crash or a hang."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from email_ingest import parse as mime
from email_ingest.normalize import MailboxConfig, normalize
from hotline.kafka.errors import PermanentError


def nested(depth: int) -> bytes:
    head = b"".join(
        b"Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n" % (i, i) for i in range(depth)
    )
    return b"Subject: deep\n" + head + b"Content-Type: text/plain\n\nhi\n"


def many_parts(n: int, size: int = 1) -> bytes:
    body = b"".join(b"--a\nx:y\n\n" + b"z" * size + b"\n" for _ in range(n))
    return b"Content-Type: multipart/mixed; boundary=a\n\n" + body + b"--a--\n"


def reason(raw: bytes, **kw: float) -> str:
    with pytest.raises(PermanentError) as info:
        mime.parse(raw, **kw)
    return info.value.reason


def test_depth_100_is_fine_and_101_is_dead_lettered() -> None:
    assert max(p.depth for p in mime.parse(nested(100)).walk()) == 100
    assert reason(nested(101)) == "mime_too_deep"


def test_header_block_over_100_kb() -> None:
    raw = b"X-Big: " + b"a" * 60 + b"\n"
    assert reason(raw * 2000 + b"\nbody") == "header_too_large"
    assert mime.parse(raw * 1000 + b"\nbody").body == b"body"


def test_part_header_block_over_100_kb() -> None:
    part = b"X-Big: " + b"a" * 60 + b"\n"
    raw = b"Content-Type: multipart/mixed; boundary=a\n\n--a\n" + part * 2000 + b"\nx\n--a--\n"
    assert reason(raw) == "header_too_large"


def test_more_than_1000_parts() -> None:
    assert len(mime.parse(many_parts(999)).children) == 999
    assert reason(many_parts(1001)) == "too_many_parts"


def test_one_megabyte_of_tiny_parts_is_rejected_quickly() -> None:
    raw = b"Content-Type: multipart/mixed; boundary=a\n\n" + b"--a\nx:y\n\n" * 120_000
    start = time.thread_time()
    assert reason(raw) == "too_many_parts"
    assert time.thread_time() - start < 1.0


def test_cpu_budget() -> None:
    assert reason(many_parts(900, size=2000), cpu_s=0.0) == "cpu_budget_exceeded"


def test_empty_message() -> None:
    assert reason(b"\r\n \r\n") == "empty_message"


def test_missing_close_delimiter_keeps_the_last_part() -> None:
    raw = b"Content-Type: multipart/mixed; boundary=a\n\n--a\n\none\n--a\n\ntwo\n"
    root = mime.parse(raw)
    assert [c.body for c in root.children] == [b"one", b"two\n"]
    assert root.defects == ["missing_close_delimiter"]


def test_boundary_not_found_keeps_the_body() -> None:
    root = mime.parse(b"Content-Type: multipart/mixed; boundary=zz\n\njust text\n")
    assert root.children == [] and root.body == b"just text\n"
    assert root.defects == ["boundary_not_found"]


def test_similar_boundaries_do_not_split_each_other() -> None:
    raw = (
        b"Content-Type: multipart/mixed; boundary=ab\n\n--ab\n"
        b"Content-Type: multipart/alternative; boundary=ab-c\n\n--ab-c\n\ninner\n--ab-c--\n"
        b"--ab\n\nsecond\n--ab--\n"
    )
    root = mime.parse(raw)
    assert [c.ctype for c in root.children] == ["multipart/alternative", "text/plain"]
    assert root.children[0].children[0].body == b"inner"


def test_crlf_and_folded_headers() -> None:
    root = mime.parse(b"Subject: a\r\n\tb\r\nX: 1\r\n\r\nbody\r\n")
    assert root.get("subject") == b"a b" and root.body == b"body\n"


def test_junk_line_inside_header_block_is_skipped() -> None:
    root = mime.parse(b"A: 1\njunk line\nB: 2\n\nbody")
    assert root.get("b") == b"2" and root.body == b"body"


RFC2231 = b"".join(b"n*%d*=%%41; " % i for i in range(3000))


def _mail(headers: bytes, body: bytes) -> bytes:
    return b"From: a@b.test\r\nMessage-ID: <p@b.test>\r\n" + headers + b"\r\n" + body


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("2000-link-html", _mail(b"Content-Type: text/html\r\n",
                                 b"<a href='http://x.test/'>link</a> " * 2000)),
        ("unclosed-comments", _mail(b"Content-Type: text/html\r\n", b"<!-- <script " * 100_000)),
        ("whitespace-html", _mail(b"Content-Type: text/html\r\n", b" \t\r\n" * 500_000)),
        ("many-encoded-words", _mail(b"Subject: " + b"=?utf-8?Q?a?= " * 5000 + b"\r\n", b"x")),
        ("many-addresses", _mail(b"To: " + b"a@b.test, " * 8000 + b"\r\n", b"x")),
        ("quote-lines", _mail(b"", b"On Monday x wrote:\r\n" * 50_000)),
        ("deep-rfc2231", _mail(b"Content-Type: text/plain; " + RFC2231 + b"\r\n", b"x")),
    ],
)  # fmt: skip
def test_pathological_input_is_fast(name: str, raw: bytes) -> None:
    start = time.thread_time()
    try:
        normalize(raw, MailboxConfig(), datetime.now(UTC))
    except PermanentError as exc:
        assert exc.reason
    assert time.thread_time() - start < 1.0, name
