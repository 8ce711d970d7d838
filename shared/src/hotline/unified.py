"""The unified (integrator-facing) event contract, published by the unifier.

Topics: ``hotline.conversations`` (conversation.*, thread.decided.v1 and sla.*, keyed by
conversation id, so integrators get per-conversation order), ``hotline.contacts`` (contact.*,
keyed by contact id) and ``hotline.channel-accounts.v1`` (channel.account.changed.v1, compacted,
keyed ``kind:account_id``: the edges' account feed). Same evolution rule as ``hotline.events``:
additive only, new tags for the rest; the snapshot in ``tests/contract/unified/`` enforces it.
Event ids are deterministic, so a re-published outbox row is recognisable downstream.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from hotline.events import (
    AttachmentRef,
    Base,
    CallDirection,
    CallOutcome,
    ChannelRef,
    Codec,
    Content,
    Identifier,
    Role,
    uuid5_str,
)
from hotline.topics import CHANNEL_ACCOUNTS, CONTACTS, CONVERSATIONS

UNIFIED_NAMESPACE = uuid.UUID("0b7e9d4c-3a51-5f7c-8e2d-6a9b1c4f3e20")
ThreadAction = Literal["attach", "reopen", "new", "merge", "split"]


class DecisionInfo(Base, kw_only=True):
    rule: str  # e.g. "email.in_reply_to", "identity.verified_match", "manual.merge"
    evidence: str  # e.g. "In-Reply-To matched message <m1@x>"
    rule_version: str


class _Unified(Base, kw_only=True):
    event_id: str
    tenant: str
    occurred_at: datetime


class ConversationMessageAdded(
    _Unified, kw_only=True, tag="conversation.message.added.v1", tag_field="type"
):
    conversation_id: str
    message_id: str
    source_event_id: str
    channel: ChannelRef
    provider_message_id: str
    contact_id: str
    sender_handle: str
    role: Role = "customer"
    content: Content
    attachments: list[AttachmentRef] = []  # noqa: RUF012 (msgspec copies it per instance)
    decision: DecisionInfo
    # ISO 639-1 language triage detected with confidence; None: unknown (or not triaged)
    language: str | None = None


class ConversationOpened(_Unified, kw_only=True, tag="conversation.opened.v1", tag_field="type"):
    conversation_id: str
    contact_id: str
    channel: ChannelRef | None = None
    reopened: bool = False
    decision: DecisionInfo


class ConversationClosed(_Unified, kw_only=True, tag="conversation.closed.v1", tag_field="type"):
    conversation_id: str
    closed_by: str


class ContactLinked(_Unified, kw_only=True, tag="contact.linked.v1", tag_field="type"):
    contact_id: str
    identity: Identifier  # with its verification level
    channel: ChannelRef | None = None
    decision: DecisionInfo  # the rule that linked it and why
    source_event_id: str | None = None  # the inbound message that carried it


class ContactMerged(_Unified, kw_only=True, tag="contact.merged.v1", tag_field="type"):
    contact_id: str  # the surviving contact
    merged_contact_id: str  # kept intact, now pointing at contact_id
    merged_by: str
    decision: DecisionInfo
    identity: Identifier | None = None  # the identifier the merge confirmed (agent_confirmed)
    suggestion_id: str | None = None  # the accepted suggestion, when the merge came from one


class ContactUnmerged(_Unified, kw_only=True, tag="contact.unmerged.v1", tag_field="type"):
    contact_id: str
    unmerged_contact_id: str
    unmerged_by: str
    decision: DecisionInfo
    restored_messages: int = 0  # messages from the merged period given back to the contact


class ContactSuggested(_Unified, kw_only=True, tag="contact.suggested.v1", tag_field="type"):
    """A possible link without proof (or a conflicting one): an agent accepts or dismisses it."""

    contact_id: str
    suggested_contact_id: str
    suggestion_id: str
    identity: Identifier | None = None  # the incoming identifier that matched
    source_event_id: str | None = None  # the inbound message it came from
    decision: DecisionInfo


class ContactSuggestionDismissed(
    _Unified, kw_only=True, tag="contact.suggestion.dismissed.v1", tag_field="type"
):
    """An agent said the two contacts are different people: the pair is never suggested again."""

    contact_id: str
    suggested_contact_id: str
    suggestion_id: str
    dismissed_by: str
    decision: DecisionInfo


class ThreadDecided(_Unified, kw_only=True, tag="thread.decided.v1", tag_field="type"):
    conversation_id: str
    message_id: str
    action: ThreadAction
    previous_conversation_id: str | None = None
    decision: DecisionInfo


ReplyStatusValue = Literal[
    "requested", "accepted", "sent", "delivered", "read", "failed", "window_closed", "deleted"
]


class ConversationReplyAdded(
    _Unified, kw_only=True, tag="conversation.reply.added.v1", tag_field="type"
):
    """An agent's reply, stored in the thread as an outbound message (status ``requested``)."""

    conversation_id: str
    message_id: str
    reply_id: str
    channel: ChannelRef
    author: str  # the agent
    recipient: str  # the customer's channel address
    content: Content


