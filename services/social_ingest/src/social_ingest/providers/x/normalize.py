"""X direct messages -> Hotline events (pure). Our own sends (sender = for_user_id) are ignored:
they are our replies, recorded by reply.result; typing indicators are dropped as noise;
tweet, follow and favorite sections -> ops records."""

from __future__ import annotations

from hotline import events as ev
from social_ingest.context import Context, envelope, from_unix
from social_ingest.identifiers import provider_verified
from social_ingest.ops import Normalized
from social_ingest.providers.meta.ops import ops_record
from social_ingest.providers.x import parse as p


def normalize(body: bytes, ctx: Context) -> Normalized:
    hook, others = p.parse(body)
    channel = ev.ChannelRef(kind="x", account_id=hook.for_user_id)
    out = Normalized()
    for dm in hook.direct_message_events:
        mc = dm.message_create
        if dm.type == "message_create" and mc and mc.sender_id != hook.for_user_id:
            out.events.append(_message(ctx, channel, dm, mc, hook.users.get(mc.sender_id)))
    for read in hook.direct_message_mark_read_events:
        if read.sender_id != hook.for_user_id:
            out.events.append(_read(ctx, channel, read))
    for field, raw in others.items():
        out.ops.append(ops_record(ctx, "x", hook.for_user_id, field, raw, at=None))
    return out


def _message(
    ctx: Context, channel: ev.ChannelRef, dm: p.DmEvent, mc: p.MessageCreate, user: p.User | None
) -> ev.Event:
    at = from_unix(dm.created_timestamp, millis=True)
    base = envelope(ctx, channel, dm.id, "message", customer=mc.sender_id, at=at)
    ident = provider_verified("x_id", mc.sender_id)
    sender = ev.Sender(
        handle=mc.sender_id, display_name=user.name if user else None, identifiers=[ident]
    )
    content, refs = _content(mc.message_data)
    return ev.MessageReceived(**base, sender=sender, content=content, attachments=refs)


def _content(data: p.MessageData) -> tuple[ev.Content, list[ev.AttachmentRef]]:
    media = data.attachment.media if data.attachment else None
    refs = []
    if media and media.media_url_https:
        mime = "video/mp4" if media.type in ("video", "animated_gif") else "image/jpeg"
        refs.append(ev.AttachmentRef(ref=media.media_url_https, mime_type=mime))
    qr = data.quick_reply_response
    if qr and qr.metadata:
        return ev.InteractiveContent(reply_id=qr.metadata, title=data.text), refs
    if media and not data.text:
        kind = "video" if media.type in ("video", "animated_gif") else "image"
        return ev.MediaContent(media_kind=kind), refs  # type: ignore[arg-type]
    return ev.TextContent(text=data.text), refs


def _read(ctx: Context, channel: ev.ChannelRef, r: p.MarkRead) -> ev.Event:
    at = from_unix(r.created_timestamp, millis=True)
    base = envelope(ctx, channel, r.last_read_event_id, "status.read", customer=r.sender_id, at=at)
    return ev.DeliveryStatus(
        **base, target_message_id=r.last_read_event_id, status="read", recipient=r.sender_id
    )
