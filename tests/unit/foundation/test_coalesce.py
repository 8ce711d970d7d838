"""One send per loop turn: a response's head and body leave in one write; close and
write_eof send what is pending first; nothing is written after the peer has gone."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from hotline.http.coalesce import Coalescing, CoalescingHttpTools
from hotline.http.serve import uvicorn_options
from hotline.settings import ServiceSettings
from tests.http_helpers import serve_app


class Recorder:
    """A transport that records what reaches it."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.events: list[str] = []
        self.closing = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)
        self.events.append("write")

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True
        self.events.append("close")

    def write_eof(self) -> None:
        self.events.append("eof")

    def abort(self) -> None:
        self.closing = True
        self.events.append("abort")

    def get_write_buffer_size(self) -> int:
        return 7

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 5)}.get(name, default)


def wrap() -> tuple[Coalescing, Recorder]:
    inner = Recorder()
    return Coalescing(inner, asyncio.get_running_loop()), inner  # type: ignore[arg-type]


async def next_turn() -> None:
    await asyncio.sleep(0)
    await asyncio.sleep(0)


async def test_writes_in_one_turn_leave_as_one_write_in_order() -> None:
    t, inner = wrap()
    t.write(b"HTTP/1.1 200 OK\r\n\r\n")
    t.writelines([b"o", bytearray(b"k")])
    assert inner.writes == []
    assert t.get_write_buffer_size() == 7 + 21
    await next_turn()
    assert inner.writes == [b"HTTP/1.1 200 OK\r\n\r\nok"]
    t.write(b"again")
    await next_turn()
    assert inner.writes[1:] == [b"again"]


async def test_close_and_eof_send_what_is_pending_first() -> None:
    t, inner = wrap()
    t.write(b"answer")
    t.close()
    assert inner.events == ["write", "close"]
    assert inner.writes == [b"answer"]
    await next_turn()  # the scheduled flush finds nothing left
    assert inner.writes == [b"answer"]
    t2, inner2 = wrap()
    t2.write(b"last")
    t2.write_eof()
    assert inner2.events == ["write", "eof"]


async def test_abort_drops_and_a_gone_peer_gets_nothing() -> None:
    t, inner = wrap()
    t.write(b"never")
    t.abort()
    await next_turn()
    assert inner.writes == []
    t2, inner2 = wrap()
    t2.write(b"late")
    inner2.closing = True  # the connection was lost before the flush
    await next_turn()
    assert inner2.writes == []


async def test_other_calls_reach_the_wrapped_transport() -> None:
    t, _ = wrap()
    assert t.get_extra_info("peername") == ("127.0.0.1", 5)
    assert t.is_closing() is False


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    body = scope["path"].encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def exchange(port: int, requests: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(requests)
        got = b""
        while chunk := sock.recv(65536):
            got += chunk
        return got


async def test_uvicorn_answers_kept_alive_and_closing_requests_whole() -> None:
    requests = (
        b"GET /first HTTP/1.1\r\nhost: x\r\n\r\n"
        b"GET /second HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
    )
    async with serve_app(app) as url:  # type: ignore[arg-type]  # a bare ASGI app
        got = await asyncio.to_thread(exchange, int(url.rsplit(":", 1)[1]), requests)
    answers = got.split(b"HTTP/1.1 200 OK\r\n")[1:]
    assert len(answers) == 2
    assert answers[0].endswith(b"\r\n\r\n/first")
    assert b"connection: close\r\n" in answers[1]
    assert answers[1].endswith(b"\r\n\r\n/second")  # sent before the close, not lost


def test_every_service_is_served_with_it() -> None:
    options = uvicorn_options(ServiceSettings(port=8123))
    assert options["http"] is CoalescingHttpTools
    assert options["port"] == 8123
