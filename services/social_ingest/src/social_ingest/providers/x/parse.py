"""X Account Activity webhook shapes (direct message events; the rest kept raw for ops)."""

from __future__ import annotations

import msgspec

from social_ingest.decoding import decode


class S(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    pass


class Media(S):
    id_str: str | None = None
    media_url_https: str | None = None
    type: str = "photo"


class AttachmentX(S):
    type: str
    media: Media | None = None


class QuickReplyResponse(S):
    type: str = "options"
    metadata: str | None = None


class MessageData(S):
    text: str = ""
    attachment: AttachmentX | None = None
    quick_reply_response: QuickReplyResponse | None = None


class Target(S):
    recipient_id: str


class MessageCreate(S):
    target: Target
    sender_id: str
    message_data: MessageData


class DmEvent(S):
    type: str
    id: str
    created_timestamp: str | None = None
    message_create: MessageCreate | None = None


class MarkRead(S, kw_only=True):
    sender_id: str
    target: Target
    last_read_event_id: str
    created_timestamp: str | None = None


class User(S):
    id: str
    name: str | None = None
    screen_name: str | None = None


class Webhook(S):
    for_user_id: str
    direct_message_events: list[DmEvent] = []
    direct_message_mark_read_events: list[MarkRead] = []
    users: dict[str, User] = {}


KNOWN = frozenset(
    {
        "for_user_id",
        "direct_message_events",
        "direct_message_mark_read_events",
        "users",
        "apps",
        "direct_message_indicate_typing_events",
    }
)
_webhook = msgspec.json.Decoder(Webhook)
_top = msgspec.json.Decoder(dict[str, msgspec.Raw])


def parse(body: bytes) -> tuple[Webhook, dict[str, msgspec.Raw]]:
    """The typed webhook, plus the raw sections we do not turn into events (tweets, follows)."""
    hook = decode(_webhook, body)
    others = {k: v for k, v in _top.decode(body).items() if k not in KNOWN}
    return hook, others
