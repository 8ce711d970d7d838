"""``hotline demo``: one customer (Maria) writes on six channels of the running `make run`
stack, every message through the real edge (signed webhooks, SMTP, the widget's socket with a
signed identity, Slack Events), then the inbox URL where her one conversation is open.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import websockets
from aiosmtplib import SMTP

from hotline_tools.devstack import persona as pe
from hotline_tools.devstack.credentials import (
    DEV_ADMIN_EMAIL,
    DEV_ADMIN_PASSWORD,
    SLACK_TEAM,
    WIDGET_SITE,
    Credentials,
)

AUTHSERV_ID = "mx.loadtest"  # the dev stack trusts this relay's Authentication-Results


@dataclass(frozen=True)
class Ports:
    base: int

    def url(self, n: int) -> str:
        return f"http://127.0.0.1:{self.base + n}"

    @property
    def smtp(self) -> int:
        return self.base + 25


async def send_all(ports: Ports, creds: Credentials, who: pe.Persona, run: str) -> list[str]:
    """Every channel once; returns a line per channel with the edge's answer."""
    now = int(time.time())
    out = [await _email(ports, who, run)]
    social = [
        pe.whatsapp_text(
            who, f"wamid.demo{run}", "Hi, my order #123 is late", creds.meta_app_secret, now
        ),
        pe.sms(
            who,
            f"SMdemo{run}",
            "It is order #123",
            _sms_url(ports),
            creds.twilio_auth_token,
            "+15550001111",
        ),
        pe.telegram_shared_contact(who, int(run, 16) % 10**9, creds.telegram_secret_token, now),
    ]
    out += [await _post(ports.url(3), post) for post in social]
    slack = pe.slack_message(
        who,
        SLACK_TEAM,
        f"{now}.{int(run[:5], 16):06d}",
        "Any news on #123?",
        creds.slack_signing_secret,
        now,
    )
    out.append(await _post(ports.url(2), slack))
    out.append(await _widget(ports, creds, who, run))
    return out


def _sms_url(ports: Ports) -> str:
    return f"{ports.url(3)}/webhooks/sms"


async def _post(base: str, post: pe.Post) -> str:
    async with httpx.AsyncClient(timeout=10) as client:
        r = await client.post(base + post.path, content=post.body, headers=post.headers)
    return f"{post.path}: {r.status_code}"


async def _email(ports: Ports, who: pe.Persona, run: str) -> str:
    msg = pe.email(
        who, f"<demo-{run}@example.test>", "Order #123", "Where is my order?", "help@localhost"
    )
    msg["Authentication-Results"] = (
        f"{AUTHSERV_ID}; dkim=pass header.d=example.test; dmarc=pass header.from=example.test"
    )
    async with SMTP(hostname="127.0.0.1", port=ports.smtp) as smtp:
        _rejected, answer = await smtp.send_message(msg)
    return f"smtp: {answer.split()[0] if answer else 'ok'}"


async def _widget(ports: Ports, creds: Credentials, who: pe.Persona, run: str) -> str:
    token = pe.widget_identity(who, creds.widget_secret)
    url = ports.url(2).replace("http://", "ws://") + "/chat/ws"
    frames = await widget_chat(url, token, f"demo-{run}", "Chatting from your shop now")
    return f"/chat/ws: {frames[-1].get('type')}"


async def widget_chat(url: str, token: str, client_id: str, text: str) -> list[dict[str, Any]]:
    """One message over the widget's socket with a signed identity; the frames it got back
    (welcome, any identity error, then the message's ack or error)."""
    hello = {"type": "hello", "site": WIDGET_SITE, "identity_token": token}
    got: list[dict[str, Any]] = []
    async with websockets.connect(url, open_timeout=10) as ws:
        await ws.send(json.dumps(hello))
        got.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))  # welcome
        await ws.send(json.dumps({"type": "message", "client_id": client_id, "text": text}))
        while got[-1].get("client_id") != client_id:  # its ack, or an error naming it
            got.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))
    return got


def main(base_port: int) -> list[str]:
    ports, creds = Ports(base_port), Credentials.current()
    lines = asyncio.run(send_all(ports, creds, pe.MARIA, uuid.uuid4().hex[:12]))
    inbox = f"{ports.url(4)}/login?next=/inbox  (as {DEV_ADMIN_EMAIL} / {DEV_ADMIN_PASSWORD})"
    return [*lines, f"Maria's conversation, in the inbox: {inbox}"]
