"""The type recorded for an uploaded file comes from its bytes, never blindly from the browser."""

from __future__ import annotations

import pytest

from unifier.domain.upload_types import OCTET, upload_type

PNG = b"\x89PNG\r\n\x1a\n" + bytes(16)


@pytest.mark.parametrize(
    ("data", "declared", "want"),
    [
        (PNG, "text/html", "image/png"),  # the bytes win over the declared type
        (b"\xff\xd8\xff\xe0" + bytes(16), None, "image/jpeg"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "application/octet-stream", "image/webp"),
        (b"%PDF-1.7\n", "application/octet-stream", "application/pdf"),
        (b"<svg onload=alert(1)>", "image/svg+xml", OCTET),  # never rendered as declared
        (b"<html><script>", "text/html", OCTET),
        (b"<script>alert(1)</script>", "text/plain", OCTET),  # markup is not plain text
        ("héllo, wörld".encode(), "text/plain; charset=utf-8", "text/plain"),
        (b"a,b\n1,2\n", "text/csv", "text/csv"),
        (b"\xff\xfe\x00bad", "text/plain", OCTET),  # not UTF-8
        (b"PK\x03\x04", "application/zip", OCTET),
    ],
)
def test_upload_type(data: bytes, declared: str | None, want: str) -> None:
    assert upload_type(data, declared) == want
