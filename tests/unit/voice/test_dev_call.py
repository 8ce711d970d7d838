"""`hotline call --source …` signs what the voice edges accept: each source's whole call,
built by the dev tool with the dev stack's credentials, through the app's real routes
(``create_app``: Twilio, Vonage, CTI) into one event per step; a request signed with another
secret is refused."""

from __future__ import annotations

from typing import Any

import pytest

from hotline import events as ev
from hotline.topics import INBOUND_VOICE
from hotline_tools.devstack import call
from hotline_tools.devstack.credentials import DEV_ENV, Credentials
from tests.unit.voice.helpers import in_process

CREDS = Credentials.of(DEV_ENV)
DEV: dict[str, Any] = {
    "twilio_account_sid": "",
    "twilio_auth_token": CREDS.twilio_auth_token,
    "vonage_application_id": CREDS.vonage_application_id,
    "vonage_signature_secret": CREDS.vonage_signature_secret,
    "cti_account": CREDS.cti_account,
    "cti_signing_secret": CREDS.cti_signing_secret,
    "env": "dev",
}
PATHS = {
    "twilio": "/webhooks/voice/twilio",
    "vonage": "/webhooks/voice/vonage",
    "cti": f"/webhooks/voice/cti/{CREDS.cti_account}",
}
KINDS = [ev.CallStarted, ev.CallAnswered, ev.CallEnded]


@pytest.mark.parametrize("source", sorted(call.SOURCES))
async def test_a_dev_call_is_one_event_per_step(source: str) -> None:
    async with in_process(**DEV) as edge:
        url = f"http://127.0.0.1:8105{PATHS[source]}"
        steps, _ = call.SOURCES[source]
        for what, body, headers in steps(url, CREDS, "CAdev1"):
            res = await edge.client.post(url, content=body, headers=headers)
            assert res.status_code == 200, (what, res.text)
        events = edge.fake.events_on(INBOUND_VOICE)
        assert [type(e) for e in events] == KINDS
        assert {e.caller.handle for e in events if isinstance(e, ev.CallStarted)} == {call.CALLER}


@pytest.mark.parametrize("source", sorted(call.SOURCES))
async def test_another_secret_is_refused(source: str) -> None:
    wrong = Credentials(
        **{**CREDS.__dict__, **{k: "not-the-secret-but-as-long-as-one" for k in SECRETS}}
    )
    async with in_process(**DEV) as edge:
        url = f"http://127.0.0.1:8105{PATHS[source]}"
        steps, _ = call.SOURCES[source]
        what, body, headers = next(iter(steps(url, wrong, "CAdev2")))
        res = await edge.client.post(url, content=body, headers=headers)
        assert (res.status_code, res.json()["error"]) == (401, "bad_signature"), what
        assert edge.fake.published == []


SECRETS = ("twilio_auth_token", "vonage_signature_secret", "cti_signing_secret")
