"""Amazon SES mail through SNS, recorded in the documented shapes and signed with a test key:
the SNS signature (versions 1 and 2), the envelope checks, the SES content encodings."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from email_ingest.normalize import normalize as smtp_normalize
from email_ingest.providers.ses import parse, verify
from email_ingest.providers.ses.normalize import deliveries, normalize
from email_ingest.providers.settings import SesSettings
from hotline.http import Rejected
from hotline.kafka.errors import PermanentError
from tests.unit.email_providers.helpers import (
    CONFIG,
    FIXTURES,
    NOW,
    RECORDED_AT,
    capture,
    content,
    message,
    with_body,
)

TOPIC = "arn:aws:sns:us-east-1:123456789012:hotline-inbound"
SETTINGS = SesSettings(topic_arns=[TOPIC])
CERT = (FIXTURES / "ses" / "signing-cert.pem").read_bytes()
UNTRUSTED = "untrusted_certificate_url"
NAMES = ["notification_utf8", "notification_base64_spam", "subscription"]


def doc(name: str) -> dict[str, str]:
    loaded: dict[str, str] = json.loads(capture("ses", name).body)
    return loaded


def changed(name: str, **fields: str) -> bytes:
    return json.dumps({**doc(name), **fields}).encode()


@pytest.mark.parametrize("name", NAMES)
def test_signatures_verify_with_the_signing_certificate(name: str) -> None:
    found = deliveries(capture("ses", name), CERT, SETTINGS, NOW)
    assert len(found) == (0 if name == "subscription" else 1)


def test_both_signature_versions_are_recorded() -> None:
    assert {doc(n)["SignatureVersion"] for n in NAMES} == {"1", "2"}


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"Message": '{"notificationType": "Received"}'}, "bad_signature"),
        ({"Subject": "changed"}, "bad_signature"),
        ({"Signature": ""}, "missing_signature"),
        ({"Signature": "%%%"}, "bad_signature"),
        ({"TopicArn": "arn:aws:sns:us-east-1:999999999999:someone-elses"}, "unknown_topic"),
        ({"SignatureVersion": "3"}, "bad_signature_version"),
        ({"Timestamp": "2026-12-07T03:00:00.000Z"}, "stale_timestamp"),
        ({"Timestamp": "yesterday"}, "missing_timestamp"),
        (
            {"SigningCertURL": "http://sns.us-east-1.amazonaws.com/x.pem"},
            "untrusted_certificate_url",
        ),
        (
            {"SigningCertURL": "https://sns.us-east-1.amazonaws.com.evil.test/x.pem"},
            "untrusted_certificate_url",
        ),
        (
            {"SigningCertURL": "https://sns.us-east-1.amazonaws.com@evil.test/x.pem"},
            "untrusted_certificate_url",
        ),
        (
            {"SigningCertURL": "https://evil.test/sns.us-east-1.amazonaws.com/x.pem"},
            "untrusted_certificate_url",
        ),
    ],
)
def test_refused(fields: dict[str, str], reason: str) -> None:
    req = with_body(capture("ses", "notification_utf8"), changed("notification_utf8", **fields))
    with pytest.raises(Rejected) as err:
        deliveries(req, CERT, SETTINGS, NOW)
    assert (err.value.status, err.value.reason) == (401, reason)


def test_another_certificate_does_not_verify() -> None:
    other = (FIXTURES / "ses" / "other-cert.pem").read_bytes()
    with pytest.raises(Rejected) as err:
        deliveries(capture("ses", "notification_utf8"), other, SETTINGS, NOW)
    assert err.value.reason == "bad_signature"


@pytest.mark.parametrize("pem", [b"", b"-----BEGIN CERTIFICATE-----\nMIIB\n", b"\x00\x01"])
def test_a_broken_certificate_is_refused(pem: bytes) -> None:
    with pytest.raises(Rejected):
        deliveries(capture("ses", "notification_utf8"), pem, SETTINGS, NOW)


def test_not_json_is_401_when_verifying_400_unverified() -> None:
    req = with_body(capture("ses", "notification_utf8"), b"<xml/>")
    with pytest.raises(Rejected):
        deliveries(req, CERT, SETTINGS, NOW)
    with pytest.raises(PermanentError):
        deliveries(req, None, SETTINGS, NOW)


def test_utf8_content_is_the_raw_mail() -> None:
    req = capture("ses", "notification_utf8")
    [n] = normalize(req, CERT, SETTINGS, CONFIG, RECORDED_AT)
    e = message(n.events)
    raw = json.loads(doc("notification_utf8")["Message"])["content"].encode()
    [direct] = smtp_normalize(raw, CONFIG, RECORDED_AT, ("soporte@ses.acme.test",)).events
    assert e == direct
    assert content(e).subject == "Devolución" and e.sender.display_name == "María García"
    assert not e.flags.provider_spam


def test_base64_content_and_the_spam_verdict() -> None:
    [n] = normalize(capture("ses", "notification_base64_spam"), CERT, SETTINGS, CONFIG, RECORDED_AT)
    e = message(n.events)
    assert e.provider_message_id == "<ses-b64-1@mail.example.es>"
    assert content(e).text.strip() == "Hola, quiero devolver el pedido 88."
    assert e.flags.provider_spam


def test_a_notification_without_content_is_malformed() -> None:
    ses = json.loads(doc("notification_utf8")["Message"])
    del ses["content"]
    m = parse.parse(changed("notification_utf8", Message=json.dumps(ses)))
    with pytest.raises(PermanentError):
        parse.delivery(m)


def test_string_to_sign_of_a_confirmation_has_the_token_and_url() -> None:
    m = parse.parse(capture("ses", "subscription").body)
    text = verify.string_to_sign(m).decode()
    names = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    at = [text.index(f"{n}\n", 0 if i == 0 else 1) for i, n in enumerate(names)]
    assert at == sorted(at) and text.startswith("Message\n" + m.message + "\n")
    assert f"\nToken\n{m.token}\n" in text and "Subject" not in text


def test_the_freshness_window_is_configurable() -> None:
    late = NOW + timedelta(hours=2).total_seconds()
    with pytest.raises(Rejected):
        deliveries(capture("ses", "notification_utf8"), CERT, SETTINGS, late)
    patient = SesSettings(topic_arns=[TOPIC], max_age_s=3 * 3600)
    assert deliveries(capture("ses", "notification_utf8"), CERT, patient, late)
