"""Widget identity (pure): server-issued visitor tokens and the site's identifier_hash HMAC.

* ``visitor_token = hex(HMAC-SHA256(site_secret, "visitor:" + visitor_id))``: the browser keeps
  both in localStorage; a visitor id without its token is refused (no hijacking replies).
* ``identifier_hash = hex(HMAC-SHA256(site_secret, identifier))`` (as Chatwoot's): a match marks
  the identity verified; a wrong or missing hash is refused, never silently downgraded.
* ``identity_token``: a JWT the host site signed (``identity_token.py``). A valid one makes the
  visitor a site-signed user; an invalid one (expired, forged, another algorithm, malformed)
  leaves the visitor anonymous with the reason in ``Identity.rejected``, so the edge can say so
  and still take their messages, which then link to nobody.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace

from chat_gateway.widget.identity_token import SignedIdentity, TokenRejected, verify_identity_token
from chat_gateway.widget.parse import Hello
from hotline.http import Rejected


def mac(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def visitor_token(secret: str, visitor_id: str) -> str:
    return mac(secret, "visitor:" + visitor_id)


def new_visitor_id() -> str:
    return "v_" + secrets.token_hex(12)


@dataclass(frozen=True)
class Identity:
    site: str
    visitor_id: str
    visitor_token: str
    user: str | None = None  # verified identifier (identifier_hash matched)
    name: str | None = None
    signed: SignedIdentity | None = None  # a valid identity_token's claims
    rejected: TokenRejected | None = None  # why the identity_token was not accepted

    @property
    def verified(self) -> bool:
        return self.user is not None or self.signed is not None

    @property
    def display_name(self) -> str | None:
        return self.signed.name if self.signed and self.signed.name else self.name


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _signed(given: str | None, expected: Iterable[str]) -> bool:
    """Whether ``given`` is one of ``expected`` (its HMAC under each valid secret value)."""
    return any(_same(given or "", value) for value in expected)


def identify(hello: Hello, secrets: tuple[str, ...], fresh_visitor_id: str, now: float) -> Identity:
    """``secrets``: the site secret's valid values, newest first (the newest signs the visitor
    token handed back). Raise Rejected(401) on a bad visitor token or identifier hash; a bad
    identity_token is not raised but kept in ``rejected`` (the visitor stays anonymous)."""
    if hello.identity_token is not None and hello.identifier is not None:
        raise Rejected(400, "ambiguous_identity", "send identifier or identity_token, not both")
    visitor = hello.visitor_id or fresh_visitor_id
    tokens = (visitor_token(secret, visitor) for secret in secrets)
    if hello.visitor_id is not None and not _signed(hello.visitor_token, tokens):
        raise Rejected(401, "bad_visitor_token", "visitor_id without its token")
    if hello.identifier_hash is not None and not hello.identifier:
        raise Rejected(401, "bad_identifier_hash", "identifier_hash without identifier")
    identifier = hello.identifier
    if identifier is not None and not _signed(
        hello.identifier_hash, (mac(secret, identifier) for secret in secrets)
    ):
        raise Rejected(401, "bad_identifier_hash", "identifier_hash does not match")
    token = visitor_token(secrets[0], visitor)
    who = Identity(hello.site, visitor, token, hello.identifier, hello.name)
    if hello.identity_token is None:
        return who
    try:
        signed = identity_of(hello.identity_token, secrets, hello.site, now)
    except TokenRejected as exc:
        return replace(who, rejected=exc)
    return replace(who, signed=signed)


def identity_of(token: str, secrets: tuple[str, ...], site: str, now: float) -> SignedIdentity:
    """The token checked with each valid secret: the first that takes it wins; otherwise the
    most telling refusal (expired under the right secret says more than a bad signature)."""
    refused: list[TokenRejected] = []
    for secret in secrets:
        try:
            return verify_identity_token(token, secret, site, now)
        except TokenRejected as exc:
            refused.append(exc)
    telling = [exc for exc in refused if exc.reason != "bad_signature"]
    raise (telling or refused or [TokenRejected("bad_signature", "the site has no secret")])[0]
