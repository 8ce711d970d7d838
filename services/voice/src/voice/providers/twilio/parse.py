"""Twilio Voice callbacks (form-encoded; JSON with ``bodySHA256`` too), pure: which callback a
body is and what it says.

* a transcription callback carries ``TranscriptionSid`` / ``TranscriptionText``;
* a recording callback (``recordingStatusCallback``, or a ``<Record>`` action) ``RecordingSid``;
* a status callback (``statusCallback``, every ``CallStatus``) the rest.
A recording status callback names neither caller nor direction (Twilio sends only the call
and recording fields): then ``Leg.caller`` is "" and the direction "inbound".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import msgspec

from hotline.kafka.errors import PermanentError
from hotline.twilio import Form

CALL_STATUSES = frozenset(
    {"queued", "initiated", "ringing", "in-progress", "completed"}
    | {"busy", "no-answer", "canceled", "failed"}
)
_object = msgspec.json.Decoder(dict[str, str | int | float | bool | None])


@dataclass(frozen=True)
class Leg:
    """What every callback says of the call."""

    call_sid: str
    direction: str  # Twilio's: inbound, outbound-api, outbound-dial ("" when not sent)
    caller: str  # From
    called: str  # To
    at: datetime | None  # Timestamp / RecordingStartTime


@dataclass(frozen=True)
class Status:
    leg: Leg
    status: str  # CallStatus
    duration_s: int | None  # CallDuration, else DialCallDuration, else Duration
    queue: str | None  # QueueSid
    queue_time: int | None  # QueueTime: seconds waited in the queue
    queue_result: str | None  # QueueResult: bridged, hangup, leave, ...
    digits: str | None  # Digits: the caller's IVR choice


@dataclass(frozen=True)
class Recording:
    leg: Leg
    sid: str
    url: str
    status: str  # RecordingStatus (completed when not sent: a <Record> action)
    duration_s: int | None
    channels: int


@dataclass(frozen=True)
class Transcription:
    leg: Leg
    sid: str
    recording_sid: str
    text: str
    status: str  # TranscriptionStatus: completed, failed


Callback = Status | Recording | Transcription


def json_form(body: bytes) -> Form:
    """A JSON callback (signed with ``bodySHA256``): a flat object, read as the form it
    stands for; anything else is malformed (400) or a schema mismatch (422)."""
    try:
        doc = _object.decode(body)
    except msgspec.ValidationError as exc:
        raise PermanentError("schema_mismatch", str(exc)) from exc
    except msgspec.DecodeError as exc:
        raise PermanentError("malformed", f"not a JSON body: {exc}") from exc
    pairs = [(k, _text(v)) for k, v in doc.items()]
    return Form(pairs, dict(pairs))


def callback(form: Form) -> Callback:
    leg = _leg(form)
    if "TranscriptionSid" in form.fields or "TranscriptionText" in form.fields:
        return _transcription(form, leg)
    if "RecordingSid" in form.fields:
        return _recording(form, leg)
    return _status(form, leg)


def _leg(form: Form) -> Leg:
    f = form.fields
    at = _when(f.get("Timestamp") or f.get("RecordingStartTime"))
    return Leg(form.need("CallSid"), f.get("Direction", ""), f.get("From", ""), f.get("To", ""), at)


def _status(form: Form, leg: Leg) -> Status:
    status, f = form.need("CallStatus"), form.fields
    if status not in CALL_STATUSES:
        raise PermanentError("unknown_status", f"CallStatus {status!r}")
    duration = f.get("CallDuration") or f.get("DialCallDuration") or f.get("Duration")
    return Status(
        leg,
        status,
        _seconds(duration, "CallDuration"),
        f.get("QueueSid") or None,
        _seconds(f.get("QueueTime"), "QueueTime"),
        f.get("QueueResult") or None,
        f.get("Digits") or None,
    )


def _recording(form: Form, leg: Leg) -> Recording:
    f = form.fields
    channels = _seconds(f.get("RecordingChannels"), "RecordingChannels") or 1
    return Recording(
        leg,
        form.need("RecordingSid"),
        f.get("RecordingUrl", ""),
        f.get("RecordingStatus") or "completed",
        _seconds(f.get("RecordingDuration"), "RecordingDuration"),
        channels,
    )


def _transcription(form: Form, leg: Leg) -> Transcription:
    f = form.fields
    return Transcription(
        leg,
        form.need("TranscriptionSid"),
        f.get("RecordingSid", ""),
        f.get("TranscriptionText", ""),
        f.get("TranscriptionStatus") or "completed",
    )


def _seconds(value: str | None, name: str) -> int | None:
    """A whole number of seconds (or a count); absent or empty: None."""
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise PermanentError("schema_mismatch", f"Expected a whole number - at `$.{name}`")
    return int(value)


def _when(value: str | None) -> datetime | None:
    """RFC 2822 ("Tue, 07 Dec 2026 09:00:00 +0000"), as Twilio writes its timestamps."""
    if not value:
        return None
    try:
        at = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _text(value: str | int | float | bool | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
