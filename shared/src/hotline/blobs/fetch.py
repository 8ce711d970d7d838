"""Copy a provider's file into the blob store while the provider's link still works.

One implementation for every edge that stores provider files before it publishes the event
that references them (social media attachments, call recordings). Each file is tried up to
``attempts`` times, with backoff, for what may pass: timeouts, connection errors, 429 and
5xx; all files of one batch share a time ``budget`` (inside the provider's webhook timeout).
What cannot be stored keeps the provider's ref and says why in ``AttachmentRef.fetch_error``
("http 404", "timeout", "larger than N bytes", ...): a failed file is visible, never a gap.

Only hosts in ``hosts`` (by domain suffix) are fetched; redirects are followed by hand, each
hop's host checked, and credentials never go to another origin. A body past ``max_bytes``
is refused while it streams. ``locate`` gives the URL and the request's headers per attempt
(a provider API lookup, or a fresh short-lived token).
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO
from urllib.parse import urljoin, urlsplit

import httpx

from hotline import events as ev
from hotline.blobs.refs import PREFIX, digest_of
from hotline.blobs.store import BlobStore

log = logging.getLogger(__name__)
SPOOL_BYTES = 1024 * 1024
MAX_REDIRECTS = 3
RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
Located = tuple[str, dict[str, str]]  # the file's URL, the headers to GET it with
Locate = Callable[[], Awaitable[Located]]


class Unfetchable(Exception):
    """A failure that will not pass by trying again (404, refused host, too large, ...)."""


class Retry(Exception):
    """A failure that may pass: tried again while attempts and the budget last."""


def check(response: httpx.Response) -> None:
    """Raise for an answer that is not a 200: ``Retry`` if it may pass, else for good."""
    if response.status_code == 200:
        return
    reason = f"http {response.status_code}"
    raise Retry(reason) if response.status_code in RETRY_STATUS else Unfetchable(reason)


def under(host: str, domain: str) -> bool:
    """``host`` is ``domain`` or one of its subdomains."""
    host, domain = host.lower(), domain.lower().lstrip(".")
    return host == domain or host.endswith("." + domain)


@dataclass(frozen=True)
class FetchLimits:
    budget: float  # seconds for one batch, every attempt and backoff included
    attempts: int  # tries per file for what may pass
    max_bytes: int
    hosts: tuple[str, ...]  # the hosts (and their subdomains) files may come from
    backoff: float = 0.25  # seconds before the 2nd try, doubled each time


class BlobFetcher:
    def __init__(self, store: BlobStore, client: httpx.AsyncClient, limits: FetchLimits) -> None:
        self.store, self.client, self.limits = store, client, limits

    async def fetch_all(self, jobs: Sequence[tuple[ev.AttachmentRef, Locate]]) -> list[str]:
        """Store each file not yet stored, in place: ``ref`` becomes the blob's, else
        ``fetch_error`` says why. Returns each file's content type ("" when not stored)."""
        todo = [
            (i, a, locate) for i, (a, locate) in enumerate(jobs) if not a.ref.startswith(PREFIX)
        ]
        types = [""] * len(jobs)
        for _, a, _ in todo:
            a.fetch_error = "timeout"  # until it is stored or fails otherwise

        async def one(i: int, a: ev.AttachmentRef, locate: Locate) -> None:
            types[i] = await self.fetch(a, locate)

        try:
            async with asyncio.timeout(self.limits.budget):
                await asyncio.gather(*(one(*job) for job in todo))
        except TimeoutError:
            pass
        for _, a, _ in todo:
            if a.fetch_error:
                log.warning("file not stored", extra={"ref": a.ref, "error": a.fetch_error})
        return types

    async def fetch(self, a: ev.AttachmentRef, locate: Locate) -> str:
        """One file with its retries; the content type the provider gave ("" on failure)."""
        for attempt in range(self.limits.attempts):
            try:
                ref, size, mime = await self._fetch(locate)
            except Unfetchable as exc:
                a.fetch_error = str(exc)
                return ""
            except Retry as exc:
                a.fetch_error = str(exc)
                if attempt + 1 < self.limits.attempts:
                    await asyncio.sleep(self.limits.backoff * 2**attempt)
                continue
            a.ref, a.sha256, a.size, a.fetch_error = ref, digest_of(ref), size, None
            return mime
        return ""

    async def _fetch(self, locate: Locate) -> tuple[str, int, str]:
        try:
            url, headers = await locate()
            with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as fh:
                size, mime = await self._download(url, headers, fh)
                fh.seek(0)
                ref = await asyncio.to_thread(self.store.put_stream, _chunks(fh))
                return ref, size, mime
        except httpx.TimeoutException as exc:
            raise Retry("timeout") from exc
        except httpx.HTTPError as exc:
            raise Retry(f"network error: {type(exc).__name__}") from exc

    def _allowed(self, url: str) -> None:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        hosts = self.limits.hosts
        if parts.scheme not in ("https", "http") or not any(under(host, h) for h in hosts):
            raise Unfetchable(f"host not allowed: {host or url[:40]}")

    async def _download(
        self, url: str, headers: dict[str, str], into: IO[bytes]
    ) -> tuple[int, str]:
        """Redirects followed by hand (Twilio answers with one to its CDN): each hop's host
        must be allowed, and credentials never go to another origin."""
        for _ in range(MAX_REDIRECTS + 1):
            self._allowed(url)
            async with self.client.stream("GET", url, headers=headers) as response:
                if response.is_redirect and (to := response.headers.get("location")):
                    url, headers = _redirected(url, to, headers)
                    continue
                check(response)
                size = await self._save(response, into)
                return size, response.headers.get("content-type", "").split(";")[0].strip()
        raise Unfetchable("too many redirects")

    async def _save(self, response: httpx.Response, into: IO[bytes]) -> int:
        seen, cap = 0, self.limits.max_bytes
        async for chunk in response.aiter_bytes():
            seen += len(chunk)
            if seen > cap:
                raise Unfetchable(f"larger than {cap} bytes")
            into.write(chunk)
        return seen


def _redirected(url: str, to: str, headers: dict[str, str]) -> tuple[str, dict[str, str]]:
    target = urljoin(url, to)
    same = urlsplit(target)[:2] == urlsplit(url)[:2]
    return target, headers if same else {}


def _chunks(fh: IO[bytes]) -> Iterator[bytes]:
    while chunk := fh.read(SPOOL_BYTES):
        yield chunk
