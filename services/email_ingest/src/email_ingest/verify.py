"""Webhook signature check (pure): HMAC-SHA256 over ``timestamp + "." + raw body``.

Headers: ``X-Hotline-Timestamp`` (unix seconds, within ±300 s) and
``X-Hotline-Signature: sha256=<hex>``. Several secrets may be active (rotation).
"""

from __future__ import annotations

import hashlib
import hmac

from hotline.http import Rejected

WINDOW_S = 300


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secrets: list[bytes], timestamp: str | None, signature: str | None, body: bytes, now: float
) -> None:
    """Raise ``Rejected(401, ...)`` unless one secret signed exactly these bytes recently."""
    if not signature:
        raise Rejected(401, "missing_signature", "X-Hotline-Signature is required")
    if not timestamp or not timestamp.isdigit():
        raise Rejected(401, "missing_timestamp", "X-Hotline-Timestamp must be unix seconds")
    if abs(now - int(timestamp)) > WINDOW_S:
        raise Rejected(401, "stale_timestamp", f"timestamp outside ±{WINDOW_S} s")
    if not any(hmac.compare_digest(sign(s, timestamp, body), signature) for s in secrets):
        raise Rejected(401, "bad_signature", "signature does not match the body")
