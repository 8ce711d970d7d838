"""Phone calls into a test tenant's lines, as the telephony sources report them to the voice
edge: Twilio Voice callbacks (status, recording, transcription; form-encoded and signed with
``X-Twilio-Signature`` over the callback URL, query included) and a PBX's generic CTI events
(signed ``X-Hotline-Signature``). Signing is the dev call's (``hotline call``), not a copy.
Twilio's recording storage is stood in for by a local app (``recordings_app``)."""

from __future__ import annotations

import base64
import io
import uuid
import wave
from dataclasses import dataclass, field
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import Response

from hotline_tools.devstack.call import cti_headers, signed_post
from tests.e2e.workspace.edges import VOICE_TOKEN, Slot

Pairs = list[tuple[str, str]]


@dataclass(frozen=True)
class Callback:
    """One callback: its form and the query of the URL it was configured with."""

    pairs: Pairs
    query: str = ""


@dataclass(frozen=True)
class TwilioCall:
    """An inbound call from ``caller`` to the slot's Twilio line ``line``."""

    slot: Slot
    caller: str
    line: str = "+4930555000111"
    call_sid: str = field(default_factory=lambda: "CA" + uuid.uuid4().hex)

    def _leg(self, *, parties: bool = True) -> Pairs:
        ids = [("AccountSid", self.slot.twilio_sid), ("CallSid", self.call_sid)]
        if not parties:  # a recording status callback names neither side
            return ids
        return [*ids, ("Direction", "inbound"), ("From", self.caller), ("To", self.line)]

    def status(self, status: str, query: str = "", **extra: str) -> Callback:
        """A status callback (``CallStatus``; ``extra``: CallDuration, QueueSid, ...)."""
        return Callback([*self._leg(), ("CallStatus", status), *extra.items()], query)

    def recording(self, rid: str, url: str, seconds: int, query: str = "") -> Callback:
        fields = {"RecordingSid": rid, "RecordingUrl": url, "RecordingStatus": "completed"}
        fields |= {"RecordingDuration": str(seconds), "RecordingChannels": "1"}
        return Callback([*self._leg(parties=False), *fields.items()], query)

    def transcription(self, rid: str, text: str, query: str = "") -> Callback:
        fields = {"TranscriptionSid": "TR" + uuid.uuid4().hex, "RecordingSid": rid}
        fields |= {"TranscriptionText": text, "TranscriptionStatus": "completed"}
        return Callback([*self._leg(), *fields.items()], query)


def twilio_request(url: str, token: str, cb: Callback) -> tuple[str, bytes, dict[str, str]]:
    """Where a callback goes, its body and headers, signed as Twilio signs it."""
    target = f"{url}?{cb.query}" if cb.query else url
    body, headers = signed_post(target, token, cb.pairs)
    return target, body, headers


def cti_request(slot: Slot, fields: dict[str, str]) -> tuple[str, bytes, dict[str, str]]:
    """A PBX's CTI event (newCall, answer, hangup) to the slot's CTI account."""
    body = urlencode(fields).encode()
    return f"/webhooks/voice/cti/{slot.pbx}", body, cti_headers(slot.pbx_secret, body)


def wav() -> bytes:
    """A short silent WAV: what Twilio serves at a RecordingUrl."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(bytes(1600))
    return out.getvalue()


AUDIO = wav()


@dataclass
class Recordings:
    """Twilio's recording storage: each slot's recordings, only with its Basic credentials."""

    base: str = ""

    def url(self, sid: str, rid: str) -> str:
        return f"{self.base}/2010-04-01/Accounts/{sid}/Recordings/{rid}"


def recordings_app(r: Recordings) -> FastAPI:
    app = FastAPI()

    @app.get("/2010-04-01/Accounts/{sid}/Recordings/{rid}")
    async def recording(sid: str, rid: str, request: Request) -> Response:
        basic = base64.b64encode(f"{sid}:{VOICE_TOKEN}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {basic}":
            return Response(status_code=401)
        return Response(AUDIO, media_type="audio/x-wav")

    return app
