"""Walk the MIME tree into the text body, the HTML body and attachments (bytes kept as blobs).

Every leaf that is not the chosen text or HTML body becomes an ``AttachmentRef``. A part past
the byte limit (``max_total_bytes`` of blobs per message) is not stored on its own but kept by
reference: ``part`` names its MIME section and ``normalize`` points ``ref`` at the raw message,
stored whole. Past ``max_attachments`` parts are not listed (the event must stay bounded).
Either way the event says limits were reached (``attachments_truncated``).
Forwarded ``message/rfc822`` parts are kept whole, as one attachment.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from email_ingest.body import part_text, transfer_decode
from email_ingest.headers import decode_words, parse_params
from email_ingest.parse import Part
from hotline.blobs import PREFIX, sha256_hex
from hotline.events import AttachmentRef


@dataclass(frozen=True)
class Limits:
    max_attachments: int = 100
    max_total_bytes: int = 40 * 1024 * 1024


@dataclass
class Bodies:
    text: str | None = None
    html: str | None = None
    html_bytes: bytes | None = None
    attachments: list[AttachmentRef] = field(default_factory=list)
    blobs: dict[str, bytes] = field(default_factory=dict)
    truncated: bool = False
    total: int = 0

    @property
    def by_reference(self) -> list[AttachmentRef]:
        """The parts kept in the raw message (their ``ref`` is set by ``normalize``)."""
        return [a for a in self.attachments if a.part is not None]


def collect(root: Part, limits: Limits) -> Bodies:
    out = Bodies()
    for section, part in _leaves(root, ""):
        _take(part, section or "1", out, limits)
    return out


def _leaves(part: Part, section: str) -> list[tuple[str, Part]]:
    """Each leaf with its IMAP section number ("1", "2.1"; a one-part message's body is "1")."""
    if part.ctype == "message/rfc822" or not part.children:
        return [(section, part)]
    leaves: list[tuple[str, Part]] = []
    for i, child in enumerate(part.children, 1):
        leaves.extend(_leaves(child, f"{section}.{i}" if section else str(i)))
    return leaves


def _take(part: Part, section: str, out: Bodies, limits: Limits) -> None:
    disposition, filename = _disposition(part)
    is_body = disposition != "attachment" and filename is None
    textual = part.ctype == "text/plain" or part.ctype.startswith("multipart/")
    if is_body and textual and out.text is None:
        out.text = part_text(part)
    elif is_body and part.ctype == "text/html" and out.html is None:
        out.html = part_text(part)
        out.html_bytes = transfer_decode(part)
    elif part.size > 0 or filename:
        _attach(part, section, (disposition, filename), out, limits)


def _disposition(part: Part) -> tuple[str, str | None]:
    raw = part.get("content-disposition")
    disposition, params = parse_params(raw.decode("latin-1")) if raw else ("", {})
    name = params.get("filename") or part.params.get("name")
    if name is None and part.ctype == "message/rfc822":
        name = _forwarded_name(part)
    return disposition, _decoded_name(name) if name else None


def _decoded_name(name: str) -> str:
    try:
        raw = name.encode("latin-1")  # still the raw header bytes
    except UnicodeEncodeError:
        return name  # already decoded from RFC 2231
    return decode_words(raw)


def _forwarded_name(part: Part) -> str | None:
    inner = part.children[0] if part.children else None
    subject = inner.get("subject") if inner else None
    return (decode_words(subject).strip() or "forwarded") + ".eml" if subject else None


def _attach(
    part: Part, section: str, named: tuple[str, str | None], out: Bodies, lim: Limits
) -> None:
    if len(out.attachments) >= lim.max_attachments:
        out.truncated = True
        return
    data = transfer_decode(part)
    fits = out.total + len(data) <= lim.max_total_bytes
    digest = sha256_hex(data)
    disposition, filename = named
    cid = part.get("content-id")
    out.attachments.append(
        AttachmentRef(
            ref=PREFIX + digest,
            mime_type=part.ctype,
            size=len(data),
            sha256=digest,
            filename=filename,
            inline=disposition == "inline" or (disposition == "" and cid is not None),
            content_id=cid.decode("latin-1").strip().strip("<>") if cid else None,
            part=None if fits else section,
        )
    )
    if fits:
        out.blobs[PREFIX + digest] = data
        out.total += len(data)
    else:
        out.truncated = True
