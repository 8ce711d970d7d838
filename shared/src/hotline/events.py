"""The Hotline event contract: one msgspec tagged union, the version in each tag.

Evolution rule (see README "Event contract"): a change to a published tag is additive only —
new fields carry defaults, nothing is renamed, removed or retyped. Anything else is a new tag
(``message.received.v2``) published alongside the old one until consumers have moved.
The JSON Schema snapshot and golden samples in ``tests/contract/`` enforce this.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Generic, Literal, NotRequired, TypedDict, TypeVar

import msgspec

SCHEMA_VERSION = 1
EVENT_NAMESPACE = uuid.UUID("6f1c5b1e-4d0a-5b7e-9a43-2f1d8c0e7a11")

ChannelKind = Literal[
    "email",
    "slack",
    "widget",
    "whatsapp",
    "messenger",
    "instagram",
    "x",
    "telegram",
    "sms",
    "voice",  # telephone calls: Twilio Voice, Vonage, a PBX's CTI, WhatsApp calling
]
IdentifierKind = Literal[
    "email",
    "phone",
    "slack_user",
    "wa_id",
    "psid",
    "ig_id",
    "x_id",
    "telegram_id",
    "widget_user",
    "widget_visitor",
]
Role = Literal["customer", "agent", "bot", "system"]
VerificationLevel = Literal[
    "provider_verified",  # the provider vouches for it (WhatsApp wa_id/phone, a Telegram id)
    "site_signed",  # the host site signed it (widget identity token)
    "dmarc_aligned",  # DKIM or SPF aligned with the From: domain under a DMARC pass
    "agent_confirmed",  # an agent accepted a suggested link
    "carrier_asserted",  # a phone network says so (SMS From): spoofable, never auto-linked
    "unverified",  # claimed by the sender, proven by nothing
]
#: The levels strong enough to link two contacts without an agent.
LINKING_LEVELS: frozenset[str] = frozenset(
    {"provider_verified", "site_signed", "dmarc_aligned", "agent_confirmed"}
)


class Base(msgspec.Struct, kw_only=True, omit_defaults=True, forbid_unknown_fields=False, gc=False):
    """Common config: keyword-only, defaults omitted on the wire, unknown fields tolerated.

    ``gc=False``: events are plain data (they never refer back to themselves), so the garbage
    collector need not track them; a consumer holds thousands at once (a poll, and the next
    one decoded ahead), and each collection would walk all of them.

    The unified contract (``hotline.unified``) builds on these too: one configuration for
    every event on the wire."""


class FrozenBase(
    msgspec.Struct,
    kw_only=True,
    omit_defaults=True,
    forbid_unknown_fields=False,
    frozen=True,
    gc=False,
):
    """The same, immutable and hashable (channel refs, identifiers)."""


# --------------------------------------------------------------------------- parts


class ChannelRef(FrozenBase, kw_only=True, frozen=True):
    kind: ChannelKind
    account_id: str  # mailbox, Slack team, WhatsApp phone-number id, page id, bot id ...


class Identifier(FrozenBase, kw_only=True, frozen=True):
    kind: IdentifierKind
    value: str  # normalised: lower-case email, E.164 phone, "T123:U456" for Slack
    source: str  # where it came from: "smtp.from", "dkim", "provider", "widget.hmac" ...
    verified: bool = False
    level: VerificationLevel | None = None  # how it was proven; None on events before levels

    def trust(self) -> VerificationLevel:
        """The verification level, for events that predate ``level`` derived from ``verified``."""
        if self.level is not None:
            return self.level
        return "provider_verified" if self.verified else "unverified"


def identifier(
    kind: IdentifierKind, value: str, level: VerificationLevel, source: str = "provider"
) -> Identifier:
    """An identifier proven at ``level``; ``verified`` follows from it (True only for the
    linking levels), so an edge cannot set the two apart."""
    return Identifier(
        kind=kind, value=value, source=source, verified=level in LINKING_LEVELS, level=level
    )


class Sender(Base, kw_only=True):
    handle: str  # the raw channel address replies go to
    display_name: str | None = None
    identifiers: list[Identifier] = []
    role: Role = "customer"
    avatar_url: str | None = None  # profile picture URL (optional profile enrichment)


class AttachmentRef(Base, kw_only=True):
    ref: str  # blob-store URI or provider media id ("blob:sha256/..", "provider:whatsapp/..")
    mime_type: str
    size: int | None = None
    sha256: str | None = None
    filename: str | None = None
    inline: bool = False
    content_id: str | None = None
    # Set when the edge could not copy the provider's file into the blob store (why: "http 404",
    # "timeout", ...); ``ref`` then stays the provider's. Never set on a stored blob.
    fetch_error: str | None = None
    # Set when the part was too large to store on its own (past the edge's attachment limits):
    # ``ref`` is then the whole raw message and this the part's MIME section ("2", "1.3", as
    # IMAP numbers them); size and sha256 are the decoded part's. Kept, never dropped.
    part: str | None = None
    # Where the provider serves a file whose ``ref`` is the provider's id (a call recording:
    # ``provider:twilio/RE…``): what the fetcher downloads into the blob store.
    source_url: str | None = None


class TextContent(Base, kw_only=True, tag="text", tag_field="kind"):
    text: str


class MediaContent(Base, kw_only=True, tag="media", tag_field="kind"):
    media_kind: Literal["image", "audio", "video", "document", "sticker", "file"]
    caption: str | None = None


class LocationContent(Base, kw_only=True, tag="location", tag_field="kind"):
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None


class ContactCard(Base, kw_only=True):
    name: str
    phones: list[str] = []
    emails: list[str] = []


class ContactsContent(Base, kw_only=True, tag="contacts", tag_field="kind"):
    contacts: list[ContactCard]


class InteractiveContent(Base, kw_only=True, tag="interactive", tag_field="kind"):
    reply_id: str
    title: str
    description: str | None = None


class EmailContent(Base, kw_only=True, tag="email", tag_field="kind"):
    subject: str
    text: str  # full text body (HTML rendered to text when there is no text part)
    visible_text: str = ""  # the new part only: quoted history and signature stripped
    html_ref: str | None = None  # the HTML body, kept by reference
    headers: dict[str, str] = {}  # the headers that matter (From, To, Cc, Date, Reply-To ...)
    to: list[str] = []
    cc: list[str] = []


class UnsupportedContent(Base, kw_only=True, tag="unsupported", tag_field="kind"):
    provider_type: str
    summary: str = ""


Content = (
    TextContent
    | MediaContent
    | LocationContent
    | ContactsContent
    | InteractiveContent
    | EmailContent
    | UnsupportedContent
)


class ThreadHints(Base, kw_only=True):
    message_id: str | None = None  # RFC 5322 Message-ID
    in_reply_to: list[str] = []
    references: list[str] = []
    reply_token: str | None = None  # our own reply+<token>@ address
    chat_thread_id: str | None = None  # Slack thread_ts, Telegram thread ...
    provider_conversation_id: str | None = None
    replied_to_message_id: str | None = None  # provider id of the quoted message


class Flags(Base, kw_only=True):
    auto_reply: bool = False
    bounce: bool = False
    forwarded: bool = False
    edited: bool = False
    mailing_list: bool = False
    loop: bool = False
    attachments_truncated: bool = False
    echo: bool = False  # our own outbound message reported back by the provider
    delivery_delayed: bool = False  # a delay warning (DSN Action: delayed): not a bounce
    feedback_report: bool = False  # an abuse/complaint report (ARF, RFC 5965; Microsoft JMRP)
    # the inbound mail provider (Mailgun, SendGrid, Postmark, SES...) judged the message spam
    provider_spam: bool = False


# --------------------------------------------------------------------------- events


class Envelope(Base, kw_only=True):
    event_id: str
    tenant: str
    channel: ChannelRef
    provider_message_id: str
    received_at: datetime
    conversation_key: str  # the partition key: the conversation key this channel can see
    provider_timestamp: datetime | None = None
    schema_version: int = SCHEMA_VERSION


class EnvelopeFields(TypedDict):
    """``Envelope``'s fields as keyword arguments: what a normalizer builds once per event and
    spreads into the event's class (``MessageReceived(**fields, ...)``)."""

    event_id: str
    tenant: str
    channel: ChannelRef
    provider_message_id: str
    received_at: datetime
    conversation_key: str
    provider_timestamp: NotRequired[datetime | None]


