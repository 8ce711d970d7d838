"""How the voice edge downloads a routed account's recordings (``voice.recordings``): Twilio
with Basic ``AccountSid:auth_token`` (the sid the callback named, also for a ``*`` account),
Vonage with an RS256 JWT for its application made fresh per attempt, nothing for a Vonage
account without a private key or a CTI account."""

from __future__ import annotations

import base64

import jwt

from hotline.accounts import Account
from tests.fixtures.voice import VONAGE_KEY, VONAGE_PEM
from voice.recordings import credentials


def account(source: str, **secrets: str) -> Account:
    values = {name: (value,) for name, value in secrets.items()}
    return Account("voice", "*", "acme", values, {"source": source})


def test_twilio_is_basic_auth_with_the_named_sid() -> None:
    auth = credentials(account("twilio", auth_token="tok"), "AC1")
    assert auth is not None
    assert auth() == {"Authorization": "Basic " + base64.b64encode(b"AC1:tok").decode()}


def test_vonage_is_a_fresh_rs256_jwt_for_the_application() -> None:
    auth = credentials(account("vonage", private_key=VONAGE_PEM), "app-1")
    assert auth is not None
    first, second = auth()["Authorization"], auth()["Authorization"]
    assert first != second  # a new token (jti) per attempt
    claims = jwt.decode(
        first.removeprefix("Bearer "), VONAGE_KEY.public_key(), algorithms=["RS256"]
    )
    assert claims["application_id"] == "app-1" and claims["exp"] - claims["iat"] == 300


def test_no_key_no_credentials() -> None:
    assert credentials(account("vonage", signature_secret="s"), "app-1") is None
    assert credentials(account("twilio"), "AC1") is None
    assert credentials(account("cti", signing_secret="s"), "pbx") is None
