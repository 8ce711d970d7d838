"""The host site's signed identity for the widget: a JWT signed with the site's secret (pure).

Claims: ``sub`` (the site's own user id, required), ``exp`` and ``iat`` (required), and
optionally ``email``, ``phone`` (E.164), ``name`` and ``aud`` (when present it must be the site
id). Only HS256/HS384/HS512 are accepted: ``none`` and every other algorithm are refused, so a
token cannot choose how it is checked. A token that fails any check yields a ``TokenRejected``
with a short machine-readable reason; the caller decides what that means for the visitor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import jwt

ALGORITHMS = ["HS256", "HS384", "HS512"]
LEEWAY_S = 30  # clock skew between the host site and us
MAX_TOKEN_CHARS = 4096
E164 = re.compile(r"\+[1-9][0-9]{6,14}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class SignedIdentity:
    sub: str
    email: str | None = None  # lower-cased
    phone: str | None = None  # E.164
    name: str | None = None


class TokenRejected(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


_REASONS: list[tuple[type[jwt.PyJWTError], str]] = [
    (jwt.InvalidSignatureError, "bad_signature"),
    (jwt.InvalidAlgorithmError, "alg_not_allowed"),
    (jwt.MissingRequiredClaimError, "missing_claim"),
    (jwt.DecodeError, "malformed"),
]


def _reason(exc: jwt.PyJWTError) -> str:
    return next((reason for kind, reason in _REASONS if isinstance(exc, kind)), "invalid")


def verify_identity_token(token: str, secret: str, site: str, now: float) -> SignedIdentity:
    """The token's identity, or TokenRejected(reason) when it is not a valid one for ``site``."""
    if len(token) > MAX_TOKEN_CHARS:
        raise TokenRejected("malformed", f"token over {MAX_TOKEN_CHARS} characters")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=ALGORITHMS,
            options={  # times are checked below against ``now`` (table-testable)
                "require": ["exp", "iat", "sub"],
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
                "verify_aud": False,
                "verify_sub": False,
            },
        )
    except jwt.PyJWTError as exc:
        raise TokenRejected(_reason(exc), str(exc)) from exc
    return _identity(claims, site, now)


def _identity(claims: dict[str, Any], site: str, now: float) -> SignedIdentity:
    _check_times(claims, now)
    aud = claims.get("aud")
    if aud is not None and site not in (aud if isinstance(aud, list) else [aud]):
        raise TokenRejected("wrong_audience", f"aud {aud!r} is not this site")
    sub, email, phone, name = (claims.get(k) for k in ("sub", "email", "phone", "name"))
    if not isinstance(sub, str) or not sub.strip():
        raise TokenRejected("bad_claim", "sub: a non-empty string")
    if email is not None and not (isinstance(email, str) and EMAIL.fullmatch(email.strip())):
        raise TokenRejected("bad_claim", "email: not an email address")
    if phone is not None and not (isinstance(phone, str) and E164.fullmatch(phone)):
        raise TokenRejected("bad_claim", "phone: not E.164 (+ and 7-15 digits)")
    if name is not None and not isinstance(name, str):
        raise TokenRejected("bad_claim", "name: a string")
    lowered = email.strip().lower() if isinstance(email, str) else None
    return SignedIdentity(sub.strip(), lowered, phone, (name or "").strip() or None)


def _check_times(claims: dict[str, Any], now: float) -> None:
    for name in ("exp", "iat", "nbf"):
        value = claims.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise TokenRejected("bad_claim", f"{name}: a number of seconds since the epoch")
    if claims["exp"] + LEEWAY_S <= now:
        raise TokenRejected("expired", "the token has expired")
    if claims["iat"] - LEEWAY_S > now or claims.get("nbf", now) - LEEWAY_S > now:
        raise TokenRejected("not_yet_valid", "iat or nbf is in the future")
