"""A lean HTTP/1.1 client for the load generator: a keep-alive connection pool over asyncio
streams. (httpx's pool does work per queued request on every state change, which turns
quadratic when thousands of retries queue up against a killed service — the generator must stay
cheap and predictable, especially while a drill has a target down.)"""

from __future__ import annotations

import asyncio


class HttpError(OSError):
    pass


class StaleConnection(Exception):
    """EOF before the first byte of a response on a kept-alive connection: mostly the server
    closed it while it sat idle (its keep-alive timeout). A server killed mid-request looks the
    same; sending again is safe there too, as every webhook is idempotent (deterministic ids)."""


FAILURES = (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError, StaleConnection)


class Http1Pool:
    def __init__(self, host: str, port: int, max_connections: int = 256) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.slots = asyncio.Semaphore(max_connections)

    async def post(
        self, path: str, headers: dict[str, str], body: bytes, timeout: float = 30.0
    ) -> int:
        """The status of one POST. Like urllib3 and httpx, a request that meets a stale idle
        connection is sent once more on a new one (not counted as a failed attempt)."""
        async with self.slots:
            if self.idle:
                try:
                    return await self._send(self.idle.pop(), path, headers, body, timeout)
                except StaleConnection:
                    pass
            return await self._send(None, path, headers, body, timeout)

    async def _send(
        self,
        conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None,
        path: str,
        headers: dict[str, str],
        body: bytes,
        timeout: float,
    ) -> int:
        reused = conn is not None
        try:
            async with asyncio.timeout(timeout):
                conn = conn or await asyncio.open_connection(self.host, self.port)
                status, keep = await self._exchange(conn, path, headers, body)
        except FAILURES as e:
            if conn:
                conn[1].close()
            if reused and isinstance(e, (StaleConnection, ConnectionResetError, BrokenPipeError)):
                raise StaleConnection from e
            raise HttpError(f"{type(e).__name__}: {e}") from e
        if keep:
            self.idle.append(conn)
        else:
            conn[1].close()
        return status

    async def _exchange(
        self,
        conn: tuple[asyncio.StreamReader, asyncio.StreamWriter],
        path: str,
        headers: dict[str, str],
        body: bytes,
    ) -> tuple[int, bool]:
        reader, writer = conn
        head = f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
        head += f"Content-Length: {len(body)}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        writer.write((head + "\r\n").encode() + body)
        await writer.drain()
        try:  # the whole response head in one read (a handful of short lines)
            raw = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as exc:
            if exc.partial:
                raise
            raise StaleConnection from exc
        status, length, keep, chunked = _response_head(raw)
        await (self._skip_chunked(reader) if chunked else reader.readexactly(length))
        return status, keep

    async def _skip_chunked(self, reader: asyncio.StreamReader) -> None:
        while size := int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readuntil(b"\r\n")

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()


def _response_head(raw: bytes) -> tuple[int, int, bool, bool]:
    """(status, content length, keep-alive, chunked) of a response head."""
    first, *lines = raw.decode("latin-1").split("\r\n")
    status, length, keep, chunked = int(first.split(" ", 2)[1]), 0, True, False
    for line in lines:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection":
            keep = value != "close"
        elif name == "transfer-encoding":
            chunked = "chunked" in value
    return status, length, keep, chunked
