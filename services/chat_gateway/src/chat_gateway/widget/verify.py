"""Widget identity (pure): server-issued visitor tokens and the site's identifier_hash HMAC.

* ``visitor_token = hex(HMAC-SHA256(site_secret, "visitor:" + visitor_id))``: the browser keeps
  both in localStorage; a visitor id without its token is refused (no hijacking replies).
* ``identifier_hash = hex(HMAC-SHA256(site_secret, identifier))`` (as Chatwoot's): a match marks
  the identity verified; a wrong or missing hash is refused, never silently downgraded.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

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


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def identify(hello: Hello, secret: str, fresh_visitor_id: str) -> Identity:
    """Raise Rejected(401) on a bad visitor token or identifier hash."""
    visitor = hello.visitor_id or fresh_visitor_id
    token = visitor_token(secret, visitor)
    if hello.visitor_id is not None and not _same(hello.visitor_token or "", token):
        raise Rejected(401, "bad_visitor_token", "visitor_id without its token")
    if hello.identifier_hash is not None and not hello.identifier:
        raise Rejected(401, "bad_identifier_hash", "identifier_hash without identifier")
    if hello.identifier is not None and not _same(
        hello.identifier_hash or "", mac(secret, hello.identifier)
    ):
        raise Rejected(401, "bad_identifier_hash", "identifier_hash does not match")
    return Identity(hello.site, visitor, token, hello.identifier, hello.name)
