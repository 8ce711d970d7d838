"""Meta (WhatsApp Cloud, Messenger, Instagram) webhook verification, pure.

POST: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app_secret, raw body)>``, constant-time.
GET handshake: ``hub.mode=subscribe`` and ``hub.verify_token`` equal to ours -> echo challenge.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

PREFIX = "sha256="


def sign(secret: bytes, body: bytes) -> str:
    return PREFIX + hmac.new(secret, body, hashlib.sha256).hexdigest()


def signature_ok(secret: bytes, body: bytes, header: str | None) -> bool:
    if not header or not header.startswith(PREFIX):
        return False
    given = header[len(PREFIX) :].strip().lower()
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(given.encode("ascii", "replace"), expected.encode())


def handshake(params: Mapping[str, str], verify_token: str) -> str | None:
    """The challenge to echo, or None (answer 403) when mode or token do not match."""
    token = params.get("hub.verify_token", "")
    if params.get("hub.mode") != "subscribe" or not verify_token:
        return None
    if not hmac.compare_digest(token.encode(), verify_token.encode()):
        return None
    challenge = params.get("hub.challenge")
    return challenge if challenge else None
