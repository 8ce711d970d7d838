"""``hotline call``: one phone call on the running `make run` stack, as Twilio Voice would
report it — status callbacks (initiated, ringing, in-progress, completed), each form-encoded
and signed with the dev Twilio auth token (``X-Twilio-Signature``: base64 HMAC-SHA1 of the
callback URL + the sorted form parameters) and posted to the voice service's edge. Prints
each callback's answer; the call events land on ``hotline.inbound.voice``.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

import httpx

from hotline import twilio
from hotline_tools.devstack.credentials import Credentials
from hotline_tools.devstack.stack import voice_callback_url

ACCOUNT = "AC00000000000000000000000000000000"  # any AccountSid: the dev account is "*"
CALLER, LINE = "+4930123456789", "+4930555000111"
STEPS: tuple[tuple[str, dict[str, str]], ...] = (
    ("initiated", {}),
    ("ringing", {}),
    ("in-progress", {}),
    ("completed", {"CallDuration": "42"}),
)


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


def main(base_port: int) -> list[str]:
    url, token = voice_callback_url(base_port), Credentials.current().twilio_auth_token
    call_sid = "CA" + uuid.uuid4().hex
    lines = [f"call {call_sid} from {CALLER} to {LINE}, callbacks to {url}"]
    with httpx.Client(timeout=10) as client:
        for status, extra in STEPS:
            body, headers = signed_post(url, token, callback(call_sid, status, extra))
            res = client.post(url, content=body, headers=headers)
            lines.append(f"CallStatus={status}: {res.status_code}")
    return lines
