"""X (Twitter) Account Activity webhooks, pure: CRC answer and POST signature.

CRC: ``{"response_token": "sha256=" + base64(HMAC-SHA256(consumer_secret, crc_token))}``.
POST: ``x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256(consumer_secret, body)>``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

PREFIX = "sha256="


def sign(secret: bytes, data: bytes) -> str:
    return PREFIX + base64.b64encode(hmac.new(secret, data, hashlib.sha256).digest()).decode()


def crc_response(secret: bytes, crc_token: str) -> dict[str, str]:
    return {"response_token": sign(secret, crc_token.encode())}


def signature_ok(secret: bytes, body: bytes, header: str | None) -> bool:
    if not header or not header.startswith(PREFIX):
        return False
    return hmac.compare_digest(
        header.strip().encode("ascii", "replace"), sign(secret, body).encode()
    )
