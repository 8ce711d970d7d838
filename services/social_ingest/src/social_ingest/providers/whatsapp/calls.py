"""WhatsApp Cloud calling webhooks -> call events (pure: no I/O, the clock comes in ``ctx``).

* ``connect`` -> ``call.started`` (USER_INITIATED: inbound; BUSINESS_INITIATED: outbound);
* ``terminate`` -> ``call.ended`` (COMPLETED with talk time: completed; COMPLETED without:
  no_answer; FAILED: failed), preceded by ``call.answered`` when there was talk time (the
  business answers an inbound call through the API, so no webhook says so);
* statuses of type "call" (business-initiated calls only): RINGING -> ``call.started``,
  ACCEPTED -> ``call.answered``, REJECTED -> ``call.ended`` (busy).

The channel stays ``whatsapp`` (account: the phone number id) and the caller is the WhatsApp
user (wa_id + phone, provider_verified), so a call joins the thread of that user's messages.
Ids follow the contract: ``event_id_for(tenant, "whatsapp", call id, "call.<step>")``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hotline import events as ev
from social_ingest.context import Context, envelope, from_unix
from social_ingest.providers.whatsapp import call_shapes as c
from social_ingest.providers.whatsapp import parse as p
from social_ingest.providers.whatsapp.customer import customer, names_of

DIRECTIONS: dict[str, ev.CallDirection] = {
    "USER_INITIATED": "inbound",
    "BUSINESS_INITIATED": "outbound",
}


class CallFields(ev.EnvelopeFields):
    """``CallEnvelope``'s fields as keyword arguments."""

    call_id: str
    direction: ev.CallDirection
    caller: ev.Sender
    line: str


@dataclass(frozen=True)
class Line:
    """What every call event of one ``calls`` change shares."""

    ctx: Context
    channel: ev.ChannelRef
    number: str  # the business's display number
    names: dict[str, str | None]
    errors: list[p.Error]


def call_events(ctx: Context, value: c.CallsValue) -> list[ev.Event]:
    channel = ev.ChannelRef(kind="whatsapp", account_id=value.metadata.phone_number_id)
    number, names = value.metadata.display_phone_number, names_of(value.contacts)
    line = Line(ctx, channel, number, names, value.errors)
    out: list[ev.Event] = []
    for call in value.calls:
        out.extend(_call(line, call))
    for status in value.statuses:
        if (status.type or "call") == "call":
            out.extend(_status(line, status))
    return out


@dataclass(frozen=True)
class Leg:
    """One call as the events see it: its id, the WhatsApp user, our number, the direction."""

    line: Line
    call_id: str
    who: str
    ours: str
    direction: ev.CallDirection

    def fields(self, step: str, at: datetime | None) -> CallFields:
        line = self.line
        env = envelope(line.ctx, line.channel, self.call_id, step, customer=self.who, at=at)
        caller = customer(self.who, line.names)
        return CallFields(
            **env, call_id=self.call_id, direction=self.direction, caller=caller, line=self.ours
        )


def _call(line: Line, call: c.Call) -> list[ev.Event]:
    direction = DIRECTIONS.get(call.direction.upper(), "inbound")
    leg = Leg(line, call.id, *_sides(line, call, direction), direction)
    at = from_unix(call.timestamp)
    if call.event == "connect":
        return [ev.CallStarted(**leg.fields("call.started", at))]
    return _terminated(leg, call, at) if call.event == "terminate" else []


def _terminated(leg: Leg, call: c.Call, at: datetime | None) -> list[ev.Event]:
    """``call.ended``, after ``call.answered`` when the call had talk time."""
    talk, status = _seconds(call.duration), (call.status or "").upper()
    out: list[ev.Event] = []
    if talk:
        answerer = leg.ours if leg.direction == "inbound" else leg.who
        fields = leg.fields("call.answered", from_unix(call.start_time) or at)
        out.append(ev.CallAnswered(**fields, answered_by=answerer))
    ended = ev.CallEnded(
        **leg.fields("call.ended", from_unix(call.end_time) or at),
        outcome=_outcome(status, talk),
        duration_s=_span(call) or talk,
        talk_s=talk,
        cause=_cause(status, leg.line.errors),
    )
    return [*out, ended]


def _status(line: Line, s: p.Status) -> list[ev.Event]:
    """Statuses come for business-initiated calls: the recipient is the WhatsApp user."""
    who, status, at = s.recipient_id or "", s.status.upper(), from_unix(s.timestamp)
    leg = Leg(line, s.id, who, line.number, "outbound")
    if status == "RINGING":
        return [ev.CallStarted(**leg.fields("call.started", at))]
    if status == "ACCEPTED":
        return [ev.CallAnswered(**leg.fields("call.answered", at), answered_by=who)]
    if status == "REJECTED":
        fields = leg.fields("call.ended", at)
        return [ev.CallEnded(**fields, outcome="busy", cause=_cause(status, s.errors))]
    return []


def _sides(line: Line, call: c.Call, direction: ev.CallDirection) -> tuple[str, str]:
    """(the WhatsApp user, our number): by direction, unless that names our own number."""
    who, ours = (call.from_, call.to) if direction == "inbound" else (call.to, call.from_)
    if line.number and who == line.number and ours != line.number:
        who, ours = ours, who
    return who, ours


def _outcome(status: str, talk: int | None) -> ev.CallOutcome:
    if status == "FAILED":
        return "failed"
    if status == "REJECTED":
        return "busy"
    return "completed" if talk else "no_answer"


def _cause(status: str, errors: list[p.Error]) -> str | None:
    """The provider's status, with its error (code and description) when it sent one."""
    error = errors[0] if errors else None
    said = " ".join(x for x in (str(error.code or ""), error.describe()) if x) if error else ""
    return " ".join(x for x in (status, f"({said})" if said else "") if x) or None


def _span(call: c.Call) -> int | None:
    start, end = from_unix(call.start_time), from_unix(call.end_time)
    return int((end - start).total_seconds()) if start and end else None


def _seconds(value: int | str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None
