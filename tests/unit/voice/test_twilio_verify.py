"""X-Twilio-Signature on voice callbacks: form bodies over URL + sorted params, JSON bodies
through ``bodySHA256``; the URL's query (markers) is covered; markers read from the query."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from hotline import twilio
from tests.unit.voice.helpers import TOKEN, fixture
from voice.providers.twilio import verify

URL = "https://hotline.example.com/webhooks/voice/twilio"
BODY = fixture("status_completed")
PAIRS = twilio.parse_form(BODY).pairs
GOOD = twilio.sign(TOKEN.encode(), URL, PAIRS)


def json_url(body: bytes, url: str = URL) -> str:
    return f"{url}?bodySHA256={hashlib.sha256(body).hexdigest()}"


JSON_BODY = b'{"CallSid":"CA1","CallStatus":"ringing","AccountSid":"AC1"}'
JSON_URL = json_url(JSON_BODY)
JSON_SIG = twilio.sign(TOKEN.encode(), JSON_URL, [])


@pytest.mark.parametrize(
    ("case", "url", "body", "pairs", "header", "ok"),
    [
        ("form: signed", URL, BODY, PAIRS, GOOD, True),
        ("form: params in another order", URL, BODY, list(reversed(PAIRS)), GOOD, True),
        (
            "form: default port added",
            "https://hotline.example.com:443/webhooks/voice/twilio",
            BODY,
            PAIRS,
            GOOD,
            True,
        ),
        ("form: missing header", URL, BODY, PAIRS, None, False),
        ("form: empty header", URL, BODY, PAIRS, "", False),
        ("form: other token", URL, BODY, PAIRS, twilio.sign(b"other", URL, PAIRS), False),
        ("form: a param changed", URL, BODY, [*PAIRS[:-1], ("Duration", "9")], GOOD, False),
        ("form: a param added", URL, BODY, [*PAIRS, ("Extra", "1")], GOOD, False),
        ("form: wrong URL (path)", URL + "/status", BODY, PAIRS, GOOD, False),
        ("form: wrong URL (scheme)", URL.replace("https", "http"), BODY, PAIRS, GOOD, False),
        ("form: query not signed", URL + "?voicemail=1", BODY, PAIRS, GOOD, False),
        (
            "form: query signed",
            URL + "?voicemail=1",
            BODY,
            PAIRS,
            twilio.sign(TOKEN.encode(), URL + "?voicemail=1", PAIRS),
            True,
        ),
        ("json: signed", JSON_URL, JSON_BODY, [], JSON_SIG, True),
        (
            "json: body changed",
            JSON_URL,
            JSON_BODY.replace(b"ringing", b"busy"),
            [],
            JSON_SIG,
            False,
        ),
        (
            "json: hash of another body",
            json_url(b"{}"),
            JSON_BODY,
            [],
            twilio.sign(TOKEN.encode(), json_url(b"{}"), []),
            False,
        ),
        ("json: other token", JSON_URL, JSON_BODY, [], twilio.sign(b"x", JSON_URL, []), False),
        ("json: missing header", JSON_URL, JSON_BODY, [], None, False),
    ],
)
def test_signature(
    case: str, url: str, body: bytes, pairs: list[tuple[str, str]], header: str | None, ok: bool
) -> None:
    assert verify.request_ok(TOKEN, url, body, pairs, header) is ok, case


def test_the_sdks_published_vectors() -> None:
    """twilio-python's own test values (auth token 12345): a form and a JSON body."""
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = [
        ("CallSid", "CA1234567890ABCDE"),
        ("Caller", "+12349013030"),
        ("Digits", "1234"),
        ("From", "+12349013030"),
        ("To", "+18005551212"),
    ]
    assert verify.request_ok("12345", url, b"", params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    body = b'{"property": "value", "boolean": true}'
    digest = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
    signed = f"{url}&bodySHA256={digest}"
    assert verify.request_ok("12345", signed, body, [], "a9nBmqA0ju/hNViExpshrM61xv4=")


@pytest.mark.parametrize(
    ("query", "flags", "is_json"),
    [
        ("", set(), False),
        ("voicemail=1", {"voicemail"}, False),
        ("voicemail=true&x=2", {"voicemail"}, False),
        ("voicemail", {"voicemail"}, False),
        ("voicemail=0", set(), False),
        ("other=1", set(), False),
        ("bodySHA256=abc", set(), True),
    ],
)
def test_markers_and_json_from_the_query(query: str, flags: set[str], is_json: bool) -> None:
    assert (set(verify.flags(query)), verify.is_json(query)) == (flags, is_json)


def test_signed_url_is_the_base_plus_the_query() -> None:
    assert verify.signed_url(URL, "") == URL
    assert verify.signed_url(URL, "voicemail=1") == URL + "?voicemail=1"


SHARED = "webhooks-rule-shared-key"


@pytest.mark.parametrize(
    ("settings", "found"),
    [
        (None, ("auth_token", "sha1")),
        ("key=KS123,algorithm=HMAC_SHA256", ("shared_key", "sha256")),
        (" algorithm=hmac_sha256 , key=KS1", ("shared_key", "sha256")),
        ("key=KS1,algorithm=HMAC_SHA1", ("shared_key", "sha1")),
        ("key=KS1,algorithm=HMAC_MD5", None),
        ("key=KS1", None),
        ("", None),
    ],
)
def test_the_settings_header_names_secret_and_hash(
    settings: str | None, found: tuple[str, str] | None
) -> None:
    got = verify.scheme(settings)
    assert (None if got is None else (got[0], got[1]().name)) == found


def test_hmac_sha256_signs_the_same_string() -> None:
    url, pairs = "https://example.com/voice?voicemail=1", [("CallSid", "CA1"), ("A", "b")]
    data = url + "A" + "b" + "CallSid" + "CA1"
    expected = base64.b64encode(
        hmac.new(SHARED.encode(), data.encode(), hashlib.sha256).digest()
    ).decode()
    assert twilio.sign(SHARED.encode(), url, pairs, hashlib.sha256) == expected
    assert verify.request_ok(SHARED, url, b"", pairs, expected, hashlib.sha256)
    assert not verify.request_ok(SHARED, url, b"", pairs, expected)  # not as SHA-1
