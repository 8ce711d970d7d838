"""The media type of a file an agent uploads, decided from its bytes (pure).

The browser's declared type is never taken for anything a browser could render as active
content: raster images and PDF are recognized by their signature, plain text and CSV are kept
as declared only when the bytes are UTF-8 text without markup; everything else is
``application/octet-stream`` (served as a download, sent as a document)."""

from __future__ import annotations

from unifier.domain.inert import SNIFF_BYTES, sniff_image

OCTET = "application/octet-stream"
TEXT_TYPES = frozenset({"text/plain", "text/csv"})
_SIGNATURES: tuple[tuple[bytes, str], ...] = ((b"%PDF-", "application/pdf"),)


def upload_type(data: bytes, declared: str | None) -> str:
    """The type to record for the file ``data`` that the browser called ``declared``."""
    image = sniff_image(data[:SNIFF_BYTES])
    if image is not None:
        return image
    for magic, mime in _SIGNATURES:
        if data.startswith(magic):
            return mime
    base = (declared or "").split(";", 1)[0].strip().lower()
    return base if base in TEXT_TYPES and _plain_text(data) else OCTET


def _plain_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return "<" not in text and "\x00" not in text
