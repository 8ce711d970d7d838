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
from typing import Any

from hotline import events as ev
from hotline.phones import caller_e164, carrier_asserted


@dataclass(frozen=True)
class CallContext:
    tenant: str  # the routed account's
    account_id: str  # the channel account the call is on (Twilio: the AccountSid)
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


def numbers(ctx: CallContext, sides: Sides) -> tuple[str, str]:
    """The customer's and our side's numbers, in E.164 where they can be read."""
    customer = caller_e164(sides.customer, ctx.region) if sides.customer else ""
    return customer, caller_e164(sides.line, ctx.region) if sides.line else ""


def call_fields(ctx: CallContext, sides: Sides, step: str) -> dict[str, Any]:
    """The envelope and the call's fields, to spread into any ``Call*`` event."""
    number, line = numbers(ctx, sides)
    caller = ev.Sender(handle=number, identifiers=carrier_asserted(number, sides.source))
    channel = ev.ChannelRef(kind="voice", account_id=ctx.account_id)
    who = number if number.startswith("+") else f"call:{sides.call_id}"
    return {
        "event_id": ev.event_id_for(ctx.tenant, "voice", sides.call_id, step),
        "tenant": ctx.tenant,
        "channel": channel,
        "provider_message_id": sides.call_id,
        "received_at": ctx.received_at,
        "conversation_key": f"{ctx.tenant}/voice/{ctx.account_id}/{who}",
        "provider_timestamp": sides.at,
        "call_id": sides.call_id,
        "direction": sides.direction,
        "caller": caller,
        "line": line,
    }
