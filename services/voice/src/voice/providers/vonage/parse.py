"""Vonage Voice API event webhooks (JSON) -> one typed callback.

Three shapes reach the event URL: call status events (``status``: started, ringing,
answered, completed, busy, ...; ``uuid`` of the leg and ``conversation_uuid``), recording
events (``recording_url``, ``recording_uuid``; only ``conversation_uuid``, no numbers) and
transcription events (``type: "transcription"``, a ``transcription_url`` to fetch). Vonage
sends numbers without "+" ("447700900000") and ``duration`` as a digit string.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from hotline.kafka.errors import PermanentError


class Callback(msgspec.Struct, kw_only=True):
    uuid: str = ""
    conversation_uuid: str = ""
    status: str = ""
    type: str = ""  # "transcription" on transcription events
    direction: str = ""
    source: str = msgspec.field(default="", name="from")
    to: str = ""
    timestamp: datetime | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    duration: str | int | None = None  # seconds
    rate: str | None = None  # price per minute: kept out of events
    detail: str | None = None  # why a call failed or was rejected
    disconnected_by: str | None = None
    recording_url: str | None = None
    recording_uuid: str | None = None
    size: int | None = None
    transcription_url: str | None = None
    language: str | None = None  # a transcription's, when the event names it

    @property
    def call_id(self) -> str:
        """The call as the customer knows it: the conversation (recordings and transcripts
        name only it), else the leg."""
        return self.conversation_uuid or self.uuid

    def seconds(self) -> int | None:
        """``duration``, else ``end_time`` - ``start_time``; None when neither is given."""
        if isinstance(self.duration, int) or (self.duration or "").isdigit():
            return int(self.duration or 0)
        if self.start_time and self.end_time:
            return max(0, int((self.end_time - self.start_time).total_seconds()))
        return None


DECODER = msgspec.json.Decoder(Callback)


def parse(body: bytes) -> Callback:
    """Malformed JSON -> ``malformed`` (400); wrong types or no call id -> 422."""
    try:
        callback = DECODER.decode(body)
    except msgspec.ValidationError as exc:
        raise PermanentError("schema_mismatch", str(exc)) from exc
    except msgspec.DecodeError as exc:
        raise PermanentError("malformed", str(exc)) from exc
    if not callback.call_id:
        raise PermanentError("schema_mismatch", "Object missing required field `uuid`")
    return callback