class MessageReceived(Envelope, kw_only=True, tag="message.received.v1", tag_field="type"):
    sender: Sender
    content: Content
    attachments: list[AttachmentRef] = []
    thread: ThreadHints = msgspec.field(default_factory=ThreadHints)
    flags: Flags = msgspec.field(default_factory=Flags)
    bounce_status: str | None = None  # e.g. "5.1.1" from a delivery-status report
    # Bounce / delay: the recipients that failed or are delayed; feedback report: who complained.
    report_recipients: list[str] = []
    feedback_type: str | None = None  # a feedback report's Feedback-Type: "abuse", "fraud", ...


class MessageEdited(Envelope, kw_only=True, tag="message.edited.v1", tag_field="type"):
    target_message_id: str  # provider id of the edited message
    sender: Sender
    content: Content


class MessageDeleted(Envelope, kw_only=True, tag="message.deleted.v1", tag_field="type"):
    target_message_id: str
    sender: Sender | None = None


class Reaction(Envelope, kw_only=True, tag="reaction.v1", tag_field="type"):
    target_message_id: str
    emoji: str
    removed: bool = False
    sender: Sender | None = None


class DeliveryStatus(Envelope, kw_only=True, tag="delivery.status.v1", tag_field="type"):
    target_message_id: str
    status: Literal["accepted", "sent", "delivered", "read", "failed", "deleted"]
    recipient: str | None = None
    error_code: str | None = None
    error_detail: str | None = None


