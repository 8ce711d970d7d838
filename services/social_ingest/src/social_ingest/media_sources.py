"""Where a provider's attachment ref can be downloaded from, and with which credentials.

``Source.locate(ref, client, origin)`` -> (URL, headers) of the file itself; for WhatsApp and
Telegram that takes one API call (the media id / file id is resolved to a short-lived URL or
path). ``origin``: the channel and credentials of the account the attachment arrived on
(WhatsApp's ``access_token``, Telegram's ``bot_token``, Twilio's ``auth_token`` with the
AccountSid as the Basic-auth user, X's ``bearer_token``); Messenger / Instagram CDN URLs are
signed in themselves. A provider's credentials go only to that channel's own API.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from hotline.blobs.fetch import Located, Unfetchable, check, under
from social_ingest.credentials import Credentials
from social_ingest.settings import SocialSettings

WHATSAPP = "provider:whatsapp/"
TELEGRAM = "provider:telegram/"
X_API = ("twitter.com", "x.com")  # X's hosts that want the bearer token (DM media)


@dataclass(frozen=True)
class Origin:
    """Where an attachment arrived: its channel kind and its account's credentials (None: the
    account has no token; what needs one fails ``no_token``)."""

    kind: str
    auth: Credentials | None

    def credentials(self) -> Credentials:
        if self.auth is None:
            raise Unfetchable("no_token")
        return self.auth

    def token(self) -> str:
        return self.credentials().token


@dataclass(frozen=True)
class Source:
    whatsapp_api_base: str
    telegram_api_base: str
    twilio_api_base: str
    hosts: tuple[str, ...] = field(default=())

    async def locate(self, ref: str, client: httpx.AsyncClient, origin: Origin) -> Located:
        if ref.startswith(WHATSAPP):
            return await self._whatsapp(ref.removeprefix(WHATSAPP), client, origin.token())
        if ref.startswith(TELEGRAM):
            return await self._telegram(ref.removeprefix(TELEGRAM), client, origin.token())
        if ref.startswith(("https://", "http://")):
            return ref, self._auth_for(ref, origin)
        raise Unfetchable("not a downloadable ref")

    async def _whatsapp(self, media_id: str, client: httpx.AsyncClient, token: str) -> Located:
        """GET /{media-id} -> {"url": ...}; the URL wants the same bearer token (~5 min)."""
        if not media_id:
            raise Unfetchable("no media id")
        bearer = {"Authorization": f"Bearer {token}"}
        url = f"{self.whatsapp_api_base}/{quote(media_id, safe='')}"
        return str(_field(await _json(client, url, bearer), "url")), bearer

    async def _telegram(self, file_id: str, client: httpx.AsyncClient, token: str) -> Located:
        """getFile -> result.file_path, then /file/bot<token>/<path> (valid >= 1 hour)."""
        base = f"{self.telegram_api_base}/bot{token}"
        doc = await _json(client, f"{base}/getFile?file_id={quote(file_id, safe='')}", {})
        path = _field(_field(doc, "result"), "file_path")
        return f"{self.telegram_api_base}/file/bot{token}/{path}", {}

    def _auth_for(self, url: str, origin: Origin) -> dict[str, str]:
        """A URL's credentials only for its own channel's provider, never another's."""
        twilio = urlsplit(url)[:2] == urlsplit(self.twilio_api_base)[:2]
        if origin.kind == "sms" and twilio:  # MMS: the account's Basic auth
            pair = f"{origin.credentials().account_sid}:{origin.token()}".encode()
            return {"Authorization": "Basic " + base64.b64encode(pair).decode()}
        if origin.kind == "x" and any(under(urlsplit(url).hostname or "", d) for d in X_API):
            return {"Authorization": f"Bearer {origin.token()}"}
        return {}  # Messenger / Instagram CDN URLs are signed in themselves


def media_source(s: SocialSettings) -> Source:
    hosts = tuple(s.media_hosts)
    return Source(s.whatsapp_api_base, s.telegram_api_base, s.twilio_api_base, hosts)


async def _json(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> Any:
    response = await client.get(url, headers=headers)
    check(response)
    try:
        return response.json()
    except ValueError as exc:
        raise Unfetchable("provider answered no JSON") from exc


def _field(doc: Any, name: str) -> Any:
    if not isinstance(doc, dict) or not doc.get(name):
        raise Unfetchable(f"provider answer has no {name}")
    return doc[name]
