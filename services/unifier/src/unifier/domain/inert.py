"""Customer-written strings and files made inert for the agent's browser (pure decisions).

- Bidi controls: the explicit embeddings, overrides and isolates (U+202A-U+202E,
  U+2066-U+2069) are stripped from every shown name, subject, filename and text, so
  ``invoice\u202egpj.exe`` reads ``invoicegpj.exe`` and not ``invoiceexe.jpg``; real
  right-to-left text needs none of them (the Unicode algorithm orders it), and the templates
  isolate each customer string in ``<bdi>`` so its direction cannot spill into ours. The
  implicit marks (LRM, RLM, ALM) stay: they move no character across another.
- Files: whether bytes may be shown inline is decided by their magic bytes alone (PNG, JPEG,
  GIF, WebP; never SVG, never by the declared type); the download name is cleaned of controls,
  path separators and leading dots.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Raster formats browsers decode without running anything, by signature
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
SNIFF_BYTES = 12
MAX_FILENAME = 120
FALLBACK_NAME = "attachment"


def unbidi(text: str) -> str:
    """The text without bidi embeddings, overrides and isolates."""
    return BIDI_CONTROLS.sub("", text)


def sniff_image(head: bytes) -> str | None:
    """The media type of a safe raster image from its first bytes; None for anything else."""
    for magic, mime in _MAGIC:
        if head.startswith(magic):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


_AUDIO: tuple[tuple[bytes, str], ...] = (
    (b"ID3", "audio/mpeg"),
    (b"\xff\xfb", "audio/mpeg"),
    (b"\xff\xf3", "audio/mpeg"),
    (b"\xff\xf2", "audio/mpeg"),
    (b"OggS", "audio/ogg"),
    (b"fLaC", "audio/flac"),
)


def sniff_audio(head: bytes) -> str | None:
    """The media type of a call recording from its first bytes (WAV, MP3, Ogg, FLAC: what an
    ``<audio>`` element plays, and nothing a browser would run); None for anything else."""
    for magic, mime in _AUDIO:
        if head.startswith(magic):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    return None


def safe_filename(name: str | None) -> str:
    """A download name: no controls (bidi included), no path, no leading dots, bounded."""
    cleaned = "".join(
        c for c in unbidi(name or "") if unicodedata.category(c)[0] != "C" and c not in "/\\"
    )
    cleaned = cleaned.strip().lstrip(".").strip()
    return cleaned[:MAX_FILENAME] or FALLBACK_NAME


def content_disposition(name: str | None, inline: bool = False) -> str:
    """RFC 6266 header value: an ASCII fallback plus the UTF-8 name (RFC 5987)."""
    clean = safe_filename(name)
    ascii_name = re.sub(r"[^A-Za-z0-9._ -]", "_", clean)
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(clean, safe='')}"
