"""The widget's signed identity (JWT from the host site): verify, identify and normalize, pure."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest

from chat_gateway.widget.identity_token import (
    SignedIdentity,
    TokenRejected,
    verify_identity_token,
)
from chat_gateway.widget.normalize import normalize
from chat_gateway.widget.parse import Hello, Send
from chat_gateway.widget.verify import identify
from hotline import events as ev
from hotline.http import Rejected

SECRET = "site-secret-" + "7f3a9c0d" * 8  # 64+ bytes: long enough for HS512
SITE = "demo"
NOW = datetime(2026, 11, 24, 19, 40, tzinfo=UTC).timestamp()
CLAIMS: dict[str, Any] = {
    "sub": "u-42",
    "email": "Maria.Lopez@Example.COM",
    "phone": "+34600111222",
    "name": "María López",
    "iat": int(NOW) - 60,
    "exp": int(NOW) + 600,
}


def token(secret: str = SECRET, alg: str = "HS256", **changes: Any) -> str:
    claims = {k: v for k, v in {**CLAIMS, **changes}.items() if v is not None}
    return jwt.encode(claims, secret, algorithm=alg)


def b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unsigned(alg: str) -> str:
    """A token whose header names ``alg`` and whose signature is nothing we could check."""
    sig = "" if alg == "none" else b64({"not": "a signature"})
    return f"{b64({'alg': alg, 'typ': 'JWT'})}.{b64(CLAIMS)}.{sig}"


def tampered() -> str:
    head, _, sig = token().split(".")
    return f"{head}.{b64({**CLAIMS, 'sub': 'admin'})}.{sig}"


MARIA = SignedIdentity("u-42", "maria.lopez@example.com", "+34600111222", "María López")


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_valid_token_gives_the_signed_identity(alg: str) -> None:
    assert verify_identity_token(token(alg=alg), SECRET, SITE, NOW) == MARIA


def test_optional_claims_may_be_absent_and_aud_may_name_the_site() -> None:
    bare = token(email=None, phone=None, name=None, aud=[SITE, "other"])
    assert verify_identity_token(bare, SECRET, SITE, NOW) == SignedIdentity("u-42")


@pytest.mark.parametrize(
    ("tok", "reason"),
    [
        (token(exp=int(NOW) - 31), "expired"),
        (token(iat=int(NOW) + 3600), "not_yet_valid"),
        (token(nbf=int(NOW) + 3600), "not_yet_valid"),
        (token(secret="another-site-secret-" + "0" * 64), "bad_signature"),
        (tampered(), "bad_signature"),
        (unsigned("none"), "alg_not_allowed"),
        (unsigned("RS256"), "alg_not_allowed"),
        (unsigned("ES256"), "alg_not_allowed"),
        (token(exp=None), "missing_claim"),
        (token(iat=None), "missing_claim"),
        (token(sub=None), "missing_claim"),
        (token(sub=""), "bad_claim"),
        (token(exp="tomorrow"), "bad_claim"),
        (token(email="not-an-address"), "bad_claim"),
        (token(phone="0600111222"), "bad_claim"),
        (token(phone="+34 600 111 222"), "bad_claim"),
        (token(aud="another-site"), "wrong_audience"),
        ("", "malformed"),
        ("not-a-jwt", "malformed"),
        ("a.b.c", "malformed"),
        ("x" * 5000, "malformed"),
    ],
)
def test_refused_tokens_say_why(tok: str, reason: str) -> None:
    with pytest.raises(TokenRejected) as info:
        verify_identity_token(tok, SECRET, SITE, NOW)
    assert info.value.reason == reason


def test_clock_skew_within_leeway_is_accepted() -> None:
    tok = token(exp=int(NOW) - 10, iat=int(NOW) + 10)
    assert verify_identity_token(tok, SECRET, SITE, NOW).sub == "u-42"


def send(who: Any) -> ev.MessageReceived:
    return normalize("acme", who, Send(client_id="c_1", text="hola"), datetime.fromtimestamp(NOW))


def site_signed(kind: ev.IdentifierKind, value: str) -> ev.Identifier:
    return ev.Identifier(
        kind=kind, value=value, source="widget.jwt", verified=True, level="site_signed"
    )


VISITOR = ev.Identifier(
    kind="widget_visitor",
    value="demo:v_1",
    source="widget.visitor_token",
    verified=False,
    level="unverified",
)


def test_signed_visitor_emits_site_signed_user_email_phone_and_the_visitor_id() -> None:
    who = identify(Hello(site=SITE, identity_token=token(), name="Spoofed"), (SECRET,), "v_1", NOW)
    assert who.verified and who.rejected is None
    e = send(who)
    assert e.sender.identifiers == [
        VISITOR,
        site_signed("widget_user", "demo:u-42"),
        site_signed("email", "maria.lopez@example.com"),
        site_signed("phone", "+34600111222"),
    ]
    assert e.sender.display_name == "María López"  # the signed name, not the hello's
    assert all(i.verified == (i.trust() in ev.LINKING_LEVELS) for i in e.sender.identifiers)


@pytest.mark.parametrize(
    ("tok", "reason"),
    [
        (token(exp=int(NOW) - 3600), "expired"),
        (token(secret="forged-by-someone-else-" + "1" * 64), "bad_signature"),
        (unsigned("none"), "alg_not_allowed"),
        ("garbage", "malformed"),
    ],
)
def test_rejected_token_leaves_an_anonymous_visitor_linked_to_nobody(tok: str, reason: str) -> None:
    who = identify(Hello(site=SITE, identity_token=tok, name="Maria?"), (SECRET,), "v_1", NOW)
    assert not who.verified and who.signed is None
    assert who.rejected is not None and who.rejected.reason == reason
    e = send(who)
    assert e.sender.identifiers == [VISITOR]
    assert e.sender.display_name == "Maria?"  # what the visitor typed, vouched for by nobody


def test_identifier_and_identity_token_together_are_refused() -> None:
    hello = Hello(site=SITE, identity_token=token(), identifier="ann@example.com")
    with pytest.raises(Rejected) as info:
        identify(hello, (SECRET,), "v_1", NOW)
    assert (info.value.status, info.value.reason) == (400, "ambiguous_identity")


def test_demo_user_token_minted_in_dev_verifies_as_the_demo_user() -> None:
    from chat_gateway.widget.demo import DemoUser, demo_page, mint_demo_token

    user = DemoUser()
    tok = mint_demo_token(SECRET, user, NOW)
    assert verify_identity_token(tok, SECRET, SITE, NOW) == SignedIdentity(
        user.sub, user.email, user.phone, user.name
    )
    page = demo_page(SITE, identity_token=tok, signed_as=user)
    assert f'data-identity-token="{tok}"' in page and "DEMO ONLY" in page
