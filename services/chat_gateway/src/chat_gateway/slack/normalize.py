"""Slack events -> Hotline events (pure: the clock, the tenant, our own app's ids and the
senders' profiles are passed in)."""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from chat_gateway.slack.parse import (
    EventCallback,
    File,
    InnerEvent,
    Message,
    MessageEvent,
    ReactionEvent,
)
from chat_gateway.slack.profile import Profile
from hotline import events as ev
from hotline.kafka import PermanentError

NEW_MESSAGE_SUBTYPES = frozenset({None, "file_share", "thread_broadcast", "me_message"})


MediaKind = Literal["image", "audio", "video", "document", "sticker", "file"]
_MEDIA: dict[str, MediaKind] = {"image": "image", "audio": "audio", "video": "video"}


@dataclass(frozen=True)
class Context:
    received_at: datetime
    tenant: str  # the workspace's tenant, from configuration
    own_bot_users: frozenset[str] = field(default_factory=frozenset)
    own_apps: frozenset[str] = field(default_factory=frozenset)
    trusted_teams: Container[str] = field(default_factory=frozenset)  # profile emails verified
    profiles: Mapping[str, Profile] = field(default_factory=dict)  # user id -> users.info


def slack_time(ts: str) -> datetime:
    try:
        return datetime.fromtimestamp(float(ts), UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise PermanentError("bad_ts", f"not a Slack ts: {ts!r}") from exc


def normalize(callback: EventCallback, inner: InnerEvent, ctx: Context) -> list[ev.Event]:
    if isinstance(inner, ReactionEvent):
        return _reaction(callback, inner, ctx)
    if isinstance(inner, MessageEvent):
        return _message_event(callback, inner, ctx)
    return []


def _message_event(cb: EventCallback, msg: MessageEvent, ctx: Context) -> list[ev.Event]:
    if msg.subtype == "message_changed" and msg.message is not None:
        # no ``edited`` mark: Slack changed it (link unfurl, thread metadata), not the user
        if _is_bot(msg.message, ctx) or msg.message.edited is None:
            return []
        return [_edited(cb, msg, msg.message, ctx)]
    if msg.subtype == "message_deleted" and msg.deleted_ts:
        return [_deleted(cb, msg, ctx)]
    if msg.subtype not in NEW_MESSAGE_SUBTYPES or _is_bot(msg, ctx) or not msg.user:
        return []
    return [_received(cb, msg, ctx)]


def _is_bot(msg: Message, ctx: Context) -> bool:
    return (
        msg.subtype == "bot_message"
        or msg.bot_id is not None
        or msg.user in ctx.own_bot_users
        or msg.app_id in ctx.own_apps
    )


def _envelope(
    cb: EventCallback, channel: str, provider_id: str, *, kind: str, ctx: Context, ts: str
) -> ev.EnvelopeFields:
    return {
        "event_id": ev.event_id_for(ctx.tenant, "slack", provider_id, kind),
        "tenant": ctx.tenant,
        "channel": ev.ChannelRef(kind="slack", account_id=cb.team_id),
        "provider_message_id": provider_id,
        "received_at": ctx.received_at,
        "conversation_key": f"slack:{cb.team_id}:{channel}",
        "provider_timestamp": slack_time(ts),
    }


def sender(cb: EventCallback, channel: str, msg: Message, ctx: Context) -> ev.Sender:
    user = msg.user or ""
    home = msg.user_team or msg.team or cb.team_id
    external = home != cb.team_id
    source = "slack.connect" if external else "provider"
    ident = ev.identifier("slack_user", f"{home}:{user}", "provider_verified", source)
    profile = ctx.profiles.get(user)
    if profile is None:  # users.info failed or was not asked: the event's own names, if any
        names = msg.user_profile
        name = (names.real_name or names.display_name or None) if names else None
        return ev.Sender(handle=channel, display_name=name, identifiers=[ident])
    idents = [ident] + (
        [profile_email(profile.email, home in ctx.trusted_teams)] if profile.email else []
    )
    return ev.Sender(
        handle=channel, display_name=profile.name, identifiers=idents, avatar_url=profile.avatar_url
    )


def profile_email(email: str, trusted: bool) -> ev.Identifier:
    """Slack checked the address at sign-up, but only a workspace we trust (its own members,
    its domain rules) makes that proof enough to link on; elsewhere it is a claim."""
    return ev.identifier(
        "email", email, "provider_verified" if trusted else "unverified", "slack.profile"
    )


def attachment(f: File) -> ev.AttachmentRef:
    return ev.AttachmentRef(
        ref=f"provider:slack/{f.id}",
        mime_type=f.mimetype,
        size=f.size,
        filename=f.name or f.title,
    )


def content(msg: Message) -> ev.Content:
    if msg.text or not msg.files:
        return ev.TextContent(text=msg.text)
    return ev.MediaContent(media_kind=media_kind(msg.files[0].mimetype))


def media_kind(mime: str) -> MediaKind:
    return _MEDIA.get(mime.split("/", 1)[0], "file")


def _received(cb: EventCallback, msg: MessageEvent, ctx: Context) -> ev.MessageReceived:
    pid = f"{msg.channel}:{msg.ts}"
    return ev.MessageReceived(
        **_envelope(cb, msg.channel, pid, kind="", ctx=ctx, ts=msg.ts),
        sender=sender(cb, msg.channel, msg, ctx),
        content=content(msg),
        attachments=[attachment(f) for f in msg.files],
        thread=ev.ThreadHints(chat_thread_id=msg.thread_ts, provider_conversation_id=msg.channel),
    )


def _edited(cb: EventCallback, outer: MessageEvent, msg: Message, ctx: Context) -> ev.Event:
    pid = f"{outer.channel}:{msg.ts}"
    edit_ts = msg.edited.ts if msg.edited else outer.ts
    return ev.MessageEdited(
        **_envelope(cb, outer.channel, pid, kind=f"edited:{edit_ts}", ctx=ctx, ts=edit_ts),
        target_message_id=pid,
        sender=sender(cb, outer.channel, msg, ctx),
        content=content(msg),
    )


def _deleted(cb: EventCallback, msg: MessageEvent, ctx: Context) -> ev.Event:
    pid = f"{msg.channel}:{msg.deleted_ts}"
    previous = msg.previous_message
    who = sender(cb, msg.channel, previous, ctx) if previous and previous.user else None
    return ev.MessageDeleted(
        **_envelope(cb, msg.channel, pid, kind="deleted", ctx=ctx, ts=msg.ts),
        target_message_id=pid,
        sender=who,
    )


def _reaction(cb: EventCallback, r: ReactionEvent, ctx: Context) -> list[ev.Event]:
    if r.item.type != "message" or not r.item.channel or not r.item.ts:
        return []
    if r.user in ctx.own_bot_users:
        return []
    target = f"{r.item.channel}:{r.item.ts}"
    removed = r.type == "reaction_removed"
    kind = f"reaction:{r.user}:{r.reaction}:{'-' if removed else '+'}:{r.event_ts}"
    who = sender(cb, r.item.channel, Message(user=r.user, ts=r.event_ts), ctx)
    return [
        ev.Reaction(
            **_envelope(cb, r.item.channel, target, kind=kind, ctx=ctx, ts=r.event_ts),
            target_message_id=target,
            emoji=r.reaction,
            removed=removed,
            sender=who,
        )
    ]
