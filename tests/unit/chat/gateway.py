"""The gateway's settings for tests, and the app driven in this event loop over ASGI (no
server, no broker): HTTP through httpx's ASGI transport, the widget's socket through
``AppSocket``. Unit tests hand the app a ``MemoryPublisher``."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from starlette.types import Message

from chat_gateway.app import create_app
from chat_gateway.settings import ChatSettings, SlackWorkspaceSettings, WidgetSite
from hotline.accounts import Account
from hotline.intake import MemoryPublisher
from tests.unit.chat.slack_fixtures import TEAM

SITE, SITE_SECRET = "demo", "site-secret-7f3a9c-0d1e2f3a4b5c6d7e8f90"  # 32+ bytes: HS256
MEMBERS_SECRET = "members-secret-1-0d1e2f3a4b5c6d7e8f90"
NO_BROKER = "127.0.0.1:9"  # never dialled: the unit tests' app publishes to a MemoryPublisher


def settings_for(kafka: str, slack_api: str = "http://127.0.0.1:9/api/") -> ChatSettings:
    return ChatSettings(
        env="test",
        kafka_bootstrap=kafka,
        tenants={"slack:T0HOTLINE": "acme"},  # T0OTHER: the default tenant
        slack_workspaces={
            TEAM: SlackWorkspaceSettings(
                signing_secret="sig-hotline-0123456789",
                bot_token="xoxb-hotline-1",
                bot_user_id="U0BOT",
                app_id="A0HOTLINE",
                trusted=True,
            ),
            "T0OTHER": SlackWorkspaceSettings(
                signing_secret="sig-other-9876543210", bot_token="xoxb-other-2"
            ),
        },
        widget_sites={
            SITE: WidgetSite(secret=SITE_SECRET, tenant="acme"),
            "locked": WidgetSite(secret="locked-secret-1", origins=["https://shop.example"]),
            "members": WidgetSite(secret=MEMBERS_SECRET, identity_required=True),
        },
        slack_api_base=slack_api,
        replies_group=f"chat-test-{uuid.uuid4().hex[:8]}",
    )


def unit_settings() -> ChatSettings:
    """No broker, no Slack Web API: profile lookups off (they would dial ``slack_api``)."""
    settings = settings_for(NO_BROKER)
    settings.slack_profiles = False
    return settings


def identifier_hash(identifier: str, secret: str = SITE_SECRET) -> str:
    return hmac.new(secret.encode(), identifier.encode(), hashlib.sha256).hexdigest()


def app_on(fake: MemoryPublisher, settings: ChatSettings | None = None) -> FastAPI:
    return create_app(settings or unit_settings(), fake)


def app_with(fake: MemoryPublisher, *managed: Account) -> FastAPI:
    """The unit gateway with ``managed`` put in its registry, as the accounts feed would."""
    app = app_on(fake)
    for account in managed:
        app.state.accounts.put(account)
    return app


def client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://chat")


class SocketClosed(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"{code} {reason}")
        self.code, self.reason = code, reason


class AppSocket:
    """One WebSocket into the app's ``/chat/ws``, as an ASGI server would drive it."""

    def __init__(self, app: FastAPI, origin: str | None = None) -> None:
        self.to_app: asyncio.Queue[Message] = asyncio.Queue()
        self.from_app: asyncio.Queue[Message] = asyncio.Queue()
        headers = [(b"host", b"chat")] + ([(b"origin", origin.encode())] if origin else [])
        scope = {"type": "websocket", "asgi": {"version": "3.0"}, "scheme": "ws",
                 "path": "/chat/ws", "raw_path": b"/chat/ws", "root_path": "",
                 "query_string": b"", "headers": headers, "subprotocols": [],
                 "server": ("chat", 80), "client": ("127.0.0.1", 50000)}  # fmt: skip
        self.task = asyncio.create_task(app(scope, self.to_app.get, self.from_app.put))

    async def connect(self) -> None:
        await self.to_app.put({"type": "websocket.connect"})
        accepted = await self._next()
        assert accepted["type"] == "websocket.accept", accepted

    async def open(self, **hello: object) -> dict[str, Any]:
        """Connect and say hello (``site`` defaults to the demo site); the first answer."""
        await self.connect()
        return await self.say({"type": "hello", "site": SITE, **hello})

    async def send(self, frame: dict[str, object] | str | bytes) -> None:
        if isinstance(frame, bytes):
            await self.to_app.put({"type": "websocket.receive", "bytes": frame})
            return
        text = frame if isinstance(frame, str) else json.dumps(frame)
        await self.to_app.put({"type": "websocket.receive", "text": text})

    async def recv(self) -> dict[str, Any]:
        """The next frame; ``SocketClosed`` when the app closed the socket instead."""
        message = await self._next()
        if message["type"] == "websocket.close":
            raise SocketClosed(message.get("code", 1000), message.get("reason") or "")
        frame: dict[str, Any] = json.loads(message["text"])
        return frame

    async def say(self, frame: dict[str, object] | str | bytes) -> dict[str, Any]:
        await self.send(frame)
        return await self.recv()

    async def message(self, client_id: str, text: str) -> dict[str, Any]:
        return await self.say({"type": "message", "client_id": client_id, "text": text})

    async def close(self) -> None:
        await self.to_app.put({"type": "websocket.disconnect", "code": 1000})
        async with asyncio.timeout(5):
            await self.task

    async def _next(self) -> Message:
        async with asyncio.timeout(5):
            return await self.from_app.get()
