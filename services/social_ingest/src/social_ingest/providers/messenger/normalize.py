"""Messenger / Instagram webhook -> Hotline events (pure).

Customer messages, postbacks, reactions, edits, deletes (Instagram), story replies and mentions
-> events; deliveries and reads -> delivery.status; echoes (what our page sent) -> agent
messages flagged ``echo``, never customer messages; other items and ``changes`` -> ops records.
"""

from __future__ import annotations

import msgspec

from hotline import events as ev
from hotline.kafka.errors import PermanentError
from social_ingest.context import Context, envelope, from_unix
from social_ingest.identifiers import provider_verified
from social_ingest.ops import Normalized
from social_ingest.providers.messenger import parse as p
from social_ingest.providers.meta.ops import ops_record

MEDIA = {
    "image": "image",
    "video": "video",
    "audio": "audio",
    "file": "file",
    "story_mention": "image",
    "ig_reel": "video",
    "reel": "video",
}


def normalize(body: bytes, ctx: Context, expect: str | None = None) -> Normalized:
    """``expect``: the object this route serves ("page" or "instagram"); None accepts both."""
    hook, items = p.parse(body)
    if expect and hook.object != expect:
        detail = f"Expected `{expect}`, got `{hook.object}` - at `$.object`"
        raise PermanentError("schema_mismatch", detail)
    kind: ev.ChannelKind = "instagram" if hook.object == "instagram" else "messenger"
    out = Normalized()
    for i, entry in enumerate(hook.entry):
        channel = ev.ChannelRef(kind=kind, account_id=entry.id)
        for j, raw in enumerate(entry.messaging):
            out.extend(_item(ctx, channel, items[i, j], raw))
        for change in entry.changes:
            at = from_unix(entry.time, millis=True)
            out.ops.append(ops_record(ctx, kind, entry.id, change.field, change.value, at=at))
    return out


def _item(ctx: Context, channel: ev.ChannelRef, m: p.Messaging, raw: msgspec.Raw) -> Normalized:
    echo = bool(m.message and m.message.is_echo)
    customer = m.recipient.id if echo else m.sender.id
    out = Normalized()
    if m.message:
        out.events.append(_message(ctx, channel, m, m.message, customer))
    elif m.delivery:
        out.events += [_status(ctx, channel, m, mid, "delivered") for mid in _mids(m.delivery)]
    elif m.read:
        out.events.append(_status(ctx, channel, m, m.read.mid or _mark(m.read.watermark), "read"))
    elif m.postback or m.reaction or m.message_edit:
        out.events.append(_action(ctx, channel, m))
    else:
        at = from_unix(m.timestamp, millis=True)
        out.ops.append(ops_record(ctx, channel.kind, channel.account_id, "messaging", raw, at=at))
    return out


def customer_of(channel: ev.ChannelRef, psid: str, role: ev.Role = "customer") -> ev.Sender:
    kind: ev.IdentifierKind = "ig_id" if channel.kind == "instagram" else "psid"
    ident = provider_verified(kind, f"{channel.account_id}:{psid}")  # page-scoped id
    return ev.Sender(handle=psid, identifiers=[ident] if role == "customer" else [], role=role)


def _message(
    ctx: Context, channel: ev.ChannelRef, m: p.Messaging, msg: p.Message, customer: str
) -> ev.Event:
    base = envelope(
        ctx, channel, msg.mid, "message", customer=customer, at=from_unix(m.timestamp, millis=True)
    )
    if msg.is_deleted:
        return ev.MessageDeleted(
            **base, target_message_id=msg.mid, sender=customer_of(channel, m.sender.id)
        )
    role: ev.Role = "agent" if msg.is_echo else "customer"
    content, attachments = _content(msg)
    return ev.MessageReceived(
        **base,
        sender=customer_of(channel, m.sender.id, role),
        content=content,
        attachments=attachments,
        thread=_thread(msg),
        flags=ev.Flags(echo=msg.is_echo),
    )


