"""HTTP Basic auth check (pure) for providers that authenticate by credentials in the webhook
URL (``https://user:password@host/...``), which they send as ``Authorization: Basic``."""

from __future__ import annotations

import base64
import binascii
import hmac

from hotline.http import Rejected


def check_basic(credentials: list[bytes], header: str | None) -> None:
    """Raise ``Rejected(401)`` unless ``header`` carries one of the ``user:password`` pairs."""
    scheme, _, token = (header or "").strip().partition(" ")
    if scheme.lower() != "basic" or not token.strip():
        raise Rejected(401, "missing_credentials", "HTTP Basic credentials are required")
    try:
        given = base64.b64decode(token.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Rejected(401, "bad_credentials", "malformed Basic credentials") from exc
    if not any(hmac.compare_digest(given, c) for c in credentials):
        raise Rejected(401, "bad_credentials", "credentials do not match")


def basic_header(credential: str) -> str:
    return "Basic " + base64.b64encode(credential.encode()).decode()
