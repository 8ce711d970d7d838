"""Mandrill webhook signature (pure): ``X-Mandrill-Signature`` = base64(HMAC-SHA1(webhook key,
the webhook URL exactly as configured + each POST parameter's name and value, names sorted)).
Mandrill signs no timestamp: the deterministic event ids make a replayed POST harmless."""

from __future__ import annotations

import base64
import hashlib
import hmac

from hotline.http import Rejected


def sign(key: bytes, url: str, params: list[tuple[str, str]]) -> str:
    data = url + "".join(k + v for k, v in sorted(params, key=lambda kv: kv[0]))
    return base64.b64encode(hmac.new(key, data.encode(), hashlib.sha1).digest()).decode()


def verify(keys: list[bytes], url: str, params: list[tuple[str, str]], header: str | None) -> None:
    if not header:
        raise Rejected(401, "missing_signature", "X-Mandrill-Signature is required")
    given = header.strip().encode("ascii", "replace")
    if not any(hmac.compare_digest(sign(k, url, params).encode(), given) for k in keys):
        raise Rejected(401, "bad_signature", "signature does not match")
