"""Copy Slack files into the blob store with the bot token (edge-side I/O, bounded)."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

import httpx

from chat_gateway.slack.files import FileRef
from hotline.blobs import BlobStore, sha256_hex

log = logging.getLogger(__name__)


class FileCopier:
    def __init__(self, store: BlobStore, hosts: list[str], max_bytes: int, timeout: float) -> None:
        self.store, self.hosts, self.max_bytes = store, set(hosts), max_bytes
        self.client = httpx.AsyncClient(timeout=timeout, follow_redirects=False)
        self.timeout = timeout

    async def copy_all(self, token: str, files: list[FileRef]) -> dict[str, tuple[str, str]]:
        """file id -> (blob ref, sha256) for the files copied within the time budget."""
        wanted = [f for f in files if self._allowed(f)]
        try:
            async with asyncio.timeout(self.timeout):
                got = await asyncio.gather(*(self._copy(token, f) for f in wanted))
        except TimeoutError:
            log.warning("slack file copy timed out", extra={"error": str(len(wanted))})
            return {}
        return {f.file_id: ref for f, ref in zip(wanted, got, strict=True) if ref}

    def _allowed(self, f: FileRef) -> bool:
        ok = urlsplit(f.url).netloc in self.hosts and (f.size or 0) <= self.max_bytes
        if not ok:
            log.warning("slack file not copied", extra={"url": f.url, "reason": "not_allowed"})
        return ok

    async def _copy(self, token: str, f: FileRef) -> tuple[str, str] | None:
        try:
            body = await self._fetch(token, f.url)
        except httpx.HTTPError as exc:
            log.warning("slack file download failed", extra={"url": f.url, "error": repr(exc)})
            return None
        if body is None:
            return None
        ref = await asyncio.to_thread(self.store.put, body)
        return ref, sha256_hex(body)

    async def _fetch(self, token: str, url: str) -> bytes | None:
        """The file's bytes; None on a non-200 answer or past the size cap (stops reading)."""
        headers = {"Authorization": f"Bearer {token}"}
        async with self.client.stream("GET", url, headers=headers) as response:
            if response.status_code != 200:
                log.warning(
                    "slack file refused", extra={"url": url, "status": response.status_code}
                )
                return None
            chunks, seen = [], 0
            async for chunk in response.aiter_bytes():
                seen += len(chunk)
                if seen > self.max_bytes:
                    log.warning("slack file too large", extra={"url": url})
                    return None
                chunks.append(chunk)
            return b"".join(chunks)

    async def close(self) -> None:
        await self.client.aclose()
