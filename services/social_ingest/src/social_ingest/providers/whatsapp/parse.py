"""WhatsApp Cloud webhook shapes (msgspec). Lenient where Meta varies, strict where we rely.

A change's ``value`` is kept raw and decoded by its ``field``: message-like fields into
``MessagesValue``; everything else (account, template, call updates) stays raw for ops.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from social_ingest.decoding import decode


class S(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    pass


class Change(S):
    field: str
    value: msgspec.Raw


class Entry(S):
    id: str
    time: int | None = None
    changes: list[Change] = []


class Webhook(S):
    object: Literal["whatsapp_business_account"]
    entry: list[Entry]


class Profile(S):
    name: str | None = None


class Contact(S):
    wa_id: str | None = None
    profile: Profile | None = None


class Metadata(S):
    phone_number_id: str
    display_phone_number: str = ""


class ErrorData(S):
    details: str = ""


class Error(S):
    code: int | None = None
    title: str | None = None
    message: str | None = None
    error_data: ErrorData | None = None

    def describe(self) -> str:
        details = self.error_data.details if self.error_data else ""
        return " - ".join(x for x in (self.title or self.message, details) if x)


class MsgContext(S, rename={"from_": "from"}):
    from_: str | None = None
    id: str | None = None
    forwarded: bool = False
    frequently_forwarded: bool = False


class Text(S):
    body: str


class Media(S):
    id: str | None = None
    mime_type: str = "application/octet-stream"
    sha256: str | None = None
    caption: str | None = None
    filename: str | None = None
    url: str | None = None


class Location(S):
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None


class CardName(S):
    formatted_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None


class CardPhone(S):
    phone: str | None = None
    wa_id: str | None = None


class CardEmail(S):
    email: str | None = None


class Card(S):
    name: CardName | None = None
    phones: list[CardPhone] = []
    emails: list[CardEmail] = []


class ReactionBody(S):
    message_id: str
    emoji: str | None = None


class Choice(S):
    id: str
    title: str = ""
    description: str | None = None


class FlowReply(S):
    name: str = "flow"
    body: str = ""
    response_json: str = ""


class CallPermission(S):
    response: str


class Interactive(S):
    type: str
    button_reply: Choice | None = None
    list_reply: Choice | None = None
    nfm_reply: FlowReply | None = None
    call_permission_reply: CallPermission | None = None


class Button(S):
    text: str = ""
    payload: str | None = None


class ProductItem(S):
    product_retailer_id: str
    quantity: int = 1


class Order(S):
    catalog_id: str = ""
    text: str = ""
    product_items: list[ProductItem] = []


class System(S):
    body: str = ""
    type: str | None = None
    wa_id: str | None = None


class Unsupported(S):
    type: str = "unsupported"


class Body(S):
    """The content part of a message (also the ``message`` inside an edit)."""

    type: str
    context: MsgContext | None = None
    text: Text | None = None
    image: Media | None = None
    video: Media | None = None
    audio: Media | None = None
    document: Media | None = None
    sticker: Media | None = None
    location: Location | None = None
    contacts: list[Card] | None = None
    interactive: Interactive | None = None
    button: Button | None = None
    order: Order | None = None
    system: System | None = None
    unsupported: Unsupported | None = None
    errors: list[Error] = []


class Revoke(S):
    original_message_id: str


class Edit(S):
    original_message_id: str
    message: Body


class Message(Body, kw_only=True, rename={"from_": "from"}):
    from_: str
    id: str
    timestamp: str | int | None = None
    reaction: ReactionBody | None = None
    revoke: Revoke | None = None
    edit: Edit | None = None


class Echo(Message, kw_only=True):
    to: str


class Status(S):
    id: str
    status: str
    timestamp: str | int | None = None
    recipient_id: str | None = None
    type: str | None = None  # "call" for call statuses
    errors: list[Error] = []


class MessagesValue(S):
    metadata: Metadata
    contacts: list[Contact] = []
    messages: list[Message] = []
    message_echoes: list[Echo] = []
    statuses: list[Status] = []
    errors: list[Error] = []


MESSAGE_FIELDS = frozenset({"messages", "smb_message_echoes"})
_webhook = msgspec.json.Decoder(Webhook)
_value = msgspec.json.Decoder(MessagesValue)


def parse(body: bytes) -> Webhook:
    """Raw body -> Webhook; PermanentError "malformed" or "schema_mismatch" (with the path)."""
    return decode(_webhook, body)


def parse_value(change: Change, where: str) -> MessagesValue:
    return decode(_value, change.value, f"{where}.value")


def parse_all(body: bytes) -> tuple[Webhook, dict[tuple[int, int], MessagesValue]]:
    """Decode the envelope and every message-like change up front: a bad one rejects all."""
    hook = parse(body)
    values = {}
    for i, entry in enumerate(hook.entry):
        for j, change in enumerate(entry.changes):
            if change.field in MESSAGE_FIELDS:
                values[i, j] = parse_value(change, f"$.entry[{i}].changes[{j}]")
    return hook, values
