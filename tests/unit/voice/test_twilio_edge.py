"""The Twilio Voice edge in process (real hot path, routing, signature, normalizer, intake;
a fake publisher): signed callbacks become events on hotline.inbound.voice; an unknown
account is 404, a bad / missing / wrong-URL signature 401, and neither produces anything."""

from __future__ import annotations

import hashlib

import pytest
from fastapi import FastAPI

from hotline import events as ev
from hotline import twilio
from hotline.accounts import Account, AccountRegistry
from hotline.topics import INBOUND_VOICE
from tests.unit.voice.helpers import ACCOUNT, CALL, PATH, TOKEN, fixture, in_process, signed

pytestmark = pytest.mark.asyncio
OTHER = "AC99999999999999999999999999999999"


def registry(app: FastAPI) -> AccountRegistry:
    accounts = app.state.accounts
    assert isinstance(accounts, AccountRegistry)
    return accounts


async def test_a_signed_callback_is_one_event_on_the_voice_topic() -> None:
    async with in_process() as edge:
        res = await edge.post(fixture("status_ringing"))
        again = await edge.post(fixture("status_ringing"))  # Twilio's retry: the same event
        assert (res.status_code, again.status_code) == (200, 200)
        [event] = edge.fake.events_on(INBOUND_VOICE)
        assert isinstance(event, ev.CallStarted) and event.call_id == CALL
        assert event.tenant == "acme" and event.caller.handle == "+4930123456789"


@pytest.mark.parametrize(
    ("case", "sign_url", "token", "header", "status"),
    [
        ("bad signature", "", "wrong-token", None, 401),
        ("missing signature", "", TOKEN, "", 401),
        ("wrong URL: path", "/webhooks/voice/twilio/status", TOKEN, None, 401),
        ("wrong URL: host", "http://evil.example.com" + PATH, TOKEN, None, 401),
        ("query not signed", "?voicemail=0", TOKEN, None, 401),
    ],
)
async def test_refused_signatures_produce_nothing(
    case: str, sign_url: str, token: str, header: str | None, status: int
) -> None:
    async with in_process() as edge:
        body, url = fixture("status_completed"), edge.settings.twilio_webhook_url
        if sign_url.startswith("http"):
            signed_over = sign_url
        elif sign_url.startswith("?"):
            signed_over = url + sign_url
        else:
            signed_over = url.replace(PATH, sign_url) if sign_url else url
        headers = signed(body, signed_over, token)
        if header is not None:
            headers["x-twilio-signature"] = header
        res = await edge.client.post(url, content=body, headers=headers)
        assert res.status_code == status, case
        assert res.json()["error"] == "bad_signature"
        assert edge.fake.published == [] and edge.fake.letters == []


async def test_an_unknown_account_is_404_and_nothing() -> None:
    async with in_process() as edge:
        body = fixture("status_completed").replace(ACCOUNT.encode(), OTHER.encode())
        res = await edge.post(body)
        assert res.status_code == 404 and res.json()["error"] == "unknown_account"
        assert edge.fake.published == []


async def test_an_account_of_another_source_is_404() -> None:
    async with in_process() as edge:
        registry(edge.app).put(
            Account(
                "voice", OTHER, "acme", {"auth_token": (TOKEN,)}, {"source": "vonage"}, version=1
            )
        )
        body = fixture("status_completed").replace(ACCOUNT.encode(), OTHER.encode())
        assert (await edge.post(body)).status_code == 404
        assert edge.fake.published == []


async def test_a_managed_account_routes_with_its_tenant_region_and_both_rotated_tokens() -> None:
    async with in_process() as edge:
        settings = {"source": "twilio", "webhook_url": edge.settings.twilio_webhook_url}
        secrets = {"auth_token": ("new-token", "old-token")}
        registry(edge.app).put(
            Account("voice", OTHER, "globex", secrets, {**settings, "region": "DE"}, version=2)
        )
        for n, token in enumerate(("new-token", "old-token", TOKEN)):
            body = (
                fixture("national_caller")
                .replace(ACCOUNT.encode(), OTHER.encode())
                .replace(b"CA1111", f"CA{n}111".encode())
            )
            res = await edge.post(body, token=token)
            assert res.status_code == (401 if token == TOKEN else 200), token
        events = edge.fake.events_on(INBOUND_VOICE)
        assert len(events) == 2
        assert {e.tenant for e in events} == {"globex"}
        assert {e.caller.handle for e in events if isinstance(e, ev.CallStarted)} == {
            "+49301234567"
        }


