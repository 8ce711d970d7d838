"""Copy the customer's media into the blob store while the provider's link still works.

Provider links expire (WhatsApp media URLs within minutes, Messenger/Instagram CDN URLs within
days), so the edge copies each attachment before it publishes the event, within a time budget
(``media_budget``, inside the provider's webhook timeout) and with retries (``media_attempts``,
backoff) for what may pass: timeouts, connection errors, 429 and 5xx. What cannot be copied
keeps the provider's ref and says why in ``AttachmentRef.fetch_error`` ("http 404",
"timeout", ...): the agent sees a failed file, never a silent gap.

Where the bytes are: ``provider:whatsapp/<id>`` (Graph API lookup, then the URL, both with the
token), ``provider:telegram/<file_id>`` (getFile, then the file path), a plain https URL
(Messenger/Instagram CDN, Twilio MMS with the account's Basic auth, X). Only hosts in
``media_hosts`` (by domain suffix) are fetched. The token is the newest of the channel account
the event arrived on (``credentials.Tokens``); an account without one: ``no_token``.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import Iterator, Sequence
from typing import IO
from urllib.parse import urljoin, urlsplit

import httpx
from prometheus_client import CollectorRegistry, Counter

from hotline import events as ev
from hotline.accounts import Account
from hotline.blobs import PREFIX, BlobStore, digest_of
from social_ingest.credentials import Tokens
from social_ingest.media_sources import Origin, Retry, Source, Unfetchable, check, under

log = logging.getLogger(__name__)
SPOOL_BYTES = 1024 * 1024
MAX_REDIRECTS = 3


class MediaCopier:
    def __init__(
        self,
        store: BlobStore,
        source: Source,
        client: httpx.AsyncClient,
        tokens: Tokens,
        *,
        budget: float,
        attempts: int,
        max_bytes: int,
        counter: Counter | None = None,
    ) -> None:
        self.store, self.source, self.client, self.tokens = store, source, client, tokens
        self.budget, self.attempts, self.max_bytes = budget, attempts, max_bytes
        self.counter = counter

    async def copy(self, events: Sequence[ev.Event], routed: Sequence[Account] = ()) -> None:
        """Store every attachment not yet stored, with the token of the account its event
        arrived on (``routed``: the accounts the webhook was routed to); what is left says why
        in ``fetch_error``."""
        todo = [
            (a, self._origin(e.channel, routed))
            for e in events
            if isinstance(e, ev.MessageReceived)
            for a in e.attachments
            if not a.ref.startswith(PREFIX)
        ]
        for a, _ in todo:
            a.fetch_error = "timeout"  # until it is stored or fails otherwise
        try:
            async with asyncio.timeout(self.budget):
                await asyncio.gather(*(self._copy(a, origin) for a, origin in todo))
        except TimeoutError:
            pass
        for a, _ in todo:
            if a.fetch_error:
                log.warning("media not copied", extra={"ref": a.ref, "error": a.fetch_error})
            if self.counter:
                self.counter.labels("failed" if a.fetch_error else "stored").inc()

    def _origin(self, channel: ev.ChannelRef, routed: Sequence[Account]) -> Origin:
        return Origin(channel.kind, self.tokens.of(channel.kind, channel.account_id, routed))

    async def _copy(self, a: ev.AttachmentRef, origin: Origin) -> None:
        for attempt in range(self.attempts):
            try:
                ref, size = await self._fetch(a.ref, origin)
            except Unfetchable as exc:
                a.fetch_error = str(exc)
                return
            except Retry as exc:
                a.fetch_error = str(exc)
                if attempt + 1 < self.attempts:
                    await asyncio.sleep(0.25 * 2**attempt)
                continue
            a.ref, a.sha256, a.size, a.fetch_error = ref, digest_of(ref), size, None
            return

    async def _fetch(self, ref: str, origin: Origin) -> tuple[str, int]:
        try:
            url, headers = await self.source.locate(ref, self.client, origin)
            with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as fh:
                size = await self._download(url, headers, fh)
                fh.seek(0)
                return await asyncio.to_thread(self.store.put_stream, _chunks(fh)), size
        except httpx.TimeoutException as exc:
            raise Retry("timeout") from exc
        except httpx.HTTPError as exc:
            raise Retry(f"network error: {type(exc).__name__}") from exc

    def _allowed(self, url: str) -> None:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        hosts = self.source.hosts
        if parts.scheme not in ("https", "http") or not any(under(host, h) for h in hosts):
            raise Unfetchable(f"host not allowed: {host or url[:40]}")

    async def _download(self, url: str, headers: dict[str, str], into: IO[bytes]) -> int:
        """Redirects followed by hand (Twilio answers with one to its CDN): each hop's host
        must be allowed, and credentials never go to another origin."""
        for _ in range(MAX_REDIRECTS + 1):
            self._allowed(url)
            async with self.client.stream("GET", url, headers=headers) as response:
                if response.is_redirect and (to := response.headers.get("location")):
                    url, headers = _redirected(url, to, headers)
                    continue
                check(response)
                return await self._save(response, into)
        raise Unfetchable("too many redirects")

    async def _save(self, response: httpx.Response, into: IO[bytes]) -> int:
        seen = 0
        async for chunk in response.aiter_bytes():
            seen += len(chunk)
            if seen > self.max_bytes:
                raise Unfetchable(f"larger than {self.max_bytes} bytes")
            into.write(chunk)
        return seen


def copy_counter(registry: CollectorRegistry) -> Counter:
    return Counter(
        "hotline_media_copies",
        "Provider media copied into the blob store, by outcome (stored/failed)",
        ["outcome"],
        registry=registry,
    )


def _redirected(url: str, to: str, headers: dict[str, str]) -> tuple[str, dict[str, str]]:
    target = urljoin(url, to)
    same = urlsplit(target)[:2] == urlsplit(url)[:2]
    return target, headers if same else {}


def _chunks(fh: IO[bytes]) -> Iterator[bytes]:
    while chunk := fh.read(SPOOL_BYTES):
        yield chunk
