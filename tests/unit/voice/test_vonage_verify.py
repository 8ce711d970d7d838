"""Vonage signed-callback checks, pure: the bearer token, the unverified routing claim, the
HS256 signature and the payload hash and ``iat`` rules."""

from __future__ import annotations

import hashlib

import jwt
import pytest

from voice.providers.vonage.verify import (
    application_of,
    bearer,
    problem,
    signed_claims,
    token_for,
)

SECRET = "vonage-signature-secret-0123456789abcdef-long-enough-for-hs512-too"
BODY = b'{"uuid":"u1","status":"started"}'


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer abc.def.ghi", "abc.def.ghi"),
        ("bearer  abc ", "abc"),
        ("Basic abc", None),
        ("Bearer", None),
        ("", None),
        (None, None),
    ],
)
def test_bearer(header: str | None, token: str | None) -> None:
    assert bearer(header) == token


def test_application_is_read_for_routing_only() -> None:
    token = token_for(SECRET, BODY, "app-1", 1000)
    assert application_of(token) == "app-1"
    assert application_of("garbage") is None
    assert application_of(jwt.encode({"iat": 1}, SECRET, algorithm="HS256")) is None
    assert signed_claims(token, "another-secret-0123456789abcdef0123") is None


def test_claims_vouch_for_the_exact_body_at_the_time() -> None:
    claims = signed_claims(token_for(SECRET, BODY, "app-1", 1000), SECRET)
    assert claims is not None
    assert claims["payload_hash"] == hashlib.sha256(BODY).hexdigest()
    assert problem(claims, BODY, 1000) is None
    assert problem(claims, BODY, 1300) is None
    assert problem(claims, BODY, 1301) == "stale_signature"
    assert problem(claims, BODY, 699) == "stale_signature"
    assert problem(claims, BODY + b" ", 1000) == "payload_hash_mismatch"
    assert problem({**claims, "iat": "1000"}, BODY, 1000) == "iat_missing"
    assert problem({**claims, "iat": True}, BODY, 1) == "iat_missing"


def test_other_algorithms_are_refused() -> None:
    claims = {"application_id": "app-1", "iat": 1000}
    assert signed_claims(jwt.encode(claims, SECRET, algorithm="HS512"), SECRET) is None
    assert signed_claims(jwt.encode(claims, "", algorithm="none"), SECRET) is None