SURVEY_REPLY_PREFIX = "csat:"  # a survey answer's reply id: "csat:<survey id>:<score>"


class SurveyChoice(Base, kw_only=True):
    """One answer a channel offers as a button (quick reply, list row, rating star)."""

    reply_id: str  # what the customer's answer carries back: "csat:<survey id>:<score>"
    title: str  # the button's label


class SurveyAsk(Base, kw_only=True):
    """A satisfaction survey a reply carries: the channel renders ``choices`` natively
    (buttons, quick replies, inline rating); the reply's text already holds the question, and
    for channels without buttons how to answer (SMS: the digits; email: ``link``)."""

    survey_id: str
    question: str
    scale: int  # scores 1..scale
    choices: list[SurveyChoice] = []
    link: str | None = None  # our signed survey page (email)
    expires_at: datetime | None = None


def survey_reply_id(survey_id: str, score: int) -> str:
    return f"{SURVEY_REPLY_PREFIX}{survey_id}:{score}"


def survey_answer(reply_id: str) -> tuple[str, int] | None:
    """(survey id, score) of a survey button's reply id; None for any other reply id."""
    if not reply_id.startswith(SURVEY_REPLY_PREFIX):
        return None
    survey_id, _, score = reply_id[len(SURVEY_REPLY_PREFIX) :].rpartition(":")
    if not survey_id or not score.isdigit() or len(score) > 2:
        return None
    return survey_id, int(score)


class ReplyRequested(Base, kw_only=True, tag="reply.requested.v1", tag_field="type"):
    event_id: str
    reply_id: str
    tenant: str
    channel: ChannelRef
    conversation_id: str
    recipient: str  # the channel address of the customer
    content: Content
    requested_at: datetime
    requested_by: str
    thread: ThreadHints = msgspec.field(default_factory=ThreadHints)
    attachments: list[AttachmentRef] = []
    template: str | None = None  # a pre-approved template name (WhatsApp outside 24 h)
    template_language: str | None = None  # its language code (e.g. "en_US"); None: en_US
    template_params: list[str] = []  # the values of its body's {{1}}..{{n}}, in order
    human_agent: bool = False  # Meta's HUMAN_AGENT tag (7-day window)
    survey: SurveyAsk | None = None  # a satisfaction survey to render natively (see SurveyAsk)


