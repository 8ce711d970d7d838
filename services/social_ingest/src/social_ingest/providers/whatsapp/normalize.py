"""WhatsApp Cloud webhook -> Hotline events (pure: no I/O, the clock comes in ``ctx``).

Messages -> message.received / edited / deleted / reaction; statuses -> delivery.status;
business-app echoes -> agent messages flagged ``echo``; ``calls``, ``user_preferences``,
account and template updates -> ops records for ``hotline.ops`` (not the message stream).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

from hotline import events as ev
from social_ingest.context import Context, envelope, from_unix
from social_ingest.ops import Normalized
from social_ingest.phones import e164
from social_ingest.providers.meta.ops import ops_record
from social_ingest.providers.whatsapp import parse as p

MEDIA_KINDS = ("image", "video", "audio", "document", "sticker")
STATUSES = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "played": "read",
    "failed": "failed",
    "deleted": "deleted",
}


def normalize(body: bytes, ctx: Context) -> Normalized:
    hook, values = p.parse_all(body)
    out = Normalized()
    for i, entry in enumerate(hook.entry):
        for j, change in enumerate(entry.changes):
            value = values.get((i, j))
            if value is None:
                at = from_unix(entry.time)
                out.ops.append(
                    ops_record(ctx, "whatsapp", entry.id, change.field, change.value, at=at)
                )
            else:
                out.extend(_value(ctx, value))
    return out


def _value(ctx: Context, value: p.MessagesValue) -> Normalized:
    channel = ev.ChannelRef(kind="whatsapp", account_id=value.metadata.phone_number_id)
    names: dict[str, str | None] = {
        c.wa_id: c.profile.name for c in value.contacts if c.wa_id and c.profile
    }
    out = Normalized()
    for msg in value.messages:
        out.events.append(_message(ctx, channel, msg, msg.from_, customer(msg.from_, names)))
    for echo in value.message_echoes:
        agent = ev.Sender(handle=echo.from_, role="agent")
        out.events.append(_message(ctx, channel, echo, echo.to, agent, echo=True))
    for status in value.statuses:
        out.events.append(_status(ctx, channel, status))
    return out


def customer(wa_id: str, names: dict[str, str | None]) -> ev.Sender:
    """The customer: wa_id and its E.164 phone, both verified by WhatsApp."""
    ids = [ev.Identifier(kind="wa_id", value=wa_id, source="provider", verified=True)]
    phone = e164(wa_id)
    if phone:
        ids.append(ev.Identifier(kind="phone", value=phone, source="provider", verified=True))
    return ev.Sender(handle=wa_id, display_name=names.get(wa_id), identifiers=ids)


def _message(
    ctx: Context,
    channel: ev.ChannelRef,
    msg: p.Message,
    who: str,
    sender: ev.Sender,
    *,
    echo: bool = False,
) -> ev.Event:
    base = envelope(ctx, channel, msg.id, "message", customer=who, at=from_unix(msg.timestamp))
    if msg.type == "reaction" and msg.reaction:
        return ev.Reaction(
            **base,
            target_message_id=msg.reaction.message_id,
            emoji=msg.reaction.emoji or "",
            removed=not msg.reaction.emoji,
            sender=sender,
        )
    if msg.type == "revoke" and msg.revoke:
        return ev.MessageDeleted(
            **base, target_message_id=msg.revoke.original_message_id, sender=sender
        )
    if msg.type == "edit" and msg.edit:
        content, _ = content_of(msg.edit.message)
        return ev.MessageEdited(
            **base, target_message_id=msg.edit.original_message_id, sender=sender, content=content
        )
    if msg.type == "system":
        sender = ev.Sender(handle=sender.handle, identifiers=sender.identifiers, role="system")
    content, attachments = content_of(msg)
    return ev.MessageReceived(
        **base,
        sender=sender,
        content=content,
        attachments=attachments,
        thread=_thread(msg),
        flags=_flags(msg, echo),
    )


def _thread(msg: p.Body) -> ev.ThreadHints:
    replied = msg.context.id if msg.context else None
    return ev.ThreadHints(replied_to_message_id=replied)


def _flags(msg: p.Body, echo: bool) -> ev.Flags:
    c = msg.context
    forwarded = bool(c and (c.forwarded or c.frequently_forwarded))
    return ev.Flags(forwarded=forwarded, echo=echo)


def _status(ctx: Context, channel: ev.ChannelRef, s: p.Status) -> ev.Event:
    status = STATUSES.get(s.status.lower(), "accepted")
    who = s.recipient_id or ""
    kind, at = f"status.{s.status.lower()}", from_unix(s.timestamp)
    base = envelope(ctx, channel, s.id, kind, customer=who, at=at)
    error = s.errors[0] if s.errors else None
    return ev.DeliveryStatus(
        **base,
        target_message_id=s.id,
        status=status,  # type: ignore[arg-type]
        recipient=s.recipient_id,
        error_code=str(error.code) if error and error.code else None,
        error_detail=error.describe() if error else None,
    )


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
