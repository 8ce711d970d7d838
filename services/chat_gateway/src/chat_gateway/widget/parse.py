"""Widget WebSocket frames (JSON text), decoded into typed structs (pure)."""

from __future__ import annotations

import msgspec

from hotline import events as ev
from hotline.http import Rejected, decode_json

CLIENT_ID_MAX = 64
REPLY_ID_MAX = 128


class Frame(msgspec.Struct, kw_only=True, forbid_unknown_fields=False, tag_field="type"):
    pass


class Hello(Frame, kw_only=True, tag="hello"):
    site: str
    visitor_id: str | None = None
    visitor_token: str | None = None
    identifier: str | None = None
    identifier_hash: str | None = None
    identity_token: str | None = None  # the host site's signed identity (JWT, identity_token.py)
    name: str | None = None


class Send(Frame, kw_only=True, tag="message"):
    client_id: str
    text: str  # a button tap: the button's title
    reply_id: str | None = None  # a tap on a button of ours (a survey's rating)


class Seen(Frame, kw_only=True, tag="seen"):
    reply_ids: list[str]


ClientFrame = Hello | Send | Seen


def parse_frame(data: str | bytes, max_frame: int, max_text: int) -> ClientFrame:
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > max_frame:
        raise Rejected(413, "payload_too_large", f"frame over {max_frame} bytes")
    frame: ClientFrame = decode_json(raw, ClientFrame)  # type: ignore[arg-type]
    if isinstance(frame, Send):
        check_send(frame, max_text)
    return frame


def check_send(frame: Send, max_text: int) -> None:
    if not frame.client_id or len(frame.client_id) > CLIENT_ID_MAX:
        raise Rejected(422, "schema_mismatch", f"$.client_id: 1..{CLIENT_ID_MAX} characters")
    if not frame.text.strip():
        raise Rejected(422, "schema_mismatch", "$.text: empty")
    if len(frame.text) > max_text:
        raise Rejected(413, "payload_too_large", f"$.text over {max_text} characters")
    if frame.reply_id is not None and (
        len(frame.reply_id) > REPLY_ID_MAX or ev.survey_answer(frame.reply_id) is None
    ):
        raise Rejected(422, "schema_mismatch", "$.reply_id: not a button of ours")
