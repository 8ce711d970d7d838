"""SNS message signatures (pure): ``Signature`` is base64 RSA PKCS#1 v1.5 over the message's
"string to sign" with SHA1 (``SignatureVersion`` 1) or SHA256 (2), made by the key of the
certificate at ``SigningCertURL``. Accepted only for a configured ``TopicArn`` (anyone can sign
for a topic of their own), a certificate URL matching the configured pattern (https on
``sns.<region>.amazonaws.com`` by default) and a ``Timestamp`` within ``max_age_s``."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from datetime import datetime
from typing import Any

import dkim.crypto

from email_ingest.providers.ses.parse import SnsMessage
from hotline.http import Rejected

NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
CONFIRMATION_FIELDS = (
    "Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type",
)  # fmt: skip
HASHES = {"1": hashlib.sha1, "2": hashlib.sha256}


def string_to_sign(m: SnsMessage) -> bytes:
    values = {
        "Message": m.message, "MessageId": m.message_id, "Subject": m.subject,
        "Timestamp": m.timestamp, "TopicArn": m.topic_arn, "Type": m.type,
        "SubscribeURL": m.subscribe_u_r_l, "Token": m.token,
    }  # fmt: skip
    names = NOTIFICATION_FIELDS if m.type == "Notification" else CONFIRMATION_FIELDS
    return "".join(f"{n}\n{values[n]}\n" for n in names if values[n] is not None).encode()


def check_envelope(
    m: SnsMessage, topics: list[str], cert_url: str, now: float, max_age: int
) -> None:
    """What can be refused before the certificate is fetched."""
    if not m.signature:
        raise Rejected(401, "missing_signature", "the SNS message is not signed")
    if m.topic_arn not in topics:
        raise Rejected(401, "unknown_topic", "TopicArn is not one we subscribed to")
    if m.signature_version not in HASHES:
        raise Rejected(401, "bad_signature_version", "SignatureVersion must be 1 or 2")
    if not re.match(cert_url, m.signing_cert_u_r_l):
        raise Rejected(401, "untrusted_certificate_url", "SigningCertURL is not an SNS URL")
    if abs(now - _unix(m.timestamp)) > max_age:
        raise Rejected(401, "stale_timestamp", f"Timestamp outside ±{max_age} s")


def verify_signature(m: SnsMessage, cert_pem: bytes) -> None:
    try:
        signature = base64.b64decode(m.signature, validate=True)
        key = public_key(cert_pem)
    except (binascii.Error, ValueError, IndexError) as exc:
        raise Rejected(401, "bad_signature", f"unreadable signature or certificate: {exc}") from exc
    digest = HASHES[m.signature_version](string_to_sign(m))
    if not dkim.crypto.RSASSA_PKCS1_v1_5_verify(digest, signature, key):
        raise Rejected(401, "bad_signature", "signature does not match")


def public_key(cert_pem: bytes) -> Any:
    """The RSA key of a PEM X.509 certificate (its tbsCertificate's subjectPublicKeyInfo)."""
    body = b"".join(line for line in cert_pem.strip().splitlines() if not line.startswith(b"-----"))
    der = base64.b64decode(body)
    tbs = _children(_children(der)[0])
    spki = tbs[6] if tbs[0][0] == 0xA0 else tbs[5]  # [0] version is optional
    try:
        return dkim.crypto.parse_public_key(spki)
    except dkim.crypto.UnparsableKeyError as exc:
        raise ValueError(f"not an RSA certificate: {exc}") from exc


def _children(der: bytes) -> list[bytes]:
    """The TLV elements inside one DER SEQUENCE (each returned whole, tag included)."""
    tag, start, end = _tlv(der, 0)
    if tag != 0x30:
        raise ValueError("not a DER SEQUENCE")
    out, i = [], start
    while i < end:
        _, _, e = _tlv(der, i)
        out.append(der[i:e])
        i = e
    return out


def _tlv(der: bytes, i: int) -> tuple[int, int, int]:
    if i + 2 > len(der):
        raise ValueError("truncated DER")
    tag, length, j = der[i], der[i + 1], i + 2
    if length & 0x80:
        n = length & 0x7F
        length, j = int.from_bytes(der[j : j + n], "big"), j + n
    if j + length > len(der):
        raise ValueError("truncated DER")
    return tag, j, j + length


def _unix(stamp: str) -> float:
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except ValueError as exc:
        raise Rejected(401, "missing_timestamp", "Timestamp is not ISO 8601") from exc
