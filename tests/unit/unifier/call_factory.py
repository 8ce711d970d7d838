"""Call events of one call, as an edge would send them (for the unifier's tests)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hotline import events as ev
from tests.unit.unifier.factory import T0, ident, message

LINE = "+4930555000111"
ACCOUNT = "AC0123"


def caller(number: str, level: ev.VerificationLevel = "carrier_asserted") -> ev.Sender:
    return ev.Sender(handle=number, identifiers=[ev.identifier("phone", number, level)])


def whatsapp_from(
    tenant: str, number: str, at: timedelta, text: str = "my internet is down"
) -> ev.MessageReceived:
    """Her WhatsApp message from ``number`` (wa_id and phone, provider verified): the same
    person as the caller of that number."""
    digits = number.lstrip("+")
    ids = [
        ident("wa_id", digits, level="provider_verified"),
        ident("phone", number, level="provider_verified"),
    ]
    return message("wamid.1", "whatsapp", tenant=tenant, at=at, handle=digits, text=text, ids=ids)


class Call:
    """Builds the events of one call: ``Call("CA1").started(0).ended(40, "completed")``."""

    def __init__(
        self,
        call_id: str,
        number: str = "+4915100000001",
        *,
        tenant: str = "acme",
        direction: ev.CallDirection = "inbound",
        kind: ev.ChannelKind = "voice",
    ) -> None:
        self.call_id, self.number, self.tenant = call_id, number, tenant
        self.direction, self.kind = direction, kind

    def _fields(self, step: str, second: int) -> dict[str, Any]:
        at = T0 + timedelta(seconds=second)
        return {
            "event_id": ev.event_id_for(self.tenant, self.kind, self.call_id, step),
            "tenant": self.tenant,
            "channel": ev.ChannelRef(kind=self.kind, account_id=ACCOUNT),
            "provider_message_id": self.call_id,
            "received_at": at + timedelta(seconds=1),
            "provider_timestamp": at,
            "conversation_key": f"{self.tenant}/{self.kind}/{ACCOUNT}/{self.number}",
            "call_id": self.call_id,
            "direction": self.direction,
            "caller": caller(self.number),
            "line": LINE,
        }

    def started(self, s: int = 0, queue: str | None = "support") -> ev.CallStarted:
        return ev.CallStarted(**self._fields("call.started", s), queue=queue, ivr_selection="2")

    def answered(self, s: int = 10, by: str = "agent:ann") -> ev.CallAnswered:
        return ev.CallAnswered(**self._fields("call.answered", s), answered_by=by)

    def ended(
        self, s: int = 60, outcome: ev.CallOutcome = "completed", talk: int | None = 50
    ) -> ev.CallEnded:
        return ev.CallEnded(
            **self._fields("call.ended", s),
            outcome=outcome,
            duration_s=s,
            talk_s=talk,
            wait_s=s - (talk or 0),
            cause=outcome.upper(),
        )

    def recording(
        self, rid: str = "RE1", s: int = 61, error: str | None = None
    ) -> ev.CallRecording:
        ref = f"provider:twilio/{rid}" if error else f"blob:sha256/{rid.lower()}"
        return ev.CallRecording(
            **self._fields(f"call.recording:{rid}", s),
            recording=ev.AttachmentRef(ref=ref, mime_type="audio/mpeg", fetch_error=error),
            recording_id=rid,
            duration_s=50,
            channels=2,
        )

    def transcript(
        self, rid: str = "RE1", s: int = 90, text: str = "my router"
    ) -> ev.CallTranscript:
        return ev.CallTranscript(
            **self._fields(f"call.transcript:{rid}", s),
            text=text,
            language="en",
            engine="twilio",
            recording_id=rid,
        )

    def voicemail(self, s: int = 45) -> ev.CallVoicemail:
        return ev.CallVoicemail(
            **self._fields("call.voicemail", s),
            recording=ev.AttachmentRef(ref="blob:sha256/vm1", mime_type="audio/wav"),
            duration_s=12,
            transcript="please call me back",
        )

    def whole(self) -> list[ev.CallEvent]:
        """Rings, answered, ends, recording (stored) and its transcript."""
        return [self.started(), self.answered(), self.ended(), self.recording(), self.transcript()]
