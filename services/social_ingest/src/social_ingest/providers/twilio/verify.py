"""Twilio webhook verification, pure: ``X-Twilio-Signature`` is
base64(HMAC-SHA1(auth_token, URL + each POST parameter's key and value, keys sorted)).

The URL is the configured one (never what a proxy forwards); like Twilio's SDK validators we
also accept it with the scheme's default port added or removed. Twilio signs no timestamp, so
the deterministic event id from ``MessageSid`` is what makes a replay harmless.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlsplit, urlunsplit

DEFAULT_PORTS = {"https": 443, "http": 80}


def sign(token: bytes, url: str, params: list[tuple[str, str]]) -> str:
    data = url + "".join(k + v for k, v in sorted(params, key=lambda kv: kv[0]))
    return base64.b64encode(hmac.new(token, data.encode(), hashlib.sha1).digest()).decode()


def signature_ok(token: bytes, url: str, params: list[tuple[str, str]], header: str | None) -> bool:
    if not header:
        return False
    given = header.strip().encode("ascii", "replace")
    return any(
        hmac.compare_digest(given, sign(token, candidate, params).encode())
        for candidate in _variants(url)
    )


def _variants(url: str) -> list[str]:
    parts = urlsplit(url)
    default = DEFAULT_PORTS.get(parts.scheme)
    host = parts.hostname or ""
    if parts.port is None and default:
        other = parts._replace(netloc=f"{host}:{default}")
    elif parts.port == default:
        other = parts._replace(netloc=host)
    else:
        return [url]
    return [url, urlunsplit(other)]