class ConversationReplyStatus(
    _Unified, kw_only=True, tag="conversation.reply.status.v1", tag_field="type"
):
    """An outbound message's status moved forward (the channel's result, a provider status or
    a bounce of our mail); statuses never move back and failed is final."""

    conversation_id: str
    message_id: str
    reply_id: str
    channel: ChannelRef
    status: ReplyStatusValue
    provider_message_id: str | None = None
    detail: str | None = None  # the provider's error, the channel's reason, a DSN diagnostic
    source_event_id: str | None = None  # the result, status or bounce that moved it


class ConversationMessageUpdated(
    _Unified, kw_only=True, tag="conversation.message.updated.v1", tag_field="type"
):
    """A message was edited (``text`` is the new text; earlier texts stay in its history),
    deleted (no text is published) or reacted to (``reactions``: emoji -> reactors)."""

    conversation_id: str
    message_id: str
    channel: ChannelRef
    provider_message_id: str
    change: Literal["edited", "deleted", "reaction"]
    text: str | None = None
    deleted: bool = False
    edits: int = 0  # how many earlier texts the history keeps
    reactions: dict[str, list[str]] = {}  # noqa: RUF012 (msgspec copies it per instance)
    source_event_id: str


class ConversationAssigned(
    _Unified, kw_only=True, tag="conversation.assigned.v1", tag_field="type"
):
    """The conversation's assignee changed (``assignee`` None: unassigned). ``by`` is the agent
    who did it, None for a rule (auto-assignment); ``reason`` says why, e.g.
    ``auto.round_robin``, ``manual``, ``agent_offline``."""

    conversation_id: str
    assignee: str | None = None
    previous: str | None = None
    by: str | None = None
    reason: str
    team_id: str | None = None


class ConversationNoteAdded(
    _Unified, kw_only=True, tag="conversation.note.added.v1", tag_field="type"
):
    """An internal note: for agents and integrators, never sent to the customer."""

    conversation_id: str
    note_id: str
    author: str
    text: str


class ConversationLabelsChanged(
    _Unified, kw_only=True, tag="conversation.labels.changed.v1", tag_field="type"
):
    conversation_id: str
    labels: list[str]  # all labels after the change
    added: list[str] = []  # noqa: RUF012 (msgspec copies it per instance)
    removed: list[str] = []  # noqa: RUF012
    by: str


class ConversationSnoozed(_Unified, kw_only=True, tag="conversation.snoozed.v1", tag_field="type"):
    """Hidden from the views until ``until`` (None: woken early by ``by`` or a new message)."""

    conversation_id: str
    until: datetime | None = None
    by: str | None = None


class ConversationWaiting(_Unified, kw_only=True, tag="conversation.waiting.v1", tag_field="type"):
    """Waiting on the customer (the SLA clocks pause) began (``waiting`` true) or ended, at
    ``at``; ``since`` is when this wait began (one wait: one start, one end, with ids from its
    start). ``by``: the agent, None when the customer's message ended it; ``reason``: ``manual``
    (an agent) or ``customer_message``."""

    conversation_id: str
    waiting: bool
    at: datetime
    since: datetime
    by: str | None = None
    reason: str = "manual"


class ChannelAccountChanged(
    _Unified, kw_only=True, tag="channel.account.changed.v1", tag_field="type"
):
    """A channel account's whole state after a change (``removed``: it was deleted). Secret
    values are Fernet-sealed (``hotline.accounts.sealing``), newest first, at most two."""

    kind: str  # hotline.events.ChannelKind
    account_id: str
    name: str
    settings: dict[str, Any] = {}  # noqa: RUF012 (msgspec copies it per instance)
    secrets: dict[str, list[str]] = {}  # noqa: RUF012
    enabled: bool = True
    version: int
    removed: bool = False


CallStatus = Literal["ringing", "answered", "ended"]


class CallRecordingInfo(Base, kw_only=True):
    """One recording of a call: ``ref`` is a blob-store ref once copied, else the provider's
    with ``fetch_error`` saying why it is not stored."""

    ref: str
    recording_id: str = ""
    mime_type: str = "application/octet-stream"
    duration_s: int | None = None
    channels: int = 1
    fetch_error: str | None = None


