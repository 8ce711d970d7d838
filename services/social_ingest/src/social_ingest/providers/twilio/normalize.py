"""Twilio SMS/MMS -> Hotline events (pure): inbound messages and status callbacks."""

from __future__ import annotations

from typing import Literal

from hotline import events as ev
from hotline.phones import e164
from social_ingest.context import Context, envelope
from social_ingest.ops import Normalized
from social_ingest.providers.twilio import parse as p

STATUSES = {
    "accepted": "accepted",
    "queued": "accepted",
    "scheduled": "accepted",
    "sending": "sent",
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "undelivered": "failed",
    "failed": "failed",
    "canceled": "failed",
}


MEDIA_KINDS: dict[str, Literal["image", "audio", "video", "file"]] = {
    "image": "image",
    "audio": "audio",
    "video": "video",
}


def normalize(body: bytes, ctx: Context) -> Normalized:
    """A status callback carries ``MessageStatus``; an inbound message does not."""
    form = p.parse_form(body)
    if "MessageStatus" in form.fields:
        return Normalized(events=[_status(ctx, p.status(form))])
    return Normalized(events=[_inbound(ctx, p.inbound(form))])


def _number(raw: str, ctx: Context) -> str:
    return e164(raw, ctx.region if not raw.startswith("+") else None) or raw


def _inbound(ctx: Context, m: p.Inbound) -> ev.Event:
    ours, theirs = _number(m.to, ctx), _number(m.sender, ctx)
    channel = ev.ChannelRef(kind="sms", account_id=ours)
    base = envelope(ctx, channel, m.sid, "message", customer=theirs, at=None)
    # carrier-asserted: a From number can be spoofed, so it never links contacts by itself
    ids = [ev.identifier("phone", theirs, "carrier_asserted", source="twilio.from")]
    sender = ev.Sender(handle=m.sender, identifiers=ids if theirs.startswith("+") else [])
    refs = [
        ev.AttachmentRef(ref=url, mime_type=mime or "application/octet-stream")
        for url, mime in m.media
    ]
    content: ev.Content = ev.TextContent(text=m.body)
    if refs and not m.body:
        kind = MEDIA_KINDS.get(refs[0].mime_type.split("/")[0], "file")
        content = ev.MediaContent(media_kind=kind)
    return ev.MessageReceived(**base, sender=sender, content=content, attachments=refs)


def _status(ctx: Context, s: p.Status) -> ev.Event:
    customer = _number(s.to, ctx)
    # the number we sent from: the same account (so tenant and conversation key) as the
    # customer's messages and our reply
    ours = _number(s.ours, ctx) if s.ours.startswith("+") else s.ours
    channel = ev.ChannelRef(kind="sms", account_id=ours or "twilio")
    base = envelope(ctx, channel, s.sid, f"status.{s.status}", customer=customer, at=None)
    status = STATUSES.get(s.status, "accepted")
    return ev.DeliveryStatus(
        **base,
        target_message_id=s.sid,
        status=status,  # type: ignore[arg-type]
        recipient=customer,
        error_code=s.error_code,
    )
