"""Twilio Voice callbacks -> call events (pure).

* ``CallStatus`` queued / initiated / ringing -> ``call.started`` (one event however many of
  them arrive); in-progress -> ``call.answered``; completed / busy / no-answer / canceled /
  failed -> ``call.ended`` with that outcome. A call that ended in a queue (``QueueSid``)
  because the caller hung up (``QueueResult=hangup``, or canceled / no-answer) is
  ``abandoned``; ``QueueTime`` is its wait. A callback URL marked ``voicemail`` (see
  ``edge``) ends the call as ``voicemail``.
* A recording -> ``call.recording`` whose ref is ``provider:twilio/<RecordingSid>`` and whose
  ``source_url`` the fetcher downloads; marked ``voicemail``, also ``call.voicemail``. A
  recording Twilio reports ``absent`` or ``failed`` keeps its ref with ``fetch_error`` set,
  seen rather than lost; one still ``in-progress`` is nothing yet.
* A completed transcription -> ``call.transcript`` (engine "twilio"); a failed one, nothing.
* ``Direction`` inbound: the customer is ``From``; outbound-api / outbound-dial: ``To``.
"""

from __future__ import annotations

from hotline import events as ev
from hotline.kafka.errors import PermanentError
from hotline.twilio import Form
from voice.calls import CallContext, Sides, call_fields, numbers
from voice.calls import sides as call_sides
from voice.providers.twilio import parse as p

STARTED = frozenset({"queued", "initiated", "ringing"})
OUTCOMES: dict[str, ev.CallOutcome] = {
    "completed": "completed",
    "busy": "busy",
    "no-answer": "no_answer",
    "canceled": "canceled",
    "failed": "failed",
}
UNANSWERED = frozenset({"canceled", "no-answer"})
VOICEMAIL = "voicemail"  # the callback URL's marker (``?voicemail=1``)
RECORDING_MIME = "audio/wav"  # what Twilio serves at a RecordingUrl without an extension


def normalize(form: Form, ctx: CallContext) -> list[ev.CallEvent]:
    cb = p.callback(form)
    if isinstance(cb, p.Transcription):
        return _transcript(cb, ctx)
    if isinstance(cb, p.Recording):
        return _recording(cb, ctx)
    return [_status(cb, ctx)]


def sides(leg: p.Leg) -> Sides:
    if leg.direction.startswith("outbound"):
        return call_sides(leg.call_sid, "outbound", leg.caller, leg.called, "twilio", leg.at)
    if leg.direction not in ("", "inbound"):
        raise PermanentError("schema_mismatch", f"Unknown Direction {leg.direction!r}")
    return call_sides(leg.call_sid, "inbound", leg.caller, leg.called, "twilio", leg.at)


def _status(s: p.Status, ctx: CallContext) -> ev.CallEvent:
    call = sides(s.leg)
    if s.status in STARTED:
        fields = call_fields(ctx, call, "call.started")
        return ev.CallStarted(**fields, queue=s.queue, ivr_selection=s.digits)
    if s.status == "in-progress":
        customer, line = numbers(ctx, call)  # who picked up: our line, or the customer
        answered_by = customer if call.direction == "outbound" else line
        return ev.CallAnswered(**call_fields(ctx, call, "call.answered"), answered_by=answered_by)
    return _ended(s, ctx, call)


def _ended(s: p.Status, ctx: CallContext, call: Sides) -> ev.CallEnded:
    outcome = _outcome(s, ctx)
    answered = outcome in ("completed", "voicemail")
    wait = s.queue_time if s.queue else None
    talk = max(0, s.duration_s - (wait or 0)) if answered and s.duration_s is not None else None
    return ev.CallEnded(
        **call_fields(ctx, call, "call.ended"),
        outcome=outcome,
        duration_s=s.duration_s,
        talk_s=talk,
        wait_s=wait,
        cause=s.status if s.queue_result is None else f"{s.status} ({s.queue_result})",
    )


def _outcome(s: p.Status, ctx: CallContext) -> ev.CallOutcome:
    if s.queue and (s.queue_result == "hangup" or s.status in UNANSWERED):
        return "abandoned"
    if s.status == "completed" and VOICEMAIL in ctx.flags:
        return "voicemail"
    return OUTCOMES[s.status]


def _recording(r: p.Recording, ctx: CallContext) -> list[ev.CallEvent]:
    if r.status == "in-progress":
        return []
    call = sides(r.leg)
    ref = ev.AttachmentRef(
        ref=f"provider:twilio/{r.sid}",
        mime_type=RECORDING_MIME,
        source_url=r.url or None,
        fetch_error=None if r.status == "completed" else f"twilio: recording {r.status}",
    )
    recording = ev.CallRecording(
        **call_fields(ctx, call, f"call.recording:{r.sid}"),
        recording=ref,
        recording_id=r.sid,
        duration_s=r.duration_s,
        channels=r.channels,
    )
    if VOICEMAIL not in ctx.flags:
        return [recording]
    fields = call_fields(ctx, call, "call.voicemail")
    return [recording, ev.CallVoicemail(**fields, recording=ref, duration_s=r.duration_s)]


def _transcript(t: p.Transcription, ctx: CallContext) -> list[ev.CallEvent]:
    if t.status != "completed":
        return []
    step = f"call.transcript:{t.recording_sid or t.sid}"
    return [
        ev.CallTranscript(
            **call_fields(ctx, sides(t.leg), step),
            text=t.text,
            engine="twilio",
            recording_id=t.recording_sid,
        )
    ]