class CallTranscriptInfo(Base, kw_only=True):
    text: str
    language: str | None = None
    engine: str = ""
    recording_id: str = ""


class CallVoicemailInfo(Base, kw_only=True):
    ref: str | None = None  # the message left (blob ref, or the provider's with fetch_error)
    mime_type: str | None = None
    duration_s: int | None = None
    transcript: str | None = None
    fetch_error: str | None = None


class CallRecord(Base, kw_only=True):
    """A call as its events folded so far (``unifier.domain.calls``): the same record whatever
    order and however often they came. ``status`` follows from the times: ``ended`` once it
    ended (a late start never reopens it); ``needs_callback``: an inbound call nobody answered
    (busy, no answer, canceled, abandoned in the queue) or one that left a voicemail."""

    call_id: str
    channel: ChannelRef
    direction: CallDirection
    caller: str  # the customer's number (E.164) or handle
    line: str = ""
    status: CallStatus = "ringing"
    outcome: CallOutcome | None = None
    started_at: datetime | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    answered_by: str | None = None
    duration_s: int | None = None
    talk_s: int | None = None
    wait_s: int | None = None
    cause: str | None = None
    queue: str | None = None
    ivr_selection: str | None = None
    recordings: list[CallRecordingInfo] = []  # noqa: RUF012 (msgspec copies it per instance)
    transcripts: list[CallTranscriptInfo] = []  # noqa: RUF012
    voicemail: CallVoicemailInfo | None = None
    needs_callback: bool = False


class ConversationCallUpdated(
    _Unified, kw_only=True, tag="conversation.call.updated.v1", tag_field="type"
):
    """A call in the conversation changed: ``call`` is the whole record after the change."""

    conversation_id: str
    message_id: str  # the call's item in the thread
    contact_id: str
    call: CallRecord
    source_event_id: str  # the call event that changed it


class ConversationCallbackRequested(
    _Unified, kw_only=True, tag="conversation.callback.requested.v1", tag_field="type"
):
    """An agent will call the customer back: an outbound call intent for the telephony side
    (dialling stays with the provider); the conversation no longer needs a callback."""

    conversation_id: str
    callback_id: str
    requested_by: str
    number: str  # whom to call: the customer's number from the conversation's latest call
    channel: ChannelRef | None = None  # the line the latest call came in on
    call_id: str | None = None  # the call being returned
    note: str | None = None


SlaTarget = Literal["first_response", "next_response", "resolution"]


class _SlaEvent(_Unified, kw_only=True):
    """One SLA clock of a conversation (``unifier.domain.sla``): cycle ``cycle`` (1 at the first
    customer message, +1 per reopen), ``target`` and ``n`` (numbers the next-response clocks,
    else 0). Exactly one event per clock and kind; ``at`` is when it happened (the threshold's
    moment, or the reply or resolve that fulfilled it), ``due_at`` the due time then in force."""

    conversation_id: str
    cycle: int
    target: SlaTarget
    n: int = 0
    policy: str
    due_at: datetime | None = None
    at: datetime
    started_at: datetime  # when the clock started
    target_seconds: int  # the policy's target, in its hours
    hours: Literal["business", "calendar"] = "business"
    contact_id: str | None = None
    channel_kind: str | None = None
    assignee: str | None = None  # the agent it is assigned to, when the event happened
    team_id: str | None = None
    priority: str | None = None


class SlaWarning(_SlaEvent, kw_only=True, tag="sla.warning.v1", tag_field="type"):
    """The clock has used its policy's warning share of the target (it still runs)."""


class SlaBreached(_SlaEvent, kw_only=True, tag="sla.breached.v1", tag_field="type"):
    """The due time passed while the clock ran: final (a later reply does not fulfil it)."""


class SlaFulfilled(_SlaEvent, kw_only=True, tag="sla.fulfilled.v1", tag_field="type"):
    """The reply (response targets) or the resolve (resolution) came by the due time."""


SLA_EVENTS = (SlaWarning, SlaBreached, SlaFulfilled)


