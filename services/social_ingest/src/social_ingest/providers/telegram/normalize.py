"""Telegram ``Update`` -> Hotline events (pure). Provider ids are ``<chat id>:<message id>``
(Telegram numbers messages per chat); edits and callback queries get their own ids."""

from __future__ import annotations

import msgspec

from hotline import events as ev
from hotline.phones import e164
from social_ingest.context import Context, envelope, from_unix
from social_ingest.identifiers import provider_verified
from social_ingest.ops import Normalized
from social_ingest.providers.meta.ops import ops_record
from social_ingest.providers.telegram import parse as p


def normalize(body: bytes, ctx: Context, bot_id: str = "bot") -> Normalized:
    u = p.parse(body)
    channel = ev.ChannelRef(kind="telegram", account_id=bot_id)
    out = Normalized()
    if u.message:
        out.events.append(_message(ctx, channel, u.message))
    elif u.edited_message:
        out.events.append(_edited(ctx, channel, u.edited_message))
    elif u.callback_query:
        out.events.append(_callback(ctx, channel, u.callback_query))
    elif u.message_reaction:
        out.events.append(_reaction(ctx, channel, u.message_reaction))
    else:
        out.ops.append(ops_record(ctx, "telegram", bot_id, "update", msgspec.Raw(body), at=None))
    return out


def sender_of(user: p.User | None, chat: p.Chat) -> ev.Sender:
    uid = str(user.id if user else chat.id)
    ident = provider_verified("telegram_id", uid)
    name = " ".join(x for x in (user.first_name, user.last_name) if x) if user else None
    role: ev.Role = "bot" if user and user.is_bot else "customer"
    return ev.Sender(handle=str(chat.id), display_name=name or None, identifiers=[ident], role=role)


def own_phone(m: p.Message) -> str | None:
    """The sender's own number: a shared contact whose ``user_id`` is the sender's id (Telegram
    fills it in from its account, the "share my phone number" button). A card of anyone else,
    or without a user id, is content and never the sender's phone."""
    c, who = m.contact, m.from_
    if c is None or who is None or who.is_bot or c.user_id != who.id:
        return None
    return e164(c.phone_number)


def pid(chat: p.Chat, message_id: int) -> str:
    return f"{chat.id}:{message_id}"


def _message(ctx: Context, channel: ev.ChannelRef, m: p.Message) -> ev.Event:
    base = envelope(
        ctx,
        channel,
        pid(m.chat, m.message_id),
        "message",
        customer=str(m.chat.id),
        at=from_unix(m.date),
    )
    content, refs = content_of(m)
    sender = sender_of(m.from_, m.chat)
    phone = own_phone(m)
    if phone:
        sender.identifiers.append(provider_verified("phone", phone, source="telegram.contact"))
    replied = pid(m.chat, m.reply_to_message.message_id) if m.reply_to_message else None
    thread = ev.ThreadHints(
        replied_to_message_id=replied,
        chat_thread_id=str(m.message_thread_id) if m.message_thread_id else None,
    )
    forwarded = m.forward_origin is not None or m.forward_date is not None
    return ev.MessageReceived(
        **base,
        sender=sender,
        content=content,
        attachments=refs,
        thread=thread,
        flags=ev.Flags(forwarded=forwarded),
    )


def content_of(m: p.Message) -> tuple[ev.Content, list[ev.AttachmentRef]]:
    media = _media(m)
    if media:
        kind, f = media
        ref = ev.AttachmentRef(
            ref=f"provider:telegram/{f.file_id}",
            mime_type=f.mime_type or _mime(kind),
            size=f.file_size,
            filename=f.file_name,
        )
        return ev.MediaContent(media_kind=kind, caption=m.caption), [ref]  # type: ignore[arg-type]
    if m.venue:
        v = m.venue
        return ev.LocationContent(
            latitude=v.location.latitude,
            longitude=v.location.longitude,
            name=v.title or None,
            address=v.address or None,
        ), []
    if m.location:
        return ev.LocationContent(latitude=m.location.latitude, longitude=m.location.longitude), []
    if m.contact:
        c = m.contact
        name = " ".join(x for x in (c.first_name, c.last_name) if x)
        card = ev.ContactCard(name=name, phones=[e164(c.phone_number) or c.phone_number])
        return ev.ContactsContent(contacts=[card]), []
    if m.text is not None:
        return ev.TextContent(text=m.text), []
    return ev.UnsupportedContent(provider_type="message", summary="no content we know"), []


def _media(m: p.Message) -> tuple[str, p.File] | None:
    if m.photo:
        return "image", max(m.photo, key=lambda f: f.file_size or 0)  # the largest size
    for kind, f in (
        ("document", m.document),
        ("audio", m.audio),
        ("audio", m.voice),
        ("video", m.video),
        ("video", m.video_note),
        ("sticker", m.sticker),
    ):
        if f is not None:
            return kind, f
    return None


def _mime(kind: str) -> str:
    return {
        "image": "image/jpeg",
        "sticker": "image/webp",
        "video": "video/mp4",
        "audio": "audio/ogg",
    }.get(kind, "application/octet-stream")


def _edited(ctx: Context, channel: ev.ChannelRef, m: p.Message) -> ev.Event:
    target = pid(m.chat, m.message_id)
    base = envelope(
        ctx,
        channel,
        f"{target}:edit:{m.edit_date or 0}",
        "edited",
        customer=str(m.chat.id),
        at=from_unix(m.edit_date or m.date),
    )
    content, _ = content_of(m)
    return ev.MessageEdited(
        **base, target_message_id=target, sender=sender_of(m.from_, m.chat), content=content
    )


def _callback(ctx: Context, channel: ev.ChannelRef, q: p.CallbackQuery) -> ev.Event:
    chat = q.message.chat if q.message else p.Chat(id=q.from_.id)
    base = envelope(
        ctx,
        channel,
        f"callback:{q.id}",
        "message",
        customer=str(chat.id),
        at=from_unix(q.message.date) if q.message else None,
    )
    replied = pid(chat, q.message.message_id) if q.message else None
    return ev.MessageReceived(
        **base,
        sender=sender_of(q.from_, chat),
        content=ev.InteractiveContent(reply_id=q.data or "", title=q.data or ""),
        thread=ev.ThreadHints(replied_to_message_id=replied),
    )


def _reaction(ctx: Context, channel: ev.ChannelRef, r: p.MessageReaction) -> ev.Event:
    target = pid(r.chat, r.message_id)
    new = next((x.emoji for x in r.new_reaction if x.emoji), None)
    old = next((x.emoji for x in r.old_reaction if x.emoji), None)
    who = r.user.id if r.user else r.chat.id
    base = envelope(
        ctx,
        channel,
        f"{target}:reaction:{who}:{r.date}",
        "reaction",
        customer=str(r.chat.id),
        at=from_unix(r.date),
    )
    return ev.Reaction(
        **base,
        target_message_id=target,
        emoji=new or old or "",
        removed=new is None,
        sender=sender_of(r.user, r.chat),
    )
