"""CTI request signatures, pure: ``X-Hotline-Signature: t=<unix seconds>,v1=<hex>`` where the
hex is HMAC-SHA256(signing secret, "<t>." + body as sent). Several ``v1`` entries may be
given (a PBX signing with both values while its secret rotates); one that matches suffices.
A timestamp more than ``TOLERANCE`` seconds from our clock (either way) is stale, so a
captured request cannot be replayed later; a URL alone never authenticates.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

HEADER = "x-hotline-signature"
TOLERANCE = 300  # seconds


@dataclass(frozen=True)
class Stamp:
    t: int
    signatures: tuple[str, ...]


def sign(secret: str, t: int, body: bytes) -> str:
    message = str(t).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def header_for(secret: str, t: int, body: bytes) -> str:
    """The header a PBX sends (tests, the documentation's example)."""
    return f"t={t},v1={sign(secret, t, body)}"


def stamp_of(header: str | None) -> Stamp | None:
    """The header's timestamp and signatures; None when either is missing or malformed."""
    t, found = None, []
    for part in (header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit() and value.isascii():
            t = int(value)
        elif key == "v1" and value:
            found.append(value.lower())
    return Stamp(t, tuple(found)) if t is not None and found else None


def fresh(stamp: Stamp, now: float, tolerance: int = TOLERANCE) -> bool:
    return abs(now - stamp.t) <= tolerance


def signed_with(secret: str, stamp: Stamp, body: bytes) -> bool:
    expected = sign(secret, stamp.t, body)
    return any(hmac.compare_digest(expected, given) for given in stamp.signatures)