class ConversationEscalated(
    _Unified, kw_only=True, tag="conversation.escalated.v1", tag_field="type"
):
    """The conversation was escalated, as its SLA policy or its team says: ``reason`` says why
    (e.g. ``sla.warning``), ``cause_id`` is the event that caused it (the SLA warning's id; one
    escalation per cause), ``detail`` explains it for people. It was re-queued in ``team_id``
    and/or assigned to ``supervisor`` (both None: the event is the escalation); ``previous`` is
    the assignee before, ``from_team_id`` the conversation's team. For an SLA warning:
    ``policy``, and the clock (``target``, ``cycle``, ``n`` as in ``sla.warning.v1``);
    ``named_by`` is what named the target: ``sla_policy`` (the policy's escalation) or ``team``
    (the team's routing)."""

    conversation_id: str
    reason: str
    cause_id: str | None = None
    detail: str = ""
    from_team_id: str | None = None
    team_id: str | None = None
    supervisor: str | None = None
    previous: str | None = None
    policy: str | None = None
    target: str | None = None
    cycle: int | None = None
    n: int | None = None
    named_by: str | None = None


class CsatRequested(_Unified, kw_only=True, tag="csat.requested.v1", tag_field="type"):
    """A satisfaction survey was sent for one resolution (``cycle``: the how-manieth close of
    the conversation) on the channel the customer last used; ``agent`` resolved it."""

    conversation_id: str
    survey_id: str
    cycle: int
    channel: ChannelRef
    recipient: str  # the customer's channel address
    agent: str
    scale: int
    expires_at: datetime
    reply_id: str  # the outbound message that carries it


class CsatAnswered(_Unified, kw_only=True, tag="csat.answered.v1", tag_field="type"):
    """The customer answered a survey. Before it expires the latest answer counts
    (``revision``: 1 for the first, 2 for a changed mind ...); ``late``: it came after the
    survey expired and changed nothing (kept for the record)."""

    conversation_id: str
    survey_id: str
    cycle: int
    channel: ChannelRef
    agent: str
    score: int
    scale: int
    comment: str | None = None
    late: bool = False
    revision: int = 1
    source_event_id: str | None = None  # the inbound message or page post that carried it


UnifiedEvent = (
    ConversationMessageAdded
    | ConversationOpened
    | ConversationClosed
    | ContactLinked
    | ContactMerged
    | ContactUnmerged
    | ContactSuggested
    | ContactSuggestionDismissed
    | ThreadDecided
    | ConversationReplyAdded
    | ConversationReplyStatus
    | ConversationMessageUpdated
    | ConversationAssigned
    | ConversationNoteAdded
    | ConversationLabelsChanged
    | ConversationSnoozed
    | ConversationWaiting
    | ChannelAccountChanged
    | ConversationCallUpdated
    | ConversationCallbackRequested
    | SlaWarning
    | SlaBreached
    | SlaFulfilled
    | ConversationEscalated
    | CsatRequested
    | CsatAnswered
)
CONTACT_EVENTS = (
    ContactLinked,
    ContactMerged,
    ContactUnmerged,
    ContactSuggested,
    ContactSuggestionDismissed,
)


def unified_event_id(tenant: str, *parts: str) -> str:
    return uuid5_str(UNIFIED_NAMESPACE, "\x1f".join((tenant, *parts)))


def unified_tag(event: UnifiedEvent) -> str:
    tag = type(event).__struct_config__.tag
    assert isinstance(tag, str)
    return tag


def unified_key(event: UnifiedEvent) -> bytes:
    """Partition key: conversation id for conversation events, contact id for contact events,
    ``kind:account_id`` for channel accounts (the key compaction keeps the latest of)."""
    if isinstance(event, CONTACT_EVENTS):
        return event.contact_id.encode()
    if isinstance(event, ChannelAccountChanged):
        return f"{event.kind}:{event.account_id}".encode()
    return event.conversation_id.encode()


def unified_topic(event: UnifiedEvent) -> str:
    if isinstance(event, ChannelAccountChanged):
        return CHANNEL_ACCOUNTS
    return CONTACTS if isinstance(event, CONTACT_EVENTS) else CONVERSATIONS


_codec: Codec[UnifiedEvent] = Codec(UnifiedEvent)
encode = _codec.encode
decode = _codec.decode
json_schema = _codec.json_schema


def time_ordered_str(namespace: uuid.UUID, name: str, at: datetime) -> str:
    """A UUIDv7-shaped id (RFC 9562): the 48-bit millisecond time of ``at`` first, then 74 bits
    of the same SHA-1 hash ``uuid5_str`` uses, so it is still deterministic for (name, at).
    Rows keyed by it land at the right edge of their B-tree indexes instead of at random pages
    (a 1,000,000-message SQLite store dirtied ~4 KB of index per random key per insert)."""
    h = uuid5_str(namespace, name)  # version and variant digits are skipped below
    ms = f"{int(at.timestamp() * 1000) & 0xFFFFFFFFFFFF:012x}"
    return f"{ms[:8]}-{ms[8:]}-7{h[15:18]}-{h[19]}{h[20:23]}-{h[24:36]}"
