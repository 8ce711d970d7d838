"""Vonage signed callbacks, pure: ``Authorization: Bearer <JWT>``, HS256-signed with the
application's signature secret. Its claims name the ``application_id`` (the channel account),
``payload_hash`` (hex SHA-256 of the body as sent) and ``iat`` (issued at, unix seconds).

The application id is read before the signature is checked only to find the account whose
secret must verify it; nothing else is trusted until then. A token issued more than
``TOLERANCE`` seconds away from our clock (either way) is stale: a captured callback cannot be
replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

import jwt
from jwt.types import Options

TOLERANCE = 300  # seconds
ALGORITHMS = ["HS256"]
# time claims are checked by ``problem``, on the caller's clock (testable, one tolerance)
CHECKS = Options(verify_exp=False, verify_iat=False, verify_nbf=False)
UNSIGNED = Options(verify_signature=False, verify_exp=False, verify_iat=False, verify_nbf=False)
Claims = Mapping[str, Any]


def bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header."""
    scheme, _, token = (header or "").strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def application_of(token: str) -> str | None:
    """The ``application_id`` claim, unverified (routing only); None when unreadable."""
    try:
        claims = jwt.decode(token, options=UNSIGNED)
    except jwt.InvalidTokenError:
        return None
    app = claims.get("application_id")
    return app if isinstance(app, str) and app else None


def signed_claims(token: str, secret: str) -> Claims | None:
    """The claims when ``secret`` signed ``token`` (HS256 only, never "none"), else None."""
    try:
        claims: Claims = jwt.decode(token, secret, algorithms=ALGORITHMS, options=CHECKS)
    except jwt.InvalidTokenError:
        return None
    return claims


def problem(claims: Claims, body: bytes, now: float, tolerance: int = TOLERANCE) -> str | None:
    """Why signed ``claims`` do not vouch for this request (None: they do)."""
    given = claims.get("payload_hash")
    if not isinstance(given, str):
        return "payload_hash_missing"
    if not hmac.compare_digest(given.lower(), hashlib.sha256(body).hexdigest()):
        return "payload_hash_mismatch"
    issued = claims.get("iat")
    if not isinstance(issued, int | float) or isinstance(issued, bool):
        return "iat_missing"
    if abs(now - issued) > tolerance:
        return "stale_signature"
    return None


def token_for(secret: str, body: bytes, application_id: str, iat: float, **extra: Any) -> str:
    """A signed callback's token as Vonage makes it (tests and local tools)."""
    claims = {
        "iat": int(iat),
        "jti": hashlib.sha256(body + str(iat).encode()).hexdigest()[:32],
        "iss": "Vonage",
        "payload_hash": hashlib.sha256(body).hexdigest(),
        "application_id": application_id,
        **extra,
    }
    return jwt.encode(claims, secret, algorithm="HS256")
