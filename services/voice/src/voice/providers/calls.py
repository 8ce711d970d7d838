"""What every voice normalizer builds its call events from (pure): the routed channel account,
the clock reading, and the fields every ``call.*`` event shares.

Event ids follow the contract: ``event_id_for(tenant, "voice", call_id, step)`` with step the
tag's name ("call.started") plus ":<recording id>" for recordings and transcripts, so repeated
and reordered callbacks about one call are the same events. The customer's number is E.164
when it parses (the account's default region for national forms like "030/1234567"), else
kept as sent ("anonymous", an internal extension) and then links nothing. The conversation key
is ``{tenant}/voice/{account}/{caller E.164}``; a callback that names no caller (Vonage's
recording events) or one that is no number is keyed ``.../call:<call id>`` instead, so
withheld callers never share one conversation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hotline import events as ev
from hotline.phones import e164


@dataclass(frozen=True)
class CallContext:
    source: str  # "vonage", "cti": where caller identifiers come from
    account: str  # the channel account's id (events' ``channel.account_id``)
    tenant: str  # the routed account's tenant
    region: str | None  # default region for national numbers
    received_at: datetime


class CallFields(ev.EnvelopeFields):
    """``CallEnvelope``'s fields as keyword arguments for any ``call.*`` event."""

    call_id: str
    direction: ev.CallDirection
    caller: ev.Sender
    line: str


@dataclass(frozen=True)
class Parties:
    """The call's two sides as the provider names them (``from``/``to``)."""

    direction: ev.CallDirection
    source: str  # the calling side, raw
    target: str  # the called side, raw

    @property
    def customer(self) -> str:
        return self.source if self.direction == "inbound" else self.target

    @property
    def ours(self) -> str:
        return self.target if self.direction == "inbound" else self.source


def number(raw: str, region: str | None) -> str:
    """E.164 when ``raw`` parses as a phone number, else ``raw`` as sent (stripped)."""
    text = raw.strip()
    return e164(text, region) or text if text else ""


def caller_of(ctx: CallContext, parties: Parties) -> ev.Sender:
    """The customer's side; a parsed number is carrier-asserted (it can be spoofed, so it
    links a contact only as an SMS sender's does)."""
    side = "from" if parties.direction == "inbound" else "to"
    handle = number(parties.customer, ctx.region)
    if not handle.startswith("+"):
        return ev.Sender(handle=handle)
    found = ev.identifier("phone", handle, "carrier_asserted", source=f"{ctx.source}.{side}")
    return ev.Sender(handle=handle, identifiers=[found])


def call_fields(
    ctx: CallContext, call_id: str, step: str, parties: Parties, at: datetime | None = None
) -> CallFields:
    """``step``: "call.started", ... or "call.recording:<recording id>" (the event id's)."""
    caller = caller_of(ctx, parties)
    channel = ev.ChannelRef(kind="voice", account_id=ctx.account)
    who = caller.handle if caller.handle.startswith("+") else f"call:{call_id}"
    return CallFields(
        event_id=ev.event_id_for(ctx.tenant, "voice", call_id, step),
        tenant=ctx.tenant,
        channel=channel,
        provider_message_id=call_id,
        received_at=ctx.received_at,
        conversation_key=f"{ctx.tenant}/voice/{ctx.account}/{who}",
        provider_timestamp=at,
        call_id=call_id,
        direction=parties.direction,
        caller=caller,
        line=number(parties.ours, ctx.region),
    )
