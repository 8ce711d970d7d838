"""Generic CTI events -> call events (pure).

newCall -> ``call.started`` (the ``queue``); answer -> ``call.answered`` (the agent, else the
answering number; "voicemail" when the PBX's voicemail took it); hangup -> ``call.ended`` with
the outcome of Zammad's hangup ``cause`` (``OUTCOMES``), the cause kept verbatim. A hangup
whose ``user`` is the voicemail ended in voicemail; a caller who hung up (``cancel``) while in
a ``queue`` abandoned it. The PBX sends no durations: the call record derives them from the
events' times.
"""

from __future__ import annotations

from hotline import events as ev
from voice.calls import CallContext, CallFields, call_fields, number, sides
from voice.providers.cti.parse import CtiEvent, parse

OUTCOMES: dict[str, ev.CallOutcome] = {
    "normalClearing": "completed",  # answered, then hung up
    "busy": "busy",
    "cancel": "canceled",  # the caller hung up before anyone answered
    "noAnswer": "no_answer",
    "congestion": "failed",  # no line or trunk free
    "notFound": "failed",  # the number does not exist
    "unavailable": "failed",  # the destination is unreachable
    "forwarded": "completed",  # handed on to another destination: not a missed call
}
NO_CAUSE: ev.CallOutcome = "completed"  # PBX scripts that send none mean a plain end
UNKNOWN_CAUSE: ev.CallOutcome = "failed"  # a cause we do not know: kept in ``cause``
VOICEMAIL = "voicemail"
SOURCE = "cti"


def normalize(body: bytes, ctx: CallContext) -> list[ev.CallEvent]:
    call = parse(body)
    if call.event == "newCall":
        queue = call.queue or None
        return [ev.CallStarted(**_fields(ctx, call, "call.started"), queue=queue)]
    if call.event == "answer":
        return [
            ev.CallAnswered(**_fields(ctx, call, "call.answered"), answered_by=_agent(ctx, call))
        ]
    return [
        ev.CallEnded(
            **_fields(ctx, call, "call.ended"), outcome=outcome(call), cause=call.cause or None
        )
    ]


def outcome(call: CtiEvent) -> ev.CallOutcome:
    if call.user.lower() == VOICEMAIL:
        return "voicemail"
    if not call.cause:
        return NO_CAUSE
    found = OUTCOMES.get(call.cause, UNKNOWN_CAUSE)
    return "abandoned" if found == "canceled" and call.queue else found


def _agent(ctx: CallContext, call: CtiEvent) -> str:
    if call.user:
        return VOICEMAIL if call.user.lower() == VOICEMAIL else call.user
    return number(call.answering_number, ctx.region)


def _fields(ctx: CallContext, call: CtiEvent, step: str) -> CallFields:
    direction: ev.CallDirection = "outbound" if call.direction == "out" else "inbound"
    return call_fields(ctx, sides(call.call_id, direction, call.source, call.target, SOURCE), step)
