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


def _call(line: Line, call: c.Call) -> list[ev.Event]:
    direction = DIRECTIONS.get(call.direction.upper(), "inbound")
    who, ours = _sides(line, call, direction)
    at = from_unix(call.timestamp)
    if call.event == "connect":
        return [ev.CallStarted(**_base(line, call.id, "call.started", who, ours, direction, at))]
    if call.event != "terminate":
        return []
    talk = _seconds(call.duration)
    end = from_unix(call.end_time) or at
    out: list[ev.Event] = []
    if talk:
        start = from_unix(call.start_time) or at
        answerer = ours if direction == "inbound" else who
        base = _base(line, call.id, "call.answered", who, ours, direction, start)
        out.append(ev.CallAnswered(**base, answered_by=answerer))
    base = _base(line, call.id, "call.ended", who, ours, direction, end)
    status = (call.status or "").upper()
    out.append(
        ev.CallEnded(
            **base,
            outcome=_outcome(status, talk),
            duration_s=_span(call) or talk,
            talk_s=talk,
            cause=_cause(status, line.errors),
        )
    )
    return out


def _status(line: Line, s: p.Status) -> list[ev.Event]:
    """Statuses come for business-initiated calls: the recipient is the WhatsApp user."""
    who, ours, at = s.recipient_id or "", line.number, from_unix(s.timestamp)
    status = s.status.upper()
    if status == "RINGING":
        return [ev.CallStarted(**_base(line, s.id, "call.started", who, ours, "outbound", at))]
    if status == "ACCEPTED":
        base = _base(line, s.id, "call.answered", who, ours, "outbound", at)
        return [ev.CallAnswered(**base, answered_by=who)]
    if status == "REJECTED":
        base = _base(line, s.id, "call.ended", who, ours, "outbound", at)
        return [ev.CallEnded(**base, outcome="busy", cause=_cause(status, s.errors))]
    return []


def _sides(line: Line, call: c.Call, direction: ev.CallDirection) -> tuple[str, str]:
    """(the WhatsApp user, our number): by direction, unless that names our own number."""
    who, ours = (call.from_, call.to) if direction == "inbound" else (call.to, call.from_)
    if line.number and who == line.number and ours != line.number:
        who, ours = ours, who
    return who, ours


def _base(
    line: Line,
    call_id: str,
    step: str,
    who: str,
    ours: str,
    direction: ev.CallDirection,
    at: datetime | None,
) -> CallFields:
    env = envelope(line.ctx, line.channel, call_id, step, customer=who, at=at)
    caller = customer(who, line.names)
    return CallFields(**env, call_id=call_id, direction=direction, caller=caller, line=ours)


def _outcome(status: str, talk: int | None) -> ev.CallOutcome:
    if status == "FAILED":
        return "failed"
    if status == "REJECTED":
        return "busy"
    return "completed" if talk else "no_answer"


def _cause(status: str, errors: list[p.Error]) -> str | None:
    """The provider's status, with its error (code and description) when it sent one."""
    error = errors[0] if errors else None
    detail = f" ({error.code} {error.describe()})".replace("( ", "(") if error else ""
    return (status + detail).strip() or None


def _span(call: c.Call) -> int | None:
    start, end = from_unix(call.start_time), from_unix(call.end_time)
    return int((end - start).total_seconds()) if start and end else None


def _seconds(value: int | str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None
