"""Parse a verified Slack Events API body into typed structs (pure).

Malformed JSON -> Rejected 400; a known shape with wrong fields -> Rejected 422 with the path.
Inner event types we do not handle decode to ``Unhandled`` (acknowledged, nothing produced).
"""

from __future__ import annotations

from typing import TypeVar

import msgspec

from hotline.http import Rejected, decode_json

T = TypeVar("T")


class Struct(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    pass


class File(Struct, kw_only=True):
    id: str
    name: str | None = None
    title: str | None = None
    mimetype: str = "application/octet-stream"
    filetype: str | None = None
    size: int | None = None
    url_private_download: str | None = None


class Edited(Struct, kw_only=True):
    user: str | None = None
    ts: str


class UserProfile(Struct, kw_only=True):
    """The sender's names some message events carry (Slack Connect shared channels)."""

    name: str | None = None
    real_name: str | None = None
    display_name: str | None = None


class Message(Struct, kw_only=True):
    """A message as Slack shows it (top-level, or nested in message_changed)."""

    type: str = "message"
    subtype: str | None = None
    user: str | None = None
    user_team: str | None = None
    team: str | None = None
    bot_id: str | None = None
    app_id: str | None = None
    text: str = ""
    ts: str
    thread_ts: str | None = None
    files: list[File] = []
    edited: Edited | None = None
    user_profile: UserProfile | None = None


class MessageEvent(Message, kw_only=True):
    channel: str
    channel_type: str | None = None
    event_ts: str | None = None
    hidden: bool = False
    message: Message | None = None  # message_changed
    previous_message: Message | None = None
    deleted_ts: str | None = None  # message_deleted


class ReactionItem(Struct, kw_only=True):
    type: str
    channel: str | None = None
    ts: str | None = None


class ReactionEvent(Struct, kw_only=True):
    type: str
    user: str
    reaction: str
    item: ReactionItem
    item_user: str | None = None
    event_ts: str


class Unhandled(Struct, kw_only=True):
    type: str


InnerEvent = MessageEvent | ReactionEvent | Unhandled


class _Head(Struct, kw_only=True):
    type: str


class UrlVerification(Struct, kw_only=True, tag="url_verification", tag_field="type"):
    challenge: str


class AppRateLimited(Struct, kw_only=True, tag="app_rate_limited", tag_field="type"):
    team_id: str


class EventCallback(Struct, kw_only=True, tag="event_callback", tag_field="type"):
    team_id: str
    api_app_id: str | None = None
    event_id: str
    event_time: int
    event: msgspec.Raw
    is_ext_shared_channel: bool = False


Envelope = UrlVerification | AppRateLimited | EventCallback
_INNER: dict[str, type[MessageEvent] | type[ReactionEvent]] = {
    "message": MessageEvent,
    "reaction_added": ReactionEvent,
    "reaction_removed": ReactionEvent,
}


class _Addressed(Struct, kw_only=True):
    team_id: str | None = None


def team_of(body: bytes) -> str | None:
    """The workspace a body names at its top level, read before its signature is checked to
    know whose secret checks it; None when it names none (url_verification) or is no object."""
    try:
        return msgspec.json.decode(body, type=_Addressed).team_id
    except msgspec.MsgspecError:
        return None


def parse(body: bytes) -> Envelope:
    return decode_json(body, Envelope)  # type: ignore[arg-type]


def parse_event(callback: EventCallback) -> InnerEvent:
    head = _decode_inner(callback.event, _Head)
    inner = _INNER.get(head.type)
    if inner is None:
        return Unhandled(type=head.type)
    return _decode_inner(callback.event, inner)


def _decode_inner(raw: msgspec.Raw, schema: type[T]) -> T:
    try:
        return msgspec.json.decode(raw, type=schema)
    except msgspec.ValidationError as exc:
        raise Rejected(422, "schema_mismatch", f"{exc} (in $.event)") from exc
