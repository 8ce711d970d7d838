"""/chat/ws (the widget's socket), /chat/widget.js and /chat/demo: transport only."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, HTMLResponse

from chat_gateway.settings import ChatSettings
from chat_gateway.widget.demo import DemoUser, demo_page, mint_demo_token
from chat_gateway.widget.hub import Hub
from chat_gateway.widget.identity_token import TokenRejected
from chat_gateway.widget.normalize import normalize
from chat_gateway.widget.parse import ClientFrame, Hello, Seen, Send, parse_frame
from chat_gateway.widget.sites import Sites
from chat_gateway.widget.verify import Identity, identify, new_visitor_id
from hotline.http import Rejected
from hotline.intake import Intake, Publish
from hotline.intake.intake import UNAVAILABLE
from hotline.metrics import Metrics

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parents[1] / "static"
CLOSE_BAD_REQUEST, CLOSE_UNAUTHORIZED, CLOSE_UNKNOWN = 4400, 4401, 4404
CLOSE_CODES = {401: CLOSE_UNAUTHORIZED, 404: CLOSE_UNKNOWN}


@dataclass
class Session:
    ws: WebSocket
    who: Identity
    tenant: str


class WidgetEdge:
    """Each hello is routed to its site in the registry then (no copy taken at start)."""

    def __init__(
        self, settings: ChatSettings, sites: Sites, hub: Hub, intake: Intake, metrics: Metrics
    ) -> None:
        self.settings, self.sites, self.hub = settings, sites, hub
        self.intake, self.metrics = intake, metrics

    def demo_secret(self, site: str) -> str | None:
        """Only in dev does the gateway sign a demo user in itself (``/chat/demo``)."""
        found = self.sites.find(site) if self.settings.env == "dev" else None
        return found.secrets[0] if found is not None else None

    def frame(self, data: str | bytes) -> ClientFrame:
        return parse_frame(data, self.settings.widget_max_frame, self.settings.widget_max_text)

    async def serve(self, ws: WebSocket) -> None:
        try:
            await self._serve(ws)
        except WebSocketDisconnect as exc:  # dropped mid-frame: the client resends unacked ones
            log.info("widget socket dropped", extra={"status": exc.code})

    async def _serve(self, ws: WebSocket) -> None:
        await ws.accept()
        session = await self.handshake(ws)
        if session is None:
            return
        key = (session.who.site, session.who.visitor_id)
        await ws.send_json(
            {
                "type": "welcome",
                "visitor_id": session.who.visitor_id,
                "visitor_token": session.who.visitor_token,
                "verified": session.who.verified,
            }
        )
        if session.who.rejected is not None:
            self.metrics.rejected.labels("widget_identity_token").inc()
            await ws.send_json(identity_rejected(session.who.rejected))
        await self.hub.attach(key, ws.send_json)
        try:
            while (data := await receive(ws)) is not None:
                if not await self.on_frame(session, data):
                    break
        finally:
            self.hub.detach(key, ws.send_json)

    async def handshake(self, ws: WebSocket) -> Session | None:
        try:
            hello = self.frame(await receive(ws) or b"")
            if not isinstance(hello, Hello):
                raise Rejected(400, "hello_expected", "the first frame must be a hello")
            site = self.sites.route(hello.site)
            if site.origins and ws.headers.get("origin") not in site.origins:
                raise Rejected(401, "origin_not_allowed", str(ws.headers.get("origin")))
            who = identify(hello, site.secrets, new_visitor_id(), time.time())
            if site.identity_required and not who.verified:
                why = f"identity token {who.rejected.reason}; " if who.rejected else ""
                raise Rejected(401, "identity_required", why + "verified users only")
            return Session(ws, who, site.tenant)
        except Rejected as exc:
            await refuse(ws, exc)
            return None

    async def on_frame(self, s: Session, data: str | bytes) -> bool:
        """Answer one frame; False when the socket was closed (its site was removed)."""
        try:
            frame = self.frame(data)
        except Rejected as exc:
            await s.ws.send_json({"type": "error", "error": exc.reason, "detail": exc.detail})
            return True
        if isinstance(frame, Seen):
            self.hub.seen((s.who.site, s.who.visitor_id), frame.reply_ids)
        elif isinstance(frame, Hello):
            await s.ws.send_json({"type": "error", "error": "already_identified"})
        else:
            try:  # a site removed or disabled since the hello takes no more messages
                s.tenant = self.sites.tenant(s.who.site)
            except Rejected as exc:
                await refuse(s.ws, exc)
                return False
            await s.ws.send_json(await self.accept(s, frame))
        return True

    async def accept(self, s: Session, frame: Send) -> dict[str, object]:
        """Hand the event to the intake; the answer frame is the ack (after Kafka's) or, when
        Kafka did not ack, a retry hint (the browser resends the same ``client_id``)."""
        event = normalize(s.tenant, s.who, frame, datetime.now(UTC))
        result = await self.intake.take(Publish([event]))
        if not result.accepted:
            return {"type": "error", "error": UNAVAILABLE, "client_id": frame.client_id,
                    "retry": True}  # fmt: skip
        return {"type": "ack", "client_id": frame.client_id, "event_id": event.event_id}


async def refuse(ws: WebSocket, exc: Rejected) -> None:
    """Say why, then close with the matching 44xx code (4401, 4404; 4400 otherwise)."""
    await ws.send_json({"type": "error", "error": exc.reason, "detail": exc.detail})
    await ws.close(CLOSE_CODES.get(exc.status, CLOSE_BAD_REQUEST), exc.reason)


def identity_rejected(exc: TokenRejected) -> dict[str, object]:
    """Said once after the welcome: the visitor goes on as anonymous, linked to nobody."""
    log.info("widget identity token rejected", extra={"reason": exc.reason})
    return {"type": "error", "error": "identity_rejected", "reason": exc.reason,
            "detail": exc.detail}  # fmt: skip


async def receive(ws: WebSocket) -> str | bytes | None:
    """The next text or binary frame; None when the socket closed."""
    message = await ws.receive()
    if message["type"] == "websocket.disconnect":
        return None
    text: str | None = message.get("text")
    return text if text is not None else bytes(message.get("bytes") or b"")


def add_widget_routes(
    app: FastAPI, settings: ChatSettings, sites: Sites, hub: Hub, intake: Intake
) -> None:
    edge = WidgetEdge(settings, sites, hub, intake, app.state.hotline.metrics)

    @app.websocket("/chat/ws")
    async def chat_ws(ws: WebSocket) -> None:
        await edge.serve(ws)

    @app.get("/chat/widget.js", tags=["widget"])
    async def widget_js() -> FileResponse:
        return FileResponse(STATIC / "widget.js", media_type="text/javascript")

    @app.get("/chat/demo", tags=["widget"])
    async def demo(
        site: str = "demo",
        identifier: str = "",
        identifier_hash: str = "",
        identity_token: str = "",
        demo_user: bool = False,
    ) -> HTMLResponse:
        secret = edge.demo_secret(site) if demo_user else None
        signed_as: DemoUser | None = None
        if secret is not None:
            signed_as = DemoUser()
            identity_token = mint_demo_token(secret, signed_as, time.time())
        return HTMLResponse(demo_page(site, identifier, identifier_hash, identity_token, signed_as))
