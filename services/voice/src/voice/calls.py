"""What every telephony source's normalizer builds a call event from (pure): the routed
account's context and the call's two sides.

One call is one ``call_id``; each step is its own event whose id is
``event_id_for(tenant, "voice", call_id, step)`` (step: "call.started", ...; recordings and
transcripts add ":<recording id>"), so a repeated callback is the same event. The customer is
the caller of an inbound call and the callee of an outbound one; their number is E.164 (a
national number read in the account's region), a ``carrier_asserted`` phone like an SMS From.
The conversation key is ``{tenant}/voice/{account}/{caller E.164}``; a callback that does not
name the caller (Twilio's recording callbacks), or names one that is no number (a withheld
caller id, "anonymous"), is keyed ``…/call:<call id>`` instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from hotline import events as ev
from hotline.phones import caller_e164, carrier_asserted


@dataclass(frozen=True)
class CallContext:
    tenant: str  # the routed account's
    account_id: str  # the channel account the call is on (the id the request named)
    received_at: datetime
    region: str | None = None  # the account's default region for national numbers
    flags: frozenset[str] = field(default_factory=frozenset)  # the callback URL's markers


@dataclass(frozen=True)
class Sides:
    call_id: str
    direction: ev.CallDirection
    customer: str  # the customer's number as the source gives it ("" when not named)
    line: str  # our side: the number, extension or queue
    at: datetime | None = None  # when the source says the step happened
    source: str = "provider"  # where the customer's number came from ("twilio.from", ...)


class CallFields(ev.EnvelopeFields):
    """``CallEnvelope``'s fields as keyword arguments for any ``Call*`` event."""

    call_id: str
    direction: ev.CallDirection
    caller: ev.Sender
    line: str


def sides(
    call_id: str,
    direction: ev.CallDirection,
    calling: str,
    called: str,
    source: str,
    at: datetime | None = None,
) -> Sides:
    """The two sides of a call as a source names them (``calling`` -> ``called``): the
    customer is the calling side of an inbound call and the called side of an outbound one;
    ``source`` ("twilio", "vonage", "cti") names where the customer's number came from."""
    if direction == "outbound":
        return Sides(call_id, direction, called, calling, at, f"{source}.to")
    return Sides(call_id, direction, calling, called, at, f"{source}.from")


def number(raw: str, region: str | None) -> str:
    """E.164 when ``raw`` reads as a phone number (national in ``region``), else as given."""
    return caller_e164(raw, region) if raw else ""


def numbers(ctx: CallContext, call: Sides) -> tuple[str, str]:
    """The customer's and our side's numbers, in E.164 where they can be read."""
    return number(call.customer, ctx.region), number(call.line, ctx.region)


def call_fields(ctx: CallContext, call: Sides, step: str) -> CallFields:
    """The envelope and the call's fields, to spread into any ``Call*`` event."""
    customer, line = numbers(ctx, call)
    caller = ev.Sender(handle=customer, identifiers=carrier_asserted(customer, call.source))
    channel = ev.ChannelRef(kind="voice", account_id=ctx.account_id)
    who = customer if customer.startswith("+") else f"call:{call.call_id}"
    return CallFields(
        event_id=ev.event_id_for(ctx.tenant, "voice", call.call_id, step),
        tenant=ctx.tenant,
        channel=channel,
        provider_message_id=call.call_id,
        received_at=ctx.received_at,
        conversation_key=f"{ctx.tenant}/voice/{ctx.account_id}/{who}",
        provider_timestamp=call.at,
        call_id=call.call_id,
        direction=call.direction,
        caller=caller,
        line=line,
    )
