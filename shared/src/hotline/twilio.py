"""Twilio webhooks, pure: the form body and ``X-Twilio-Signature`` — one implementation for the
SMS edge (social_ingest) and the Voice edge (voice).

The signature is base64(HMAC-SHA1(auth_token, URL + each POST parameter's key and value, keys
sorted)). For a JSON body Twilio signs the URL alone, which then carries ``bodySHA256`` (the
hex SHA-256 of the body), so the body is covered through the URL.

A Webhooks Rule matching the URL makes Twilio sign with the rule's SharedKey and algorithm
instead (HMAC-SHA256), saying so in ``X-Twilio-Webhooks-Signature-Settings: key=…,
algorithm=HMAC_SHA256``; only the hash changes, the signed string is the same.

The URL is the configured one (never what a proxy forwards); like Twilio's SDK validators we
also accept it with the scheme's default port added or removed. Twilio signs no timestamp, so
the deterministic event id from the provider's sid is what makes a replay harmless.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from hotline.kafka.errors import PermanentError

DEFAULT_PORTS = {"https": 443, "http": 80}
MAX_FIELDS = 200
BODY_HASH = "bodySHA256"  # the query parameter of a signed JSON body
SETTINGS_HEADER = "x-twilio-webhooks-signature-settings"  # a Webhooks Rule's key and algorithm
Digest = Callable[[], "hashlib._Hash"]
ALGORITHMS: dict[str, Digest] = {"HMAC_SHA1": hashlib.sha1, "HMAC_SHA256": hashlib.sha256}


@dataclass(frozen=True)
class Form:
    pairs: list[tuple[str, str]]  # as sent, for the signature
    fields: dict[str, str]

    def need(self, name: str) -> str:
        value = self.fields.get(name, "")
        if not value:
            raise PermanentError(
                "schema_mismatch", f"Object missing required field - at `$.{name}`"
            )
        return value


def parse_form(body: bytes) -> Form:
    """application/x-www-form-urlencoded -> pairs; anything else is malformed (400)."""
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(
            text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=MAX_FIELDS
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise PermanentError("malformed", f"not a form body: {exc}") from exc
    return Form(pairs, dict(pairs))


def sign(
    token: bytes, url: str, params: list[tuple[str, str]], digest: Digest = hashlib.sha1
) -> str:
    data = url + "".join(k + v for k, v in sorted(params, key=lambda kv: kv[0]))
    return base64.b64encode(hmac.new(token, data.encode(), digest).digest()).decode()


def signature_ok(
    token: bytes,
    url: str,
    params: list[tuple[str, str]],
    header: str | None,
    digest: Digest = hashlib.sha1,
) -> bool:
    if not header:
        return False
    given = header.strip().encode("ascii", "replace")
    return any(
        hmac.compare_digest(given, sign(token, candidate, params, digest).encode())
        for candidate in _variants(url)
    )


def json_signature_ok(
    token: bytes, url: str, body: bytes, header: str | None, digest: Digest = hashlib.sha1
) -> bool:
    """A JSON body: the signature covers ``url`` alone, whose ``bodySHA256`` must be the
    body's digest (else any body could ride on a signed URL)."""
    query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    body_digest = hashlib.sha256(body).hexdigest()
    if not hmac.compare_digest(query.get(BODY_HASH, "").lower().encode(), body_digest.encode()):
        return False
    return signature_ok(token, url, [], header, digest)


def algorithm_of(settings_header: str) -> Digest | None:
    """The hash a Webhooks Rule's ``key=…,algorithm=…`` names; None: one we do not know."""
    fields = dict(part.strip().partition("=")[::2] for part in settings_header.split(","))
    return ALGORITHMS.get(fields.get("algorithm", "").strip().upper())


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
