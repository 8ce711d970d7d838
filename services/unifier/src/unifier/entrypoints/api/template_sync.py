"""Read an account's message templates from the WhatsApp Cloud API
(``GET /{waba-id}/message_templates``, following its cursor paging on the same host only, so
our token never goes elsewhere)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from hotline.http import Rejected
from unifier.domain.reply_templates import from_provider

FIELDS = "name,language,status,category,components"
MAX_PAGES = 50


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


async def _page(client: httpx.AsyncClient, url: str, params: dict[str, str] | None) -> Any:
    try:
        res = await client.get(url, params=params)
    except httpx.HTTPError as exc:
        raise Rejected(502, "provider_unreachable", f"WhatsApp Cloud API: {exc}") from exc
    try:
        doc = res.json()
    except ValueError:
        doc = {}
    if res.status_code != 200:
        said = (doc.get("error") or {}).get("message", "") if isinstance(doc, dict) else ""
        raise Rejected(502, "provider_error", f"WhatsApp answered {res.status_code}: {said}")
    return doc


async def fetch_templates(base: str, token: str, waba_id: str) -> list[dict[str, str]]:
    """Every template of the business account, page after page."""
    url: str | None = f"{base.rstrip('/')}/{waba_id}/message_templates"
    params: dict[str, str] | None = {"fields": FIELDS, "limit": "100"}
    found: list[dict[str, str]] = []
    headers = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(headers=headers, timeout=10) as client:
        for _ in range(MAX_PAGES):
            if url is None:
                break
            doc = await _page(client, url, params)
            found += from_provider(doc)
            url, params = (doc.get("paging") or {}).get("next"), None
            if url is not None and _origin(url) != _origin(base):
                raise Rejected(502, "provider_error", "WhatsApp's next page is on another host")
    return found