def _content(msg: p.Message) -> tuple[ev.Content, list[ev.AttachmentRef]]:
    refs = [_ref(a) for a in msg.attachments if a.payload and a.payload.url]
    if msg.quick_reply:
        return ev.InteractiveContent(reply_id=msg.quick_reply.payload, title=msg.text or ""), refs
    if msg.text is not None:
        return ev.TextContent(text=msg.text), refs
    first = msg.attachments[0] if msg.attachments else None
    if first and first.type == "location" and first.payload and first.payload.coordinates:
        c = first.payload.coordinates
        loc = ev.LocationContent(
            latitude=c.get("lat", 0.0), longitude=c.get("long", 0.0), name=first.payload.title
        )
        return loc, []
    if first and first.type in MEDIA:
        caption = "story mention" if first.type == "story_mention" else None
        return ev.MediaContent(media_kind=MEDIA[first.type], caption=caption), refs  # type: ignore[arg-type]
    kind = first.type if first else ("unsupported" if msg.is_unsupported else "empty")
    return ev.UnsupportedContent(provider_type=kind), refs


def _ref(a: p.Attachment) -> ev.AttachmentRef:
    assert a.payload is not None and a.payload.url is not None
    mime = {"image": "image/*", "video": "video/*", "audio": "audio/*"}.get(a.type)
    return ev.AttachmentRef(ref=a.payload.url, mime_type=mime or "application/octet-stream")


def _thread(msg: p.Message) -> ev.ThreadHints:
    r = msg.reply_to
    if r is None:
        return ev.ThreadHints()
    replied = r.mid or (f"story:{r.story.id}" if r.story and r.story.id else None)
    return ev.ThreadHints(replied_to_message_id=replied)


def _mids(d: p.Delivery) -> list[str]:
    return d.mids or [_mark(d.watermark)]


def _mark(watermark: int | None) -> str:
    return f"watermark:{watermark}"  # everything before this time; no single message id


def _status(
    ctx: Context, channel: ev.ChannelRef, m: p.Messaging, mid: str, status: str
) -> ev.Event:
    at = from_unix(m.timestamp, millis=True)
    base = envelope(ctx, channel, mid, f"status.{status}", customer=m.sender.id, at=at)
    return ev.DeliveryStatus(
        **base,
        target_message_id=mid,
        status=status,  # type: ignore[arg-type]
        recipient=m.sender.id,
    )


def _action(ctx: Context, channel: ev.ChannelRef, m: p.Messaging) -> ev.Event:
    """Postbacks, reactions and edits: ids derived from the target and the time."""
    at, who = from_unix(m.timestamp, millis=True), customer_of(channel, m.sender.id)
    if m.reaction:
        r = m.reaction
        pid = f"{r.mid}:{r.action}:{m.sender.id}:{m.timestamp}"
        base = envelope(ctx, channel, pid, "reaction", customer=m.sender.id, at=at)
        removed = r.action == "unreact"
        return ev.Reaction(
            **base,
            target_message_id=r.mid,
            emoji=r.emoji or r.reaction or "",
            removed=removed,
            sender=who,
        )
    if m.message_edit:
        e = m.message_edit
        pid = f"{e.mid}:edit:{e.num_edit if e.num_edit is not None else m.timestamp}"
        base = envelope(ctx, channel, pid, "edited", customer=m.sender.id, at=at)
        return ev.MessageEdited(
            **base, target_message_id=e.mid, sender=who, content=ev.TextContent(text=e.text)
        )
    assert m.postback is not None
    pb = m.postback
    pid = pb.mid or f"postback:{m.sender.id}:{m.timestamp}"
    base = envelope(ctx, channel, pid, "message", customer=m.sender.id, at=at)
    return ev.MessageReceived(
        **base, sender=who, content=ev.InteractiveContent(reply_id=pb.payload, title=pb.title)
    )
