"""A lean HTTP/1.1 client for the load generator: a keep-alive connection pool of asyncio
protocols. (httpx's pool does work per queued request on every state change, which turns
quadratic when thousands of retries queue up against a killed service; asyncio streams cost a
third of the generator's CPU at 3,000 sends/s. The generator shares the cores with the services
it measures, so it must stay cheap and predictable, especially while a drill has a target
down.)"""

from __future__ import annotations

import asyncio
from typing import cast


class HttpError(OSError):
    pass


class StaleConnection(Exception):
    """EOF before the first byte of a response on a kept-alive connection: mostly the server
    closed it while it sat idle (its keep-alive timeout). A server killed mid-request looks the
    same; sending again is safe there too, as every webhook is idempotent (deterministic ids)."""


class IncompleteResponse(Exception):
    """EOF in the middle of a response."""


FAILURES = (OSError, TimeoutError, ValueError, StaleConnection, IncompleteResponse)


class Connection(asyncio.Protocol):
    """One keep-alive connection: one request at a time, its answer parsed as bytes arrive."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.buffer = bytearray()
        self.waiter: asyncio.Future[tuple[int, bool]] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.waiter is None or self.waiter.done():
            return
        try:
            answer = _response(self.buffer)
        except ValueError as exc:
            self.waiter.set_exception(exc)
            return
        if answer is not None:
            status, keep, used = answer
            del self.buffer[:used]
            self.waiter.set_result((status, keep))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(IncompleteResponse() if self.buffer else StaleConnection())

    async def exchange(self, request: bytes, timeout: float) -> tuple[int, bool]:
        """(status, keep-alive) of the answer to ``request``."""
        if self.closed or self.transport is None:
            raise StaleConnection
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[tuple[int, bool]] = loop.create_future()
        self.waiter = waiter
        self.buffer.clear()
        self.transport.write(request)
        timer = loop.call_later(timeout, _expire, waiter)
        try:
            return await waiter
        finally:
            timer.cancel()
            self.waiter = None

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


def _expire(waiter: asyncio.Future[tuple[int, bool]]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError("no answer in time"))


class Http1Pool:
    def __init__(self, host: str, port: int, max_connections: int = 256) -> None:
        self.host, self.port = host, port
        self.idle: list[Connection] = []
        self.slots = asyncio.Semaphore(max_connections)

    async def post(
        self, path: str, headers: dict[str, str], body: bytes, timeout: float = 30.0
    ) -> int:
        """The status of one POST. Like urllib3 and httpx, a request that meets a stale idle
        connection is sent once more on a new one (not counted as a failed attempt)."""
        request = self._request(path, headers, body)
        async with self.slots:
            if self.idle:
                try:
                    return await self._send(self.idle.pop(), request, timeout)
                except StaleConnection:
                    pass
            return await self._send(None, request, timeout)

    def _request(self, path: str, headers: dict[str, str], body: bytes) -> bytes:
        head = f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
        head += f"Content-Length: {len(body)}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        return (head + "\r\n").encode() + body

    async def _send(self, idle: Connection | None, request: bytes, timeout: float) -> int:
        conn = idle
        try:
            if conn is None:
                conn = await asyncio.wait_for(self._connect(), timeout)
            status, keep = await conn.exchange(request, timeout)
        except FAILURES as e:
            if conn:
                conn.close()
            reused = idle is not None
            if reused and isinstance(e, (StaleConnection, ConnectionResetError, BrokenPipeError)):
                raise StaleConnection from e
            raise HttpError(f"{type(e).__name__}: {e}") from e
        if keep:
            self.idle.append(conn)
        else:
            conn.close()
        return status

    async def _connect(self) -> Connection:
        loop = asyncio.get_running_loop()
        _, conn = await loop.create_connection(Connection, self.host, self.port)
        return conn

    def close(self) -> None:
        for conn in self.idle:
            conn.close()
        self.idle.clear()


def _response(buffer: bytearray) -> tuple[int, bool, int] | None:
    """(status, keep-alive, bytes used) of the whole response at the start of ``buffer``, or
    None while it is incomplete."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    status, length, keep, chunked = _response_head(bytes(buffer[: end + 4]))
    used = _chunked_end(buffer, end + 4) if chunked else end + 4 + length
    if used is None or used > len(buffer):
        return None
    return status, keep, used


def _chunked_end(buffer: bytearray, at: int) -> int | None:
    """Where a chunked body starting at ``at`` ends (after its trailer), or None if it has not
    all arrived."""
    while (eol := buffer.find(b"\r\n", at)) >= 0:
        size = int(bytes(buffer[at:eol]).split(b";")[0].strip(), 16)
        if size == 0:
            end = buffer.find(b"\r\n\r\n", eol)  # trailers (mostly none) up to an empty line
            return None if end < 0 else end + 4
        at = eol + 2 + size + 2
    return None


def _response_head(raw: bytes) -> tuple[int, int, bool, bool]:
    """(status, content length, keep-alive, chunked) of a response head."""
    first, *lines = raw.decode("latin-1").split("\r\n")
    parts = first.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/"):
        raise ValueError(f"not an HTTP status line: {first[:40]!r}")
    status, length, keep, chunked = int(parts[1]), 0, True, False
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
