"""Vonage event webhooks -> call events (pure).

Status -> event: started and ringing -> ``call.started`` (one event id: a repeat is the same
event); answered -> ``call.answered``; each final status -> ``call.ended`` with its outcome
(``ENDED``). ``disconnected`` (a leg left the conversation; ``completed`` follows), the
machine-detection results and any status Vonage adds later produce nothing. A recording event
-> ``call.recording`` (ref ``provider:vonage/<recording_uuid>``, the file's URL as its
``source_url``: the edge copies it). A transcription
event only names a URL to fetch the text from, so it produces nothing here: the edge fetches
it (``voice.providers.vonage.transcript``) and publishes the ``call.transcript``.
"""

from __future__ import annotations

from hotline import events as ev
from voice.calls import CallContext, CallFields, call_fields, number, sides
from voice.providers.vonage.parse import Callback, parse

STARTED = frozenset({"started", "ringing"})
ENDED: dict[str, ev.CallOutcome] = {
    "completed": "completed",
    "busy": "busy",
    "cancelled": "canceled",
    "unanswered": "no_answer",
    "timeout": "no_answer",
    "rejected": "failed",
    "failed": "failed",
}
SOURCE = "vonage"
IGNORED = frozenset({"disconnected", "machine", "human"})  # documented: nothing produced


def normalize(body: bytes, ctx: CallContext) -> list[ev.CallEvent]:
    callback = parse(body)
    if callback.type == "transcription" or callback.transcription_url:
        return []
    if callback.recording_url and callback.recording_uuid:
        return [_recording(ctx, callback)]
    if callback.status in STARTED:
        return [ev.CallStarted(**fields_of(ctx, callback, "call.started"))]
    if callback.status == "answered":
        answered_by = number(_international(callback.to), ctx.region)
        return [
            ev.CallAnswered(**fields_of(ctx, callback, "call.answered"), answered_by=answered_by)
        ]
    if callback.status in ENDED:
        return [_ended(ctx, callback)]
    return []


def _international(raw: str) -> str:
    """Vonage's phone numbers are international digits without "+" ("447700900000"): never
    national, whatever the account's region; SIP URIs and app users stay as sent."""
    return "+" + raw if raw.isdigit() and raw.isascii() else raw


def fields_of(ctx: CallContext, callback: Callback, step: str) -> CallFields:
    at = callback.timestamp or callback.end_time or callback.start_time
    direction: ev.CallDirection = "outbound" if callback.direction == "outbound" else "inbound"
    calling, called = _international(callback.source), _international(callback.to)
    return call_fields(ctx, sides(callback.call_id, direction, calling, called, SOURCE, at), step)


def _ended(ctx: CallContext, callback: Callback) -> ev.CallEnded:
    outcome = ENDED[callback.status]
    # Vonage reports the answered time only (billing): it is the talk time, and the
    # nearest to the whole call's duration the callback carries
    talk = callback.seconds() if outcome == "completed" else None
    return ev.CallEnded(
        **fields_of(ctx, callback, "call.ended"),
        outcome=outcome,
        duration_s=talk,
        talk_s=talk,
        cause=callback.detail or callback.status,
    )


def _recording(ctx: CallContext, callback: Callback) -> ev.CallRecording:
    rid = callback.recording_uuid or ""
    url = callback.recording_url or ""
    ref = ev.AttachmentRef(
        ref=f"provider:vonage/{rid}",
        mime_type="audio/mpeg",
        size=callback.size or None,
        source_url=url,
    )
    return ev.CallRecording(
        **fields_of(ctx, callback, f"call.recording:{rid}"),
        recording=ref,
        recording_id=rid,
        duration_s=callback.seconds(),
    )