class ReplyResult(Base, kw_only=True, tag="reply.result.v1", tag_field="type"):
    event_id: str
    reply_id: str
    tenant: str
    channel: ChannelRef
    conversation_id: str
    status: Literal["sent", "failed", "window_closed"]
    completed_at: datetime
    provider_message_id: str | None = None
    reason: str | None = None
    provider_code: str | None = None
    retryable: bool = False


class AgentTyping(Base, kw_only=True, tag="agent.typing.v1", tag_field="type"):
    """An agent started or stopped typing in a conversation: for channels that can show it
    (the web widget); published on the channel's replies topic, keyed by conversation."""

    event_id: str
    tenant: str
    channel: ChannelRef
    conversation_id: str
    recipient: str  # the customer's channel address (widget: the visitor id)
    on: bool
    at: datetime


class OpsUpdate(Base, kw_only=True, tag="ops.update.v1", tag_field="type"):
    """Provider account/template/call/preference updates: for ``hotline.ops``, not the stream."""

    event_id: str
    tenant: str
    channel: ChannelRef
    field: str  # the provider's update kind: account_update, calls, template status ...
    payload: msgspec.Raw  # the provider's JSON, kept as it came
    received_at: datetime
    name: str = ""  # the provider's event name inside it: APPROVED, ACCOUNT_DELETED ...
    provider_timestamp: datetime | None = None


# --------------------------------------------------------------------------- calls
# One call = one ``call_id`` (the provider's own call id); each lifecycle step is its own
# event with a deterministic id from (call id, step), so repeated callbacks are one event and
# the unifier folds the steps, in whatever order they arrive, into one call record.
# ``provider_message_id`` is the call id; the event id is
# ``event_id_for(tenant, channel.kind, call_id, step)`` with step the tag's name
# ("call.started", ...) and, for recordings and transcripts, ":" and the recording id.

CallDirection = Literal["inbound", "outbound"]
CallOutcome = Literal[
    "completed",  # answered and ended normally
    "busy",
    "no_answer",
    "canceled",  # the caller hung up before anyone answered (outside a queue)
    "failed",
    "abandoned",  # the caller hung up while waiting in a queue
    "voicemail",  # ended in voicemail
]


class CallEnvelope(Envelope, kw_only=True):
    call_id: str  # the provider's call id (Twilio CallSid, Vonage uuid, the PBX's call id)
    direction: CallDirection
    caller: Sender  # the customer's side: handle and identifiers (E.164 phone)
    line: str = ""  # our side: the number, extension or queue the call is on


class CallStarted(CallEnvelope, kw_only=True, tag="call.started.v1", tag_field="type"):
    queue: str | None = None  # the queue or IVR branch the call went to
    ivr_selection: str | None = None  # digits or option the caller chose


class CallAnswered(CallEnvelope, kw_only=True, tag="call.answered.v1", tag_field="type"):
    answered_by: str = ""  # the agent (or number) that answered


class CallEnded(CallEnvelope, kw_only=True, tag="call.ended.v1", tag_field="type"):
    outcome: CallOutcome
    duration_s: int | None = None  # whole call, from start to hang-up
    talk_s: int | None = None  # answered to hang-up
    wait_s: int | None = None  # start (or queue entry) to answer or hang-up
    cause: str | None = None  # the provider's own status or hang-up cause, verbatim


class CallRecording(CallEnvelope, kw_only=True, tag="call.recording.v1", tag_field="type"):
    recording: AttachmentRef  # copied into the blob store, or the provider's ref + fetch_error
    recording_id: str = ""  # the provider's recording id (several per call are possible)
    duration_s: int | None = None
    channels: int = 1


class CallTranscript(CallEnvelope, kw_only=True, tag="call.transcript.v1", tag_field="type"):
    text: str
    language: str | None = None
    engine: str = ""  # who transcribed: "twilio", "vonage", an offline engine's name
    recording_id: str = ""


class CallVoicemail(CallEnvelope, kw_only=True, tag="call.voicemail.v1", tag_field="type"):
    recording: AttachmentRef | None = None
    duration_s: int | None = None
    transcript: str | None = None


