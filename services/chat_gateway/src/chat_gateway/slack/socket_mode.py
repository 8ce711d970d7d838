"""Slack Socket Mode: the same pure pipeline, outcomes and intake as HTTP, over Slack's
WebSocket.

``apps.connections.open`` (app-level token) gives a wss URL; each ``events_api`` envelope is
processed and acknowledged (``{"envelope_id": ...}``) only once the intake accepted it (Kafka
acked, or the poison was dead-lettered); without an ack Slack redelivers it. The connection
itself authenticates Slack, so there is no signature.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import httpx
import msgspec
from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

from chat_gateway.slack.outcome import SlackOutcomes
from chat_gateway.slack.pipeline import parse_verified
from hotline.accounts import AccountRegistry
from hotline.http import Rejected
from hotline.intake import Intake

log = logging.getLogger(__name__)


NO_PAYLOAD = msgspec.Raw(b"null")
SOURCE = "slack:socket_mode"
Send = Callable[[str], Awaitable[None]]  # one text frame to Slack


class SocketEnvelope(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    type: str
    envelope_id: str | None = None
    payload: msgspec.Raw = NO_PAYLOAD
    retry_attempt: int = 0


class SocketModeError(Exception):
    pass


class SocketModeRunner:
    def __init__(
        self, api_base: str, app_token: str, outcomes: SlackOutcomes, intake: Intake
    ) -> None:
        self.api_base, self.app_token = api_base.rstrip("/") + "/", app_token
        self.outcomes, self.intake = outcomes, intake

    @property
    def teams(self) -> list[str]:
        """The workspaces whose account has this app token now (the registry's, per envelope):
        an event of any other team is refused."""
        return self.outcomes.accounts.app_tokens().get(self.app_token, [])

    async def run(self, retry_every: float = 1.0) -> None:
        while True:
            try:
                await self.session(await self.open_url())
            except (httpx.HTTPError, OSError, WebSocketException, SocketModeError) as exc:
                log.warning("socket mode reconnecting", extra={"error": repr(exc)})
                await asyncio.sleep(retry_every)
            except Exception as exc:  # never let the loop die; unacked envelopes come back
                log.exception("socket mode failure", extra={"error": repr(exc)})
                await asyncio.sleep(retry_every)

    async def open_url(self) -> str:
        async with httpx.AsyncClient(base_url=self.api_base, timeout=5.0) as client:
            answer = await client.post(
                "apps.connections.open", headers={"Authorization": f"Bearer {self.app_token}"}
            )
        body = answer.json()
        if not body.get("ok"):
            raise SocketModeError(str(body.get("error", answer.status_code)))
        return str(body["url"])

    async def session(self, url: str) -> None:
        async with connect(url, max_size=2**20) as ws:
            async for raw in ws:
                frame = raw if isinstance(raw, bytes) else raw.encode()
                if not await self.on_frame(ws.send, frame):
                    return

    async def on_frame(self, send: Send, raw: bytes) -> bool:
        """Handle one envelope; False when Slack asks us to reconnect."""
        try:
            env = msgspec.json.decode(raw, type=SocketEnvelope)
        except msgspec.MsgspecError as exc:
            log.warning("socket mode frame refused", extra={"error": str(exc)})
            return True
        if env.type == "disconnect":
            return False
        if env.type != "events_api" or bytes(env.payload) == b"null" or not env.envelope_id:
            if env.envelope_id:
                await ack(send, env.envelope_id)
            return True
        if await self.deliver(bytes(env.payload)):
            await ack(send, env.envelope_id)
        return True

    async def deliver(self, payload: bytes) -> bool:
        """True when Slack may forget the envelope (acked, dead-lettered or refused for good)."""
        received_at = datetime.now(UTC)
        try:
            step = parse_verified(payload, self.teams)
        except Rejected as exc:  # a bad payload will not get better on redelivery
            log.warning(
                "socket mode payload refused", extra={"reason": exc.reason, "status": exc.status}
            )
            return True
        outcome = await self.outcomes.of(step, payload, SOURCE, received_at)
        return (await self.intake.take(outcome)).accepted


class SocketModeFleet:
    """The connections the registry's Slack accounts call for, kept so as it changes: an app
    token new to it (an account added, or rotated to a new token) opens its connection, and
    one no enabled account has any more is closed (its unacked envelopes go to another)."""

    def __init__(self, api_base: str, outcomes: SlackOutcomes, intake: Intake) -> None:
        self.api_base, self.outcomes, self.intake = api_base, outcomes, intake
        self.tasks: dict[str, asyncio.Task[None]] = {}  # by app token

    def follow(self, registry: AccountRegistry) -> None:
        """Open today's connections, then keep them matching every managed change."""
        registry.listen(lambda _before, _after: self.sync())
        self.sync()

    def sync(self) -> None:
        wanted = {r.app_token: r for r in runners_for(self.api_base, self.outcomes, self.intake)}
        for token, runner in wanted.items():
            if token not in self.tasks:
                self.tasks[token] = asyncio.create_task(runner.run())
        for token in self.tasks.keys() - wanted.keys():
            self.tasks.pop(token).cancel()

    async def stop(self) -> None:
        running = list(self.tasks.values())
        self.tasks.clear()
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)


async def ack(send: Send, envelope_id: str) -> None:
    await send(json.dumps({"envelope_id": envelope_id}))


def runners_for(api_base: str, outcomes: SlackOutcomes, intake: Intake) -> list[SocketModeRunner]:
    """One connection per app-level token; it carries the events of every team of that app."""
    tokens = outcomes.accounts.app_tokens()
    return [SocketModeRunner(api_base, token, outcomes, intake) for token in tokens]
