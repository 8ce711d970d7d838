"""A call record into the call events it implies, with the contract's deterministic ids:
``call.started`` always, ``call.answered`` when a person answered, ``call.ended`` with the
outcome and the durations. The same record gives the same event ids on every import (the ids
depend on the tenant and the call id only), which is what makes a re-import add nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NotRequired, TypedDict

from hotline.events import (
    CallAnswered,
    CallDirection,
    CallEnded,
    CallEvent,
    CallStarted,
    ChannelKind,
    ChannelRef,
    EnvelopeFields,
    Sender,
    event_id_for,
    identifier,
)
from voice.cdr.numbers import e164
from voice.cdr.record import CallRecord

KIND: ChannelKind = "voice"
SOURCE = "cdr"  # the identifier's source: the PBX's call-detail record


@dataclass(frozen=True)
class Line:
    """Whose calls these are: the tenant, the voice account (the PBX), its phone region."""

    tenant: str
    account: str
    region: str | None = None


def call_events(record: CallRecord, line: Line, now: datetime) -> list[CallEvent]:
    steps = _Steps(record, line, now)
    started = CallStarted(
        **steps.envelope("call.started", record.started), **steps.call, queue=record.queue
    )
    ended = CallEnded(
        **steps.envelope("call.ended", record.ended),
        **steps.call,
        outcome=record.outcome,
        duration_s=record.duration_s,
        talk_s=record.talk_s,
        wait_s=record.wait_s,
        cause=record.cause,
    )
    if record.answered is None:
        return [started, ended]
    at = steps.envelope("call.answered", record.answered)
    return [started, CallAnswered(**at, **steps.call, answered_by=record.answered_by), ended]


class _Steps:
    """What the steps of one call share: the envelope but for the step, the call's fields."""

    def __init__(self, record: CallRecord, line: Line, now: datetime) -> None:
        caller, self.key = _caller(record, line)
        self.record, self.line, self.now = record, line, now
        self.channel = ChannelRef(kind=KIND, account_id=line.account)
        self.call = CallFields(call_id=record.call_id, direction=record.direction, caller=caller)
        self.call["line"] = record.line

    def envelope(self, step: str, at: datetime) -> EnvelopeFields:
        call_id = self.record.call_id
        return EnvelopeFields(
            event_id=event_id_for(self.line.tenant, KIND, call_id, step),
            tenant=self.line.tenant,
            channel=self.channel,
            provider_message_id=call_id,
            received_at=self.now,
            conversation_key=self.key,
            provider_timestamp=at,
        )


class CallFields(TypedDict):
    """``CallEnvelope``'s own fields as keyword arguments, shared by the steps of one call."""

    call_id: str
    direction: CallDirection
    caller: Sender
    line: NotRequired[str]


def _caller(record: CallRecord, line: Line) -> tuple[Sender, str]:
    """The customer and the conversation key; a withheld number is a thread of its own."""
    number = e164(record.customer, line.region)
    prefix = f"{line.tenant}/{KIND}/{line.account}/"
    if number is None:
        handle = record.customer or "anonymous"
        sender = Sender(handle=handle, display_name=record.customer_name)
        return sender, f"{prefix}anonymous:{record.call_id}"
    phone = identifier("phone", number, "carrier_asserted", SOURCE)
    sender = Sender(handle=number, display_name=record.customer_name, identifiers=[phone])
    return sender, prefix + number
