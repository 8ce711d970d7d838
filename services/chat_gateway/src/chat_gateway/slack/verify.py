"""Slack request signing (v0): pure, no I/O; the caller passes the clock.

``v0=hex(HMAC-SHA256(signing_secret, "v0:" + timestamp + ":" + raw_body))`` compared in constant
time; the timestamp must be within ±300 s of now (both directions).

Our own rather than slack_sdk's ``SignatureVerifier``: that one decodes the body as UTF-8 before
hashing, so a signed body that is not UTF-8 raised instead of being answered (400, malformed),
and it checks one secret where one app serves several workspaces; the HMAC itself is four lines.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from hotline.http import Rejected

TOLERANCE_S = 300
SIGNATURE_HEADER = "x-slack-signature"
TIMESTAMP_HEADER = "x-slack-request-timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def check_timestamp(raw: str | None, now: float) -> str:
    if not raw:
        raise Rejected(401, "missing_timestamp", TIMESTAMP_HEADER)
    if not raw.isdigit() or len(raw) > 12:
        raise Rejected(401, "bad_timestamp", "not a unix timestamp")
    if abs(now - int(raw)) > TOLERANCE_S:
        raise Rejected(401, "stale_timestamp", f"outside ±{TOLERANCE_S} s")
    return raw


def verify(
    headers: Mapping[str, str], body: bytes, secrets: Mapping[str, str], now: float
) -> list[str]:
    """Return the teams whose signing secret signed ``body``; raise Rejected(401) otherwise.

    ``secrets`` maps team id -> signing secret (one Slack app may serve several teams).
    """
    return signed_by(headers, body, {team: (s,) for team, s in secrets.items()}, now)


def signed_by(
    headers: Mapping[str, str], body: bytes, secrets: Mapping[str, tuple[str, ...]], now: float
) -> list[str]:
    """As ``verify``, each team with every valid value of its secret (rotation: two)."""
    timestamp = check_timestamp(headers.get(TIMESTAMP_HEADER), now)
    signature = headers.get(SIGNATURE_HEADER)
    if not signature:
        raise Rejected(401, "missing_signature", SIGNATURE_HEADER)
    by_secret: dict[str, list[str]] = {}
    for team, values in secrets.items():
        for secret in dict.fromkeys(values):
            by_secret.setdefault(secret, []).append(team)
    matched: list[str] = []
    for secret, teams in by_secret.items():
        if hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.encode()):
            matched.extend(teams)
    if not matched:
        raise Rejected(401, "bad_signature", "no configured signing secret matches")
    return list(dict.fromkeys(matched))
