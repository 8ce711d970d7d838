"""Twilio Voice callback signatures, pure; the HMAC itself is ``hotline.twilio`` (the SMS
edge's too).

Twilio signs the URL it calls, query string included: the account's configured
``webhook_url`` plus the query of the request (a marker such as ``?voicemail=1`` that the
account put on the callback URL is covered by the signature). A form body's parameters are
signed with it; a JSON body is signed through the URL's ``bodySHA256``. Twilio signs no
timestamp, so there is no staleness to check: a replay is the same event (deterministic ids).

A Webhooks Rule on the URL makes Twilio sign with the rule's SharedKey (the account's secret
``shared_key``) and its algorithm (HMAC-SHA256), named in
``X-Twilio-Webhooks-Signature-Settings``; without that header it is the ``auth_token`` and
HMAC-SHA1. A header naming an algorithm we do not know verifies nothing.
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl

from hotline import twilio

MARKERS = frozenset({"voicemail"})  # query flags a callback URL may carry
FALSE = frozenset({"0", "false", "no"})


def signed_url(base: str, query: str) -> str:
    return f"{base}?{query}" if query else base


def is_json(query: str) -> bool:
    """A body signed through ``bodySHA256`` in the URL is JSON."""
    return any(name == twilio.BODY_HASH for name, _ in _params(query))


def scheme(settings_header: str | None) -> tuple[str, twilio.Digest] | None:
    """Which account secret signed the request, and with which hash (None: unknown)."""
    if settings_header is None:
        return "auth_token", hashlib.sha1
    digest = twilio.algorithm_of(settings_header)
    return None if digest is None else ("shared_key", digest)


def request_ok(
    token: str,
    url: str,
    body: bytes,
    pairs: list[tuple[str, str]],
    header: str | None,
    digest: twilio.Digest = hashlib.sha1,
) -> bool:
    """``pairs``: the form's parameters (ignored for a JSON body)."""
    if is_json(url.partition("?")[2]):
        return twilio.json_signature_ok(token.encode(), url, body, header, digest)
    return twilio.signature_ok(token.encode(), url, pairs, header, digest)


def flags(query: str) -> frozenset[str]:
    """The markers the callback URL sets (``voicemail=1``; ``voicemail=0`` sets none)."""
    return frozenset(n for n, v in _params(query) if n in MARKERS and v.lower() not in FALSE)


def _params(query: str) -> list[tuple[str, str]]:
    return parse_qsl(query, keep_blank_values=True)
