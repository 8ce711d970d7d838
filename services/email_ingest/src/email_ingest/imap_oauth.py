"""Access tokens for XOAUTH2: the refresh_token grant (RFC 6749 §6) against a configured token
endpoint, cached until ``refresh_margin_s`` before expiry, dropped after a failed login.

The grant is one small form POST every hour or so, made with the standard library in a worker
thread. No secret (refresh token, client secret, access token) is ever logged or put in an
exception message. A provider that rotates refresh tokens (Microsoft may answer with a new
``refresh_token``) is followed in memory.
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from email_ingest.imap_mailbox import OAuthSettings

log = logging.getLogger(__name__)
Clock = Callable[[], float]


class TokenError(Exception):
    """The token endpoint refused the grant (a configuration problem)."""


class TokenUnavailable(TokenError):
    """The token endpoint could not be reached or failed on its side (5xx): retry soon."""


@dataclass(frozen=True)
class AccessToken:
    value: str
    refresh_at: float  # on the source's clock: the margin before its expiry


class TokenSource:
    def __init__(self, oauth: OAuthSettings, label: str, clock: Clock = time.monotonic) -> None:
        self.oauth, self.label, self.clock = oauth, label, clock
        self._refresh_token = oauth.refresh_token.get_secret_value()
        self._cached: AccessToken | None = None
        self._lock = asyncio.Lock()
        self.grants = 0  # how many times the endpoint was asked (for metrics and tests)

    async def token(self) -> str:
        """A live access token: the cached one, or a fresh one from the endpoint."""
        async with self._lock:
            cached = self._cached
            if cached is None or self.clock() >= cached.refresh_at:
                cached = self._cached = await self._grant()
            return cached.value

    def invalidate(self) -> None:
        """The server refused the token: the next ``token()`` asks the endpoint again."""
        self._cached = None

    async def _grant(self) -> AccessToken:
        started = self.clock()
        answer = await asyncio.to_thread(self._post, self._form())
        self.grants += 1
        value = answer.get("access_token")
        if not isinstance(value, str) or not value:
            raise TokenError(f"{self.label}: token endpoint answered without an access_token")
        rotated = answer.get("refresh_token")
        if isinstance(rotated, str) and rotated:
            self._refresh_token = rotated
        lifetime = _seconds(answer.get("expires_in"))
        log.info("oauth token refreshed", extra={"mailbox": self.label, "expires_in": lifetime})
        margin = min(self.oauth.refresh_margin_s, lifetime / 2)  # a short-lived token is used
        return AccessToken(value, started + lifetime - margin)

    def _form(self) -> dict[str, str]:
        form = {
            "grant_type": "refresh_token",
            "refresh_token": self._refresh_token,
            "client_id": self.oauth.client_id,
        }
        if self.oauth.client_secret is not None:
            form["client_secret"] = self.oauth.client_secret.get_secret_value()
        if self.oauth.scope:
            form["scope"] = self.oauth.scope
        return form

    def _post(self, form: dict[str, str]) -> dict[str, object]:
        request = urllib.request.Request(
            self.oauth.token_url,
            data=urllib.parse.urlencode(form).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        context = ssl.create_default_context()
        try:
            with urllib.request.urlopen(
                request, timeout=self.oauth.timeout_s, context=context
            ) as r:
                return _json_object(r.read())
        except urllib.error.HTTPError as exc:
            kind = TokenUnavailable if exc.code >= 500 else TokenError
            raise kind(
                f"{self.label}: token endpoint said {exc.code} {_oauth_error(exc)}"
            ) from None
        except (OSError, ValueError) as exc:
            raise TokenUnavailable(f"{self.label}: token endpoint unreachable: {exc}") from None


def _json_object(body: bytes) -> dict[str, object]:
    doc = json.loads(body)
    if not isinstance(doc, dict):
        raise ValueError("token endpoint answer is not a JSON object")
    return doc


def _oauth_error(exc: urllib.error.HTTPError) -> str:
    """The RFC 6749 §5.2 ``error`` / ``error_description`` (never the request's secrets)."""
    try:
        doc = _json_object(exc.read())
    except ValueError:
        return "(no JSON error)"
    return f"{doc.get('error', '')} {doc.get('error_description', '')}".strip()


def _seconds(value: object) -> float:
    """``expires_in``; a missing or odd value counts as one hour (the common lifetime)."""
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 3600.0
    return seconds if seconds > 0 else 3600.0
