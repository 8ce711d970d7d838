"""``hotline call``: one phone call on the running `make run` stack, reported as a telephony
source would, each callback signed with the stack's dev secret and posted to the voice
service's edge. Prints each callback's answer; the call events land on
``hotline.inbound.voice``.

* ``twilio``: status callbacks (initiated, ringing, in-progress, completed), form-encoded,
  ``X-Twilio-Signature``: base64 HMAC-SHA1 of the callback URL + the sorted form parameters.
* ``vonage``: event webhooks (started, ringing, answered, completed), JSON, with
  ``Authorization: Bearer <JWT>`` HS256-signed with the signature secret (``payload_hash``:
  the body's SHA-256, ``iat``, ``application_id``).
* ``cti``: a PBX's newCall, answer, hangup (Zammad's generic CTI fields), form-encoded, to
  ``/webhooks/voice/cti/<account>`` with ``X-Hotline-Signature: t=<unix>,v1=<hex
  HMAC-SHA256 of "<t>." + body>``.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable, Iterator
from urllib.parse import urlencode

import httpx
import jwt

from hotline import twilio
from hotline_tools.devstack.credentials import Credentials
from hotline_tools.devstack.stack import voice_callback_url, voice_url
from voice.providers.cti import verify as cti_verify

ACCOUNT = "AC00000000000000000000000000000000"  # any AccountSid: the dev account is "*"
CALLER, LINE = "+4930123456789", "+4930555000111"
PBX_CALLER = "+49 30/1234 56789"  # as PBXs write numbers: "/" and spaces (zammad#5128)
STEPS: tuple[tuple[str, dict[str, str]], ...] = (
    ("initiated", {}),
    ("ringing", {}),
    ("in-progress", {}),
    ("completed", {"CallDuration": "42"}),
)
Request = tuple[str, bytes, dict[str, str]]  # what it is, the body, the headers


def callback(call_sid: str, status: str, extra: dict[str, str]) -> list[tuple[str, str]]:
    fields = {"AccountSid": ACCOUNT, "CallSid": call_sid, "CallStatus": status}
    return [
        *fields.items(),
        ("Direction", "inbound"),
        ("From", CALLER),
        ("To", LINE),
        *extra.items(),
    ]


def signed_post(url: str, token: str, pairs: list[tuple[str, str]]) -> tuple[bytes, dict[str, str]]:
    headers = {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": twilio.sign(token.encode(), url, pairs),
    }
    return urlencode(pairs).encode(), headers


def twilio_call(url: str, creds: Credentials, call_id: str) -> Iterator[Request]:
    for status, extra in STEPS:
        body, headers = signed_post(url, creds.twilio_auth_token, callback(call_id, status, extra))
        yield f"CallStatus={status}", body, headers


def vonage_call(url: str, creds: Credentials, call_id: str) -> Iterator[Request]:
    parties = {"from": CALLER[1:], "to": LINE[1:], "direction": "inbound"}  # Vonage: no "+"
    for status in ("started", "ringing", "answered", "completed"):
        extra = {"duration": "42"} if status == "completed" else {}
        doc = {"uuid": call_id, "conversation_uuid": f"CON-{call_id}", "status": status}
        body = json.dumps({**doc, **parties, **extra}).encode()
        yield f"status={status}", body, vonage_headers(creds, body)


def vonage_headers(creds: Credentials, body: bytes) -> dict[str, str]:
    claims = {
        "iat": int(time.time()),
        "application_id": creds.vonage_application_id,
        "payload_hash": hashlib.sha256(body).hexdigest(),
    }
    token = jwt.encode(claims, creds.vonage_signature_secret, algorithm="HS256")
    return {"content-type": "application/json", "authorization": f"Bearer {token}"}


def cti_call(url: str, creds: Credentials, call_id: str) -> Iterator[Request]:
    call = {"callId": call_id, "direction": "in", "from": PBX_CALLER, "to": LINE}
    steps = (("newCall", {"queue": "support"}), ("answer", {"user": "Dev Admin"}))
    for event, extra in (*steps, ("hangup", {"cause": "normalClearing"})):
        body = urlencode({"event": event, **call, **extra}).encode()
        yield f"event={event}", body, cti_headers(creds.cti_signing_secret, body)


def cti_headers(secret: str, body: bytes, t: int | None = None) -> dict[str, str]:
    """``X-Hotline-Signature`` as a PBX sends it (``t``: now unless given)."""
    stamp = int(time.time()) if t is None else t
    return {
        "content-type": "application/x-www-form-urlencoded",
        cti_verify.HEADER: cti_verify.header_for(secret, stamp, body),
    }


Source = Callable[[str, Credentials, str], Iterator[Request]]
SOURCES: dict[str, tuple[Source, Callable[[int, Credentials], str]]] = {
    "twilio": (twilio_call, lambda base, creds: voice_callback_url(base)),
    "vonage": (vonage_call, lambda base, creds: voice_url(base, "/webhooks/voice/vonage")),
    "cti": (cti_call, lambda base, c: voice_url(base, f"/webhooks/voice/cti/{c.cti_account}")),
}


def main(base_port: int, source: str = "twilio") -> list[str]:
    steps, url_of = SOURCES[source]
    creds = Credentials.current()
    url, call_id = url_of(base_port, creds), f"CA{uuid.uuid4().hex}"
    lines = [f"{source} call {call_id} from {CALLER} to {LINE}, callbacks to {url}"]
    with httpx.Client(timeout=10) as client:
        for what, body, headers in steps(url, creds, call_id):
            res = client.post(url, content=body, headers=headers)
            lines.append(f"{what}: {res.status_code}")
    return lines
