"""WhatsApp message bodies -> typed content (pure); anything unknown becomes ``unsupported``."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

from hotline import events as ev
from hotline.phones import e164
from social_ingest.providers.whatsapp import parse as p

MEDIA_KINDS = ("image", "video", "audio", "document", "sticker")


def content_of(body: p.Body) -> tuple[ev.Content, list[ev.AttachmentRef]]:
    """The typed content of a message body; anything unknown becomes ``unsupported``."""
    if body.type == "text" and body.text:
        return ev.TextContent(text=body.text.body), []
    if body.type in MEDIA_KINDS:
        media = getattr(body, body.type)
        if media is not None:
            return _media(body.type, media)
    simple = _simple_content(body)
    return (simple or _unsupported(body.type, body.errors)), []


def _simple_content(body: p.Body) -> ev.Content | None:
    build = _BUILDERS.get(body.type)
    return build(body) if build else None


def _location(body: p.Body) -> ev.Content | None:
    loc = body.location
    if loc is None:
        return None
    return ev.LocationContent(
        latitude=loc.latitude, longitude=loc.longitude, name=loc.name, address=loc.address
    )


def _contacts(body: p.Body) -> ev.Content | None:
    if body.contacts is None:
        return None
    return ev.ContactsContent(contacts=[_card(c) for c in body.contacts])


def _button(body: p.Body) -> ev.Content | None:
    b = body.button
    return ev.InteractiveContent(reply_id=b.payload or b.text, title=b.text) if b else None


def _system(body: p.Body) -> ev.Content | None:
    return ev.TextContent(text=body.system.body) if body.system else None


def _unsupported_body(body: p.Body) -> ev.Content | None:
    kind = body.unsupported.type if body.unsupported else "unsupported"
    return _unsupported(kind, body.errors)


def _media(kind: str, m: p.Media) -> tuple[ev.Content, list[ev.AttachmentRef]]:
    ref = ev.AttachmentRef(
        ref=f"provider:whatsapp/{m.id or ''}",
        mime_type=m.mime_type,
        sha256=_hex_sha256(m.sha256),
        filename=m.filename,
    )
    return ev.MediaContent(media_kind=kind, caption=m.caption), [ref]  # type: ignore[arg-type]


def _hex_sha256(value: str | None) -> str | None:
    """WhatsApp sends base64 SHA-256; our contract carries hex. Anything else: None."""
    if not value:
        return None
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw.hex() if len(raw) == 32 else None


def _card(c: p.Card) -> ev.ContactCard:
    n = c.name or p.CardName()
    name = n.formatted_name or " ".join(x for x in (n.first_name, n.last_name) if x)
    phones = [e164(x.phone) or x.phone for x in c.phones if x.phone]
    return ev.ContactCard(name=name, phones=phones, emails=[e.email for e in c.emails if e.email])


def _interactive(body: p.Body) -> ev.Content | None:
    i = body.interactive
    if i is None:
        return None
    choice = i.button_reply or i.list_reply
    if choice:
        return ev.InteractiveContent(
            reply_id=choice.id, title=choice.title, description=choice.description
        )
    if i.nfm_reply:
        f = i.nfm_reply
        return ev.InteractiveContent(
            reply_id=f"flow:{f.name}", title=f.body, description=f.response_json or None
        )
    if i.call_permission_reply:
        answer = i.call_permission_reply.response
        return ev.InteractiveContent(reply_id=f"call_permission:{answer}", title=answer)
    return _unsupported(f"interactive:{i.type}", [])


def _order(body: p.Body) -> ev.Content | None:
    o = body.order
    if o is None:
        return None
    items = ", ".join(f"{i.product_retailer_id} x{i.quantity}" for i in o.product_items)
    summary = f"order from catalog {o.catalog_id}: {items}" + (f" - {o.text}" if o.text else "")
    return ev.UnsupportedContent(provider_type="order", summary=summary)


def _unsupported(kind: str, errors: list[p.Error]) -> ev.Content:
    return ev.UnsupportedContent(
        provider_type=kind, summary="; ".join(e.describe() for e in errors)
    )


_BUILDERS: dict[str, Callable[[p.Body], ev.Content | None]] = {
    "location": _location,
    "contacts": _contacts,
    "interactive": _interactive,
    "button": _button,
    "order": _order,
    "system": _system,
    "unsupported": _unsupported_body,
}