CallEvent = CallStarted | CallAnswered | CallEnded | CallRecording | CallTranscript | CallVoicemail


InboundEvent = MessageReceived | MessageEdited | MessageDeleted | Reaction | DeliveryStatus
Event = InboundEvent | CallEvent | ReplyRequested | ReplyResult | AgentTyping | OpsUpdate

EVENT_TYPES: tuple[type[Base], ...] = (
    MessageReceived,
    MessageEdited,
    MessageDeleted,
    Reaction,
    DeliveryStatus,
    ReplyRequested,
    ReplyResult,
    AgentTyping,
    OpsUpdate,
    CallStarted,
    CallAnswered,
    CallEnded,
    CallRecording,
    CallTranscript,
    CallVoicemail,
)


def event_id_for(tenant: str, channel: str, provider_message_id: str, kind: str = "") -> str:
    """Deterministic event id: the same provider message always maps to the same id.

    ``kind`` separates different events about one provider id (a status vs the message).
    """
    name = "\x1f".join((tenant, channel, provider_message_id, kind))
    return uuid5_str(EVENT_NAMESPACE, name)


_NAMESPACE_BYTES: dict[uuid.UUID, bytes] = {}


def uuid5_str(namespace: uuid.UUID, name: str) -> str:
    """``str(uuid.uuid5(namespace, name))`` without building UUID objects (a hot path)."""
    prefix = _NAMESPACE_BYTES.get(namespace)
    if prefix is None:  # UUID.bytes is computed from its int on every access
        prefix = _NAMESPACE_BYTES[namespace] = namespace.bytes
    h = hashlib.sha1(prefix + name.encode()).hexdigest()
    variant = "89ab"[int(h[16], 16) & 0x3]
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{variant}{h[17:20]}-{h[20:32]}"


_TAGS: dict[type, str] = {t: str(t.__struct_config__.tag) for t in EVENT_TYPES}


def reply_result(
    reply: ReplyRequested,
    status: Literal["sent", "failed", "window_closed"],
    *,
    provider_message_id: str | None = None,
    reason: str | None = None,
    provider_code: str | None = None,
    retryable: bool = False,
) -> ReplyResult:
    """The reply.result.v1 for a reply request; one deterministic id per reply, whichever
    channel service answers it (a redelivered request yields the same result id)."""
    return ReplyResult(
        event_id=event_id_for(reply.tenant, reply.channel.kind, reply.reply_id, "result"),
        reply_id=reply.reply_id,
        tenant=reply.tenant,
        channel=reply.channel,
        conversation_id=reply.conversation_id,
        status=status,
        completed_at=datetime.now(UTC),
        provider_message_id=provider_message_id,
        reason=reason,
        provider_code=provider_code,
        retryable=retryable,
    )


def event_tag(event: Event) -> str:
    return _TAGS[type(event)]


def partition_key(event: Event) -> bytes:
    """Key events by conversation so that order per conversation holds."""
    if isinstance(event, ReplyRequested | ReplyResult | AgentTyping):
        return event.conversation_id.encode()
    if isinstance(event, OpsUpdate):
        return f"{event.tenant}/{event.channel.kind}/{event.channel.account_id}".encode()
    return event.conversation_key.encode()


U = TypeVar("U")
_ENCODER = msgspec.json.Encoder()  # stateless: one for both contracts


class Codec(Generic[U]):
    """JSON of one tagged union: ``encode``, ``decode`` (raises ``msgspec.ValidationError`` /
    ``msgspec.DecodeError`` on bad input) and its JSON Schema. ``encode`` and ``decode`` are
    msgspec's own methods, so a call costs no Python frame of ours."""

    def __init__(self, union: Any) -> None:
        self.union = union
        self.encode: Callable[[U], bytes] = _ENCODER.encode
        self.decode: Callable[[bytes], U] = msgspec.json.Decoder(union).decode

    def json_schema(self) -> dict[str, object]:
        schema: dict[str, object] = msgspec.json.schema(self.union)
        return schema


_codec: Codec[Event] = Codec(Event)
encode = _codec.encode
decode = _codec.decode
json_schema = _codec.json_schema