async def test_voicemail_marker_on_the_signed_url() -> None:
    async with in_process() as edge:
        res = await edge.post(fixture("recording_completed"), query="voicemail=1")
        assert res.status_code == 200
        kinds = [type(e) for e in edge.fake.events_on(INBOUND_VOICE)]
        assert kinds == [ev.CallRecording, ev.CallVoicemail]


async def test_a_json_body_signed_through_body_sha256() -> None:
    async with in_process() as edge:
        body = b'{"AccountSid": "%s", "CallSid": "CA1", "CallStatus": "ringing"}' % (
            ACCOUNT.encode()
        )
        query = f"bodySHA256={hashlib.sha256(body).hexdigest()}"
        url = f"{edge.settings.twilio_webhook_url}?{query}"
        headers = {"x-twilio-signature": twilio.sign(TOKEN.encode(), url, [])}
        res = await edge.client.post(url, content=body, headers=headers)
        assert res.status_code == 200, res.text
        [event] = edge.fake.events_on(INBOUND_VOICE)
        assert isinstance(event, ev.CallStarted) and event.call_id == "CA1"
        tampered = body.replace(b"ringing", b"busy")
        res = await edge.client.post(url, content=tampered, headers=headers)
        assert res.status_code == 401 and len(edge.fake.published) == 1


async def test_signed_bad_input_is_refused() -> None:
    async with in_process() as edge:
        res = await edge.post(b"AccountSid=%s&CallStatus=ringing" % ACCOUNT.encode())
        assert (res.status_code, res.json()["error"]) == (422, "schema_mismatch")
        assert edge.fake.published == [] and edge.fake.letters == []


@pytest.mark.parametrize(("signature", "status"), [("signed", 400), ("forged", 401)])
async def test_a_body_that_is_no_form(signature: str, status: int) -> None:
    """It names no account: only an environment account for any AccountSid can have signed
    it (over no parameters); signed it is malformed (400), else a forgery (401)."""
    async with in_process(twilio_account_sid="") as edge:
        url = edge.settings.twilio_webhook_url
        token = TOKEN if signature == "signed" else "forged"
        headers = {"x-twilio-signature": twilio.sign(token.encode(), url, [])}
        res = await edge.client.post(url, content=b"a=%zz&&&=", headers=headers)
        assert res.status_code == status
        assert edge.fake.published == [] and edge.fake.letters == []


async def test_no_account_for_a_body_without_account_sid_is_404() -> None:
    async with in_process() as edge:  # the environment's account has its own AccountSid
        body = fixture("status_ringing").replace(b"AccountSid=", b"Other=")
        assert (await edge.post(body)).status_code == 404
        assert edge.fake.published == []


async def test_an_unknown_status_is_dead_lettered_not_dropped() -> None:
    async with in_process() as edge:
        body = fixture("status_ringing").replace(b"CallStatus=ringing", b"CallStatus=teleported")
        res = await edge.post(body)
        assert res.status_code == 200
        [letter] = edge.fake.letters
        assert (letter.topic, letter.reason, letter.value) == (
            "hotline.inbound.voice.dlq",
            "unknown_status",
            body,
        )
        assert edge.fake.published == []


async def test_a_webhooks_rule_signs_with_its_shared_key_and_sha256() -> None:
    async with in_process() as edge:
        url = edge.settings.twilio_webhook_url
        settings = {"source": "twilio", "webhook_url": url}
        secrets = {"auth_token": (TOKEN,), "shared_key": ("rule-shared-key",)}
        registry(edge.app).put(Account("voice", ACCOUNT, "acme", secrets, settings, version=3))
        body = fixture("status_ringing")
        pairs = twilio.parse_form(body).pairs
        rule = {"x-twilio-webhooks-signature-settings": "key=KS1,algorithm=HMAC_SHA256"}

        async def post(key: str, sha: bool, settings_header: dict[str, str]) -> int:
            digest = hashlib.sha256 if sha else hashlib.sha1
            sig = twilio.sign(key.encode(), url, pairs, digest)
            headers = {"x-twilio-signature": sig, **settings_header}
            return (await edge.client.post(url, content=body, headers=headers)).status_code

        assert await post(TOKEN, True, rule) == 401  # the auth token is not the rule's key
        assert await post("rule-shared-key", False, rule) == 401  # SHA-1 where SHA-256 is said
        unknown = {"x-twilio-webhooks-signature-settings": "key=KS1,algorithm=HMAC_MD5"}
        assert await post("rule-shared-key", True, unknown) == 401
        assert edge.fake.published == []
        assert await post("rule-shared-key", True, rule) == 200
        assert len(edge.fake.events_on(INBOUND_VOICE)) == 1
