"""Raw HTTP request captures as ``HttpRequest`` data."""

from __future__ import annotations

import pytest

from hotline.capture import CaptureError, is_capture, parse_capture


def test_crlf_capture() -> None:
    req = parse_capture(b"POST /a?b=1 HTTP/1.1\r\nHost: x.test\r\nX-A: 1\r\n\r\nbody\r\n\r\nmore")
    assert (req.method, req.url, req.path, req.query) == (
        "POST",
        "https://x.test/a?b=1",
        "/a",
        {"b": "1"},
    )
    assert req.header("x-a") == "1" and req.body == b"body\r\n\r\nmore"


def test_lf_capture_with_forwarded_proto_and_chunked_body() -> None:
    head = (
        b"POST /h HTTP/1.1\nHost: x.test\nX-Forwarded-Proto: http\nTransfer-Encoding: chunked\n\n"
    )
    raw = head + b"4\r\nab\r\n\r\n2\r\ncd\r\n0\r\n\r\n"
    req = parse_capture(raw)
    assert req.url == "http://x.test/h" and req.body == b"ab\r\ncd"


@pytest.mark.parametrize(
    "raw", [b"{}", b"POST /h HTTP/1.1\r\nHost: x\r\n", b"POST /h HTTP/1.1\r\nno colon\r\n\r\n"]
)
def test_not_captures(raw: bytes) -> None:
    with pytest.raises(CaptureError):
        parse_capture(raw)


def test_is_capture() -> None:
    assert is_capture(b"GET / HTTP/2\r\n") and not is_capture(b'{"POST / HTTP/1.1": 1}')
