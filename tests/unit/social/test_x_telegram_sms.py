"""X, Telegram and Twilio fixtures -> the events we expect; their signature rules."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlencode

import pytest

from hotline import events as ev
from hotline import twilio as tw_verify
from hotline.kafka.errors import PermanentError
from social_ingest.providers.telegram import verify as tg_verify
from social_ingest.providers.telegram.normalize import normalize as telegram
from social_ingest.providers.twilio.normalize import normalize as sms
from social_ingest.providers.x import verify as x_verify
from social_ingest.providers.x.normalize import normalize as x
from tests.unit.social.helpers import CTX, FIXTURES, kinds, named_cases

M = "message/"
X_KINDS = {
    "text": [M + "text"],
    "media": [M + "media"],
    "quick_reply": [M + "interactive"],
    "own_send": [],
    "mixed": [M + "text"],
    "mark_read": ["status/read"],
    "typing": [],
    "tweet_mention": ["ops/tweet_create_events", "ops/user_has_blocked"],
    "follow": ["ops/follow_events"],
}
TG_KINDS = {
    "text": [M + "text"],
    "photo": [M + "media"],
    "document": [M + "media"],
    "voice": [M + "media"],
    "sticker": [M + "media"],
    "location": [M + "location"],
    "venue": [M + "location"],
    "own_contact": [M + "contacts"],
    "other_contact": [M + "contacts"],
    "contact_without_user_id": [M + "contacts"],
    "reply": [M + "text"],
    "forwarded": [M + "text"],
    "edited": ["edited"],
    "callback": [M + "interactive"],
    "csat_callback": [M + "interactive"],
    "reaction": ["reaction"],
    "reaction_removed": ["reaction"],
    "my_chat_member": ["ops/update"],
}
SMS_KINDS = {
    "inbound_sms": [M + "text"],
    "inbound_mms": [M + "media"],
    "status_delivered": ["status/delivered"],
    "status_undelivered": ["status/failed"],
    "status_sent": ["status/sent"],
    "national_number": [M + "text"],
}


def xcase(name: str) -> bytes:
    return named_cases(FIXTURES / "x" / "webhooks.json")[name]


def tgcase(name: str) -> bytes:
    return named_cases(FIXTURES / "telegram" / "webhooks.json")[name]


def smscase(name: str) -> bytes:
    return (FIXTURES / "twilio" / f"{name}.form").read_bytes()


def test_tables_cover_every_fixture() -> None:
    assert set(named_cases(FIXTURES / "x" / "webhooks.json")) == set(X_KINDS)
    assert set(named_cases(FIXTURES / "telegram" / "webhooks.json")) == set(TG_KINDS)
    assert {f.stem for f in (FIXTURES / "twilio").glob("*.form")} == set(SMS_KINDS)


@pytest.mark.parametrize("name", sorted(X_KINDS))
def test_x_kinds(name: str) -> None:
    assert sorted(kinds(x(xcase(name), CTX))) == sorted(X_KINDS[name])


@pytest.mark.parametrize("name", sorted(TG_KINDS))
def test_telegram_kinds(name: str) -> None:
    assert kinds(telegram(tgcase(name), CTX, bot_id="7012345678")) == TG_KINDS[name]


@pytest.mark.parametrize("name", sorted(SMS_KINDS))
def test_sms_kinds(name: str) -> None:
    assert kinds(sms(smscase(name), CTX)) == SMS_KINDS[name]


def test_x_values_and_own_sends_ignored() -> None:
    (e,) = x(xcase("text"), CTX).events
    assert isinstance(e, ev.MessageReceived)
    assert e.content == ev.TextContent(text="My order never arrived")
    assert e.sender.display_name == "Jo Customer" and e.sender.handle == "3001969357"
    assert e.sender.identifiers[0] == ev.Identifier(
        kind="x_id", value="3001969357", source="provider", verified=True, level="provider_verified"
    )
    assert e.channel == ev.ChannelRef(kind="x", account_id="4337869213")
    (theirs,) = x(xcase("mixed"), CTX).events
    assert isinstance(theirs, ev.MessageReceived)
    assert theirs.provider_message_id == "1864000000000000006"  # ours (…005) ignored
    (media,) = x(xcase("media"), CTX).events
    assert isinstance(media, ev.MessageReceived) and media.attachments[0].mime_type == "image/jpeg"


def test_x_crc_and_signature_are_base64() -> None:
    secret = b"consumer-secret"
    want = base64.b64encode(hmac.new(secret, b"challenge", hashlib.sha256).digest()).decode()
    assert x_verify.crc_response(secret, "challenge") == {"response_token": "sha256=" + want}
    body = xcase("text")
    header = x_verify.sign(secret, body)
    assert x_verify.signature_ok(secret, body, header)
    assert not x_verify.signature_ok(secret, body + b" ", header)
    hex_form = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    assert not x_verify.signature_ok(secret, body, hex_form)  # hex is not what X sends


def test_telegram_values() -> None:
    (photo,) = telegram(tgcase("photo"), CTX, bot_id="7012345678").events
    assert isinstance(photo, ev.MessageReceived)
    assert photo.content == ev.MediaContent(media_kind="image", caption="Kaputt angekommen")
    assert photo.attachments[0].ref == "provider:telegram/AgAC-large"
    assert photo.provider_message_id == "123456789:12"
    assert photo.channel == ev.ChannelRef(kind="telegram", account_id="7012345678")
    (contact,) = telegram(tgcase("own_contact"), CTX).events
    assert isinstance(contact, ev.MessageReceived)
    assert ("phone", "+491701234567") in [(i.kind, i.value) for i in contact.sender.identifiers]
    (edited,) = telegram(tgcase("edited"), CTX).events
    assert isinstance(edited, ev.MessageEdited) and edited.target_message_id == "123456789:11"
    (cb,) = telegram(tgcase("callback"), CTX).events
    assert isinstance(cb, ev.MessageReceived)
    assert cb.content == ev.InteractiveContent(reply_id="refund", title="refund")
    assert cb.thread.replied_to_message_id == "123456789:21"
    (removed,) = telegram(tgcase("reaction_removed"), CTX).events
    assert isinstance(removed, ev.Reaction) and removed.removed and removed.emoji == "👍"
    (fwd,) = telegram(tgcase("forwarded"), CTX).events
    assert isinstance(fwd, ev.MessageReceived) and fwd.flags.forwarded


def test_a_survey_tap_is_a_callback_with_our_reply_id_from_the_surveyed_chat() -> None:
    (cb,) = telegram(tgcase("csat_callback"), CTX).events
    assert isinstance(cb, ev.MessageReceived) and isinstance(cb.content, ev.InteractiveContent)
    assert ev.survey_answer(cb.content.reply_id) == ("0b7e9d4c-3a51-5f7c-8e2d-6a9b1c4f3e20", 4)
    assert cb.sender.handle == "123456789"  # the chat id our survey went to
    assert cb.provider_message_id == "callback:4382bfdwdsb99csat"


def test_telegram_secret_token() -> None:
    assert tg_verify.secret_ok("s3cret", "s3cret")
    for bad in (None, "", "s3cre", "s3cret ", "S3CRET"):
        assert not tg_verify.secret_ok("s3cret", bad)
    assert not tg_verify.secret_ok("", "")  # no configured secret: nothing passes


def test_sms_values() -> None:
    (m,) = sms(smscase("inbound_sms"), CTX).events
    assert isinstance(m, ev.MessageReceived)
    assert m.provider_message_id == "SM1f0e8ae6ade43cb3c0ce4525424e404f"
    assert m.event_id == ev.event_id_for(
        "acme", "sms", "SM1f0e8ae6ade43cb3c0ce4525424e404f", "message"
    )
    assert m.channel == ev.ChannelRef(kind="sms", account_id="+15005550006")
    assert m.sender.identifiers == [  # spoofable: never verified (README, SMS policy)
        ev.Identifier(
            kind="phone",
            value="+14155552671",
            source="twilio.from",
            verified=False,
            level="carrier_asserted",
        )
    ]
    (mms,) = sms(smscase("inbound_mms"), CTX).events
    assert isinstance(mms, ev.MessageReceived) and len(mms.attachments) == 2
    assert mms.content == ev.MediaContent(media_kind="image")
    (failed,) = sms(smscase("status_undelivered"), CTX).events
    assert isinstance(failed, ev.DeliveryStatus)
    assert (failed.status, failed.error_code) == ("failed", "30003")
    (national,) = sms(smscase("national_number"), CTX).events  # region US from the context
    assert isinstance(national, ev.MessageReceived)
    assert national.sender.identifiers[0].value == "+14155552671"


def test_sms_missing_fields_name_the_field() -> None:
    with pytest.raises(PermanentError) as err:
        sms(urlencode({"From": "+14155552671", "To": "+15005550006"}).encode(), CTX)
    assert err.value.reason == "schema_mismatch" and "$.MessageSid" in err.value.detail
    with pytest.raises(PermanentError) as bad:
        sms(b"\xff\xfe", CTX)
    assert bad.value.reason == "malformed"


def test_twilio_signature_over_url_and_sorted_params() -> None:
    token, url = b"12345", "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = [
        ("CallSid", "CA1234567890ABCDE"),
        ("Caller", "+12349013030"),
        ("Digits", "1234"),
        ("From", "+12349013030"),
        ("To", "+18005551212"),
    ]
    # the worked example of Twilio's "Webhooks security" page
    assert tw_verify.sign(token, url, params) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    header = tw_verify.sign(token, url, params)
    assert tw_verify.signature_ok(token, url, params, header)
    assert tw_verify.signature_ok(token, url, list(reversed(params)), header)  # order-free
    assert not tw_verify.signature_ok(token, url, [*params, ("Extra", "1")], header)
    assert not tw_verify.signature_ok(token, url.replace("https", "http"), params, header)
    with_port = "https://mycompany.com:443/myapp.php?foo=1&bar=2"
    assert tw_verify.signature_ok(token, with_port, params, header)  # SDK's port leniency
