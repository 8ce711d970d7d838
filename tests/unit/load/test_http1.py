"""The generator's HTTP/1.1 pool: a stale kept-alive connection is replaced, not reported as a
failed send; a fresh connection that answers nothing is a failure."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest
import uvloop

from hotline_tools.load.http1 import Http1Pool, HttpError, _response, _response_head

OK = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"


@asynccontextmanager
async def server(answer: Callable[[int], str]) -> AsyncIterator[tuple[int, list[int]]]:
    """Reads each request; ``answer(n)`` for the n-th request seen says what to do: "keep"
    (answer, keep the connection), "close" (answer, then close it: a keep-alive timeout) or
    "drop" (close it unanswered)."""
    seen: list[int] = []

    async def conn(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            await reader.readexactly(length)
            seen.append(len(seen))
            what = answer(seen[-1])
            if what != "drop":
                writer.write(OK)
                await writer.drain()
            if what != "keep":
                break
        writer.close()

    srv = await asyncio.start_server(conn, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    try:
        yield port, seen
    finally:
        srv.close()
        await srv.wait_closed()


async def test_a_connection_closed_while_idle_is_replaced() -> None:
    async with server(lambda n: "close" if n == 0 else "keep") as (port, seen):
        pool = Http1Pool("127.0.0.1", port)
        assert await pool.post("/", {}, b"a") == 200
        await asyncio.sleep(0.05)  # the server has closed it by now
        assert len(pool.idle) == 1
        assert await pool.post("/", {}, b"b") == 200
        assert len(seen) == 2 and len(pool.idle) == 1
        pool.close()


async def test_a_server_closing_after_reading_is_retried_once_on_a_new_connection() -> None:
    async with server(lambda n: "drop" if n == 1 else "keep") as (port, seen):  # 2nd: no answer
        pool = Http1Pool("127.0.0.1", port)
        assert await pool.post("/", {}, b"a") == 200
        assert await pool.post("/", {}, b"b") == 200  # sent again on a fresh connection
        assert seen == [0, 1, 2]
        pool.close()


async def test_no_answer_on_a_fresh_connection_is_a_failure() -> None:
    async with server(lambda n: "drop") as (port, seen):
        pool = Http1Pool("127.0.0.1", port)
        with pytest.raises(HttpError, match="StaleConnection"):
            await pool.post("/", {}, b"a")
        assert seen == [0] and pool.idle == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (OK[: OK.index(b"\r\n\r\n") + 4], (200, 2, True, False)),
        (b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n", (503, 0, False, False)),
        (
            b"HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\nX-A: b:c\r\n\r\n",
            (202, 0, True, True),
        ),
    ],
)
def test_response_head_is_read_in_one_piece(
    raw: bytes, expected: tuple[int, int, bool, bool]
) -> None:
    assert _response_head(raw) == expected


async def test_a_chunked_answer_is_read_to_its_end_and_the_connection_kept() -> None:
    chunked = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"

    async def conn(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for _ in range(2):
            await reader.readuntil(b"\r\n\r\n")
            await reader.readexactly(1)
            writer.write(chunked)
        writer.close()

    srv = await asyncio.start_server(conn, "127.0.0.1", 0)
    pool = Http1Pool("127.0.0.1", srv.sockets[0].getsockname()[1])
    assert [await pool.post("/", {"X-T": "1"}, b"a") for _ in range(2)] == [200, 200]
    assert len(pool.idle) == 1  # the same connection served both
    pool.close()
    srv.close()


async def test_an_answer_arriving_in_pieces_is_read_whole() -> None:
    chunked = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"
    pieces = [chunked[:10], chunked[10:50], chunked[50:55], chunked[55:]]

    async def conn(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await reader.readexactly(1)
        for piece in pieces:
            writer.write(piece)
            await writer.drain()
            await asyncio.sleep(0.01)
        await reader.read()  # until the client closes

    srv = await asyncio.start_server(conn, "127.0.0.1", 0)
    pool = Http1Pool("127.0.0.1", srv.sockets[0].getsockname()[1])
    assert await pool.post("/", {}, b"a") == 200
    assert len(pool.idle) == 1 and pool.idle[0].buffer == b""
    pool.close()
    srv.close()


@pytest.mark.parametrize(
    ("raw", "complete"),
    [
        (OK, (200, True, len(OK))),
        (OK[:-1], None),
        (OK + b"HTTP/1.1", (200, True, len(OK))),  # the next answer's bytes are not used
        (b"HTTP/1.1 204 No Content\r\n\r\n", (204, True, 27)),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n", None),
    ],
)
def test_a_response_is_complete_only_when_all_its_bytes_are_there(
    raw: bytes, complete: tuple[int, bool, int] | None
) -> None:
    assert _response(bytearray(raw)) == complete


@pytest.mark.parametrize(
    "head", [b"HTTP/1.1\r\n\r\n", b"SSH-2.0-x 200\r\n\r\n", b"HTTP/1.1 OK\r\n\r\n"]
)
async def test_a_malformed_status_line_fails_the_send_at_once(head: bytes) -> None:
    async def conn(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(head)
        await reader.read()

    srv = await asyncio.start_server(conn, "127.0.0.1", 0)
    pool = Http1Pool("127.0.0.1", srv.sockets[0].getsockname()[1])
    started = asyncio.get_running_loop().time()
    with pytest.raises(HttpError, match="ValueError"):
        await pool.post("/", {}, b"a", timeout=5.0)
    assert asyncio.get_running_loop().time() - started < 2.5  # not left to its timeout
    assert pool.idle == []
    srv.close()


async def test_a_server_that_never_answers_times_out() -> None:
    async def conn(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()

    srv = await asyncio.start_server(conn, "127.0.0.1", 0)
    pool = Http1Pool("127.0.0.1", srv.sockets[0].getsockname()[1])
    with pytest.raises(HttpError, match="TimeoutError"):
        await pool.post("/", {}, b"a", timeout=0.1)
    assert pool.idle == []
    srv.close()


def test_the_pool_works_on_uvloop_as_the_generator_runs_it() -> None:
    async def exchange() -> list[int]:
        async def conn(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            for _ in range(2):
                await reader.readuntil(b"\r\n\r\n")
                await reader.readexactly(1)
                writer.write(OK)
            await reader.read()

        srv = await asyncio.start_server(conn, "127.0.0.1", 0)
        pool = Http1Pool("127.0.0.1", srv.sockets[0].getsockname()[1])
        statuses = [await pool.post("/", {}, b"a") for _ in range(2)]
        pool.close()
        srv.close()
        return statuses

    assert uvloop.run(exchange()) == [200, 200]
