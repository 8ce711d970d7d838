"""What a stored message carries besides its text: the HTML body's ref and its attachments.

The thread view gets a description of each (index, name, type, size, stored or only at the
provider) and never the refs or the raw event; the content routes look the ref up again by
message and index. An attachment the edge did not store (``provider:whatsapp/<id>``) is shown
as "not stored" with the provider's id: nothing is fetched from a provider's CDN. One the edge
tried to copy and could not carries ``fetch_error`` (why: "http 404", "timeout"): shown as
failed, with the reason.
"""

from __future__ import annotations

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


def attachment(event: ev.MessageReceived | None, index: int) -> ev.AttachmentRef | None:
    if event is None or not 0 <= index < len(event.attachments):
        return None
    return event.attachments[index]


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
        "attachments": [_view(i, a) for i, a in enumerate(event.attachments if event else [])],
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
