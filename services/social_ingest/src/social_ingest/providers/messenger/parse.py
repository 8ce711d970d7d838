"""Messenger Platform webhook shapes (Messenger ``object=page`` and Instagram ``object=instagram``).

Each ``messaging`` item stays raw and is decoded on its own, so an item kind we do not know
(optins, referrals, handovers ...) is kept whole for ops instead of failing the batch.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from social_ingest.decoding import decode


class S(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    pass


class Change(S):
    field: str
    value: msgspec.Raw = msgspec.Raw(b"null")


class Entry(S):
    id: str
    time: int | None = None
    messaging: list[msgspec.Raw] = []
    standby: list[msgspec.Raw] = []
    changes: list[Change] = []


class Webhook(S):
    object: Literal["page", "instagram"]
    entry: list[Entry]


class Party(S):
    id: str


class Payload(S):
    url: str | None = None
    title: str | None = None
    sticker_id: int | None = None
    coordinates: dict[str, float] | None = None


class Attachment(S):
    type: str
    payload: Payload | None = None


class Story(S):
    id: str | None = None
    url: str | None = None


class ReplyTo(S):
    mid: str | None = None
    story: Story | None = None


class QuickReply(S):
    payload: str


class Message(S):
    mid: str
    text: str | None = None
    attachments: list[Attachment] = []
    quick_reply: QuickReply | None = None
    reply_to: ReplyTo | None = None
    is_echo: bool = False
    is_deleted: bool = False
    is_unsupported: bool = False


class Delivery(S):
    mids: list[str] = []
    watermark: int | None = None


class Read(S):
    watermark: int | None = None
    mid: str | None = None  # Instagram names the read message


class Postback(S):
    payload: str = ""
    title: str = ""
    mid: str | None = None


class ReactionBody(S):
    mid: str
    action: Literal["react", "unreact"]
    emoji: str | None = None
    reaction: str | None = None


class Edit(S):
    mid: str
    text: str = ""
    num_edit: int | None = None


class Messaging(S):
    sender: Party
    recipient: Party
    timestamp: int | None = None
    message: Message | None = None
    delivery: Delivery | None = None
    read: Read | None = None
    postback: Postback | None = None
    reaction: ReactionBody | None = None
    message_edit: Edit | None = None


_webhook = msgspec.json.Decoder(Webhook)
_messaging = msgspec.json.Decoder(Messaging)


def parse(body: bytes) -> tuple[Webhook, dict[tuple[int, int], Messaging]]:
    """Decode the envelope and every messaging item up front: one bad item rejects the body."""
    hook = decode(_webhook, body)
    items = {}
    for i, entry in enumerate(hook.entry):
        for j, raw in enumerate(entry.messaging):
            items[i, j] = decode(_messaging, raw, f"$.entry[{i}].messaging[{j}]")
    return hook, items
