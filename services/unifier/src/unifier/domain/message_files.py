"""What a stored message carries besides its text: the HTML body's ref and its attachments
(a customer's, or the files an agent's reply carries).

The thread view gets a description of each (index, name, type, size, stored or only at the
provider) and never the refs or the raw event; the content routes look the ref up again by
message and index. An attachment the edge did not store (``provider:whatsapp/<id>``) is shown
as "not stored" with the provider's id: nothing is fetched from a provider's CDN. One the edge
tried to copy and could not carries ``fetch_error`` (why: "http 404", "timeout"): shown as
failed, with the reason. One too large to store on its own (``part``: its MIME section) is read
from the raw message it came in (``part_bytes``).
"""

from __future__ import annotations

import email
import email.policy
from email.message import Message
from typing import Any

from hotline import events as ev

BLOB_PREFIX = "blob:"  # the blob store's refs; anything else is a provider's media id


def inbound(payload: bytes) -> ev.MessageReceived | None:
    """The inbound event a message row was written from (None: an agent's reply)."""
    event = ev.decode(payload)
    return event if isinstance(event, ev.MessageReceived) else None


def html_ref(event: ev.MessageReceived | None) -> str | None:
    content = event.content if event else None
    return content.html_ref if isinstance(content, ev.EmailContent) else None


def carried(payload: bytes) -> list[ev.AttachmentRef]:
    """The files of a message row: a customer message's, or those an agent's reply carries."""
    event = ev.decode(payload)
    if isinstance(event, ev.MessageReceived | ev.ReplyRequested):
        return list(event.attachments)
    return []


def attachment(payload: bytes, index: int) -> ev.AttachmentRef | None:
    files = carried(payload)
    return files[index] if 0 <= index < len(files) else None


def provider_id(ref: str) -> str | None:
    """The provider's media id of a ref the edge did not store ("provider:whatsapp/123")."""
    return None if ref.startswith(BLOB_PREFIX) else ref.split("/", 1)[-1]


def describe(payload: bytes) -> dict[str, Any]:
    """The fields the thread view adds to a message: subject, has HTML, attachments."""
    event = inbound(payload)
    content = event.content if event else None
    return {
        "subject": content.subject if isinstance(content, ev.EmailContent) else None,
        "has_html": html_ref(event) is not None,
        "attachments": [_view(i, a) for i, a in enumerate(carried(payload))],
    }


def _view(index: int, a: ev.AttachmentRef) -> dict[str, Any]:
    return {
        "index": index,
        "filename": a.filename,
        "mime_type": a.mime_type,
        "size": a.size,
        "stored": a.ref.startswith(BLOB_PREFIX),
        "provider_id": provider_id(a.ref),
        "fetch_error": a.fetch_error,  # set: the edge's copy from the provider failed
        "inline": a.inline,
        "image": None,  # a safe raster image? decided from the bytes by the web tier
    }


def part_bytes(raw: bytes, section: str) -> bytes | None:
    """The decoded body of MIME section ``section`` ("2", "1.3"; IMAP numbering: a one-part
    message's body is "1") of a raw message; None when it has no such part. Text parts may
    differ from the edge's copy in the line break before a boundary (parsers differ there)."""
    node: Message | None = email.message_from_bytes(raw, policy=email.policy.compat32)
    steps = section.split(".")
    if node is not None and not _multipart(node):
        return _decoded(node) if steps == ["1"] else None
    for step in steps:
        node = _child(node, step) if node is not None and _multipart(node) else None
    return _decoded(node) if node is not None else None


def _multipart(node: Message) -> bool:
    return node.is_multipart() and node.get_content_type() != "message/rfc822"


def _child(node: Message, step: str) -> Message | None:
    kids = node.get_payload()
    if not (step.isdigit() and isinstance(kids, list) and 0 < int(step) <= len(kids)):
        return None
    kid = kids[int(step) - 1]
    return kid if isinstance(kid, Message) else None


def _decoded(node: Message) -> bytes | None:
    if node.is_multipart():  # message/* kept whole by the edge (rfc822, delivery-status)
        whole = node.as_bytes()
        return whole.split(b"\n\n", 1)[1] if b"\n\n" in whole else None
    body = node.get_payload(decode=True)
    return body if isinstance(body, bytes) else None
