"""The whole stack as `make run` starts it (broker + four service processes), with the peers a
test needs beside it: a recorded-response server for the provider APIs (Slack users.info, the
WhatsApp send API), an SMTP server standing in for the outbound relay, and our own DNS server.
Tests talk to it only through the real edges and the agent API."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from aiosmtplib import SMTP

from hotline_tools.devstack import persona as pe
from hotline_tools.devstack.broker import free_port
from hotline_tools.devstack.providers import StandIn
from hotline_tools.devstack.stack import Stack, free_base_port, free_port_pair

TOKEN = "e2e-agent-token"
TENANT = "default"


@dataclass
class Inbox:
    """What the outbound relay received."""

    mails: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        self.mails.append(message_from_bytes(envelope.content))
        return "250 OK"


@contextlib.contextmanager
def relay_sink() -> Any:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@dataclass
class Running:
    stack: Stack

    def url(self, n: int) -> str:
        return f"http://127.0.0.1:{self.stack.base_port + n}"

    async def post(self, n: int, post: pe.Post) -> httpx.Response:
        async with httpx.AsyncClient(timeout=15) as client:
            return await client.post(
                self.url(n) + post.path, content=post.body, headers=post.headers
            )

    async def mail(self, raw: bytes, sender: str, to: str = "help@localhost") -> None:
        async with SMTP(hostname="127.0.0.1", port=self.stack.smtp_port, timeout=15) as smtp:
            await smtp.sendmail(sender, [to], raw)

    async def api(self, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {TOKEN}", **kw.pop("headers", {})}
        url = f"{self.url(4)}/api/tenants/{TENANT}{path}"
        async with httpx.AsyncClient(timeout=15) as client:
            return await client.request(method, url, headers=headers, **kw)

    async def get(self, path: str) -> Any:
        r = await self.api("GET", path)
        assert r.status_code == 200, (path, r.status_code, r.text)
        return r.json()


@contextlib.asynccontextmanager
async def running_stack(env: dict[str, str], providers: StandIn | None) -> AsyncIterator[Running]:
    var = Path(tempfile.mkdtemp(prefix="hotline-e2e-"))
    stack = Stack(
        var,
        free_base_port(),
        free_port_pair(),
        extra_env={"HOTLINE_API_TOKENS": f'{{"{TENANT}": "{TOKEN}"}}', **env},
        providers=providers,
    )
    try:
        await asyncio.to_thread(stack.start)
        yield Running(stack)
    finally:
        await asyncio.to_thread(stack.stop)
        shutil.rmtree(var, ignore_errors=True)


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 30.0) -> Any:
    """The check's first truthy result; its last failure (or result) when time runs out."""
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            last = await check()
            if last:
                return last
        except AssertionError as exc:
            last = exc
        await asyncio.sleep(0.3)
    raise AssertionError(f"not within {timeout}s: {last!r}")
