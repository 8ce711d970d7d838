"""WhatsApp Cloud webhook -> Hotline events (pure: no I/O, the clock comes in ``ctx``).

Messages -> message.received / edited / deleted / reaction; statuses -> delivery.status;
business-app echoes -> agent messages flagged ``echo``; ``calls``, ``user_preferences``,
account and template updates -> ops records for ``hotline.ops`` (not the message stream).
"""

from __future__ import annotations

from hotline import events as ev
from hotline.phones import e164
from social_ingest.context import Context, envelope, from_unix
from social_ingest.identifiers import provider_verified
from social_ingest.ops import Normalized
from social_ingest.providers.meta.ops import ops_record
from social_ingest.providers.whatsapp import parse as p
from social_ingest.providers.whatsapp.content import content_of

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
    """The customer: wa_id and its E.164 phone, both vouched for by WhatsApp (the wa_id is the
    number the account was registered and verified with)."""
    ids = [provider_verified("wa_id", wa_id)]
    phone = e164(wa_id)
    if phone:
        ids.append(provider_verified("phone", phone))
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
