"""Mailgun webhook signature (pure): ``signature`` = hex HMAC-SHA256(signing key, ``timestamp``
+ ``token``), all three posted as form fields; the timestamp must be within ``max_age_s``."""

from __future__ import annotations

import hashlib
import hmac

from hotline.http import Rejected


def sign(key: bytes, timestamp: str, token: str) -> str:
    return hmac.new(key, (timestamp + token).encode(), hashlib.sha256).hexdigest()


def verify(
    keys: list[bytes],
    timestamp: str | None,
    token: str | None,
    signature: str | None,
    now: float,
    max_age_s: int,
) -> None:
    if not signature or not token:
        raise Rejected(401, "missing_signature", "signature and token are required")
    if not timestamp or not timestamp.isdigit():
        raise Rejected(401, "missing_timestamp", "timestamp must be unix seconds")
    if abs(now - int(timestamp)) > max_age_s:
        raise Rejected(401, "stale_timestamp", f"timestamp outside ±{max_age_s} s")
    given = signature.strip().lower().encode()
    if not any(hmac.compare_digest(sign(k, timestamp, token).encode(), given) for k in keys):
        raise Rejected(401, "bad_signature", "signature does not match")
