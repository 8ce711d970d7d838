"""Telegram Bot API ``Update`` shapes (the parts we normalize; the rest kept raw for ops)."""

from __future__ import annotations

import msgspec

from social_ingest.decoding import decode


class S(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    pass


class User(S):
    id: int
    is_bot: bool = False
    first_name: str = ""
    last_name: str | None = None
    username: str | None = None


class Chat(S):
    id: int
    type: str = "private"


class File(S):
    file_id: str
    file_unique_id: str | None = None
    file_size: int | None = None
    mime_type: str | None = None
    file_name: str | None = None


class Location(S):
    latitude: float
    longitude: float


class Venue(S):
    location: Location
    title: str = ""
    address: str = ""


class Contact(S):
    phone_number: str
    first_name: str = ""
    last_name: str | None = None
    user_id: int | None = None


class Replied(S):
    message_id: int


class Message(S, rename={"from_": "from"}):
    message_id: int
    chat: Chat
    date: int
    from_: User | None = None
    text: str | None = None
    caption: str | None = None
    photo: list[File] = []
    document: File | None = None
    audio: File | None = None
    voice: File | None = None
    video: File | None = None
    video_note: File | None = None
    sticker: File | None = None
    location: Location | None = None
    venue: Venue | None = None
    contact: Contact | None = None
    reply_to_message: Replied | None = None
    message_thread_id: int | None = None
    edit_date: int | None = None
    forward_origin: dict[str, object] | None = None
    forward_date: int | None = None


class CallbackQuery(S, rename={"from_": "from"}):
    id: str
    from_: User
    data: str | None = None
    message: Message | None = None


class ReactionType(S):
    type: str = "emoji"
    emoji: str | None = None


class MessageReaction(S):
    chat: Chat
    message_id: int
    date: int
    user: User | None = None
    old_reaction: list[ReactionType] = []
    new_reaction: list[ReactionType] = []


class Update(S):
    update_id: int
    message: Message | None = None
    edited_message: Message | None = None
    callback_query: CallbackQuery | None = None
    message_reaction: MessageReaction | None = None


_update = msgspec.json.Decoder(Update)


def parse(body: bytes) -> Update:
    return decode(_update, body)
