"""Customers writing in through the real edges, for the workspace's browser tests.

Issue 23's "done means" tests feed customer content only the way a customer's does: correctly
signed WhatsApp Cloud webhooks into social_ingest, mail over SMTP into email_ingest,
the widget's socket into chat_gateway. Each edge is its own ``create_app(settings)`` served on
a loopback port in the test session's loop and its real broker — started once per session
(email_ingest once per mailbox, on first use) and shared by every module.

Phone calls come in as signed Twilio Voice callbacks and PBX CTI events into the voice edge
(``callers.py``), its recordings copied into the session's blob store.

Each test tenant is a slot of channel accounts mapped to it in the edges' tenancy settings
(``edges.py``): a WhatsApp phone number id, a Twilio account, a PBX's CTI account, a widget
site and a mailbox.
``customers.tenant()`` hands out a fresh one.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Any

import httpx
import jwt
import msgspec
import pytest
import websockets
from aiosmtplib import SMTP

from chat_gateway.app import create_app as chat_app
from email_ingest.app import create_app as email_app
from hotline_tools.devstack.broker import free_port
from social_ingest.app import create_app as social_app
from tests.e2e.workspace.callers import Callback, cti_request, twilio_request
from tests.e2e.workspace.edges import (
    META_SECRET,
    RELAY,
    VOICE_TOKEN,
    Slot,
    chat_settings,
    email_settings,
    pbx_accounts,
    served_on,
    slots,
    social_settings,
    voice_settings,
)
from voice.app import create_app as voice_app


@dataclass(frozen=True)
class Visitor:
    """A widget visitor as the gateway's welcome named her (pass it back to write again)."""

    visitor_id: str
    visitor_token: str
    provider_message_id: str  # of the message just sent


@dataclass
class Customers:
    """The edges, and a customer's ways of writing in through them."""

    kafka: str
    slots: dict[str, Slot]
    social: str  # social_ingest's base URL
    chat: str  # chat_gateway's base URL
    voice: str  # the voice edge's base URL
    twilio_voice_url: str  # the public URL Twilio signs its callbacks over
    blob_dir: Path  # the blob store of email_ingest and the voice edge
    stack: contextlib.AsyncExitStack
    handed: set[str] = field(default_factory=set)
    mailrooms: dict[str, int] = field(default_factory=dict)  # tenant -> its SMTP port

    def tenant(self) -> str:
        """A tenant no other test has used this session, its accounts mapped at every edge."""
        free = [t for t in self.slots if t not in self.handed]
        assert free, f"all {len(self.slots)} test tenants handed out: raise edges.SLOTS"
        self.handed.add(free[0])
        return free[0]

    def slot(self, tenant: str) -> Slot:
        assert tenant in self.slots, f"{tenant} is not a tenant of customers.tenant()"
        return self.slots[tenant]

    # WhatsApp Cloud API (social_ingest)

    async def whatsapp(
        self, tenant: str, phone: str, text: str, *, name: str | None = None,
        wamid: str | None = None, at: datetime | None = None,
    ) -> str:  # fmt: skip
        """A text from ``phone`` (E.164) with its profile ``name``; ``at``: the provider's own
        timestamp (default now). The message's wamid."""
        text_message = {"type": "text", "text": {"body": text}}
        return await self.whatsapp_message(
            tenant, phone, text_message, name=name, wamid=wamid, at=at
        )

    async def whatsapp_message(
        self, tenant: str, phone: str, message: dict[str, Any], *, name: str | None = None,
        wamid: str | None = None, at: datetime | None = None,
    ) -> str:  # fmt: skip
        """Any Cloud API message (``type`` and its object: a document, an image, ...)."""
        wamid = wamid or "wamid." + uuid.uuid4().hex
        await self._whatsapp(tenant, phone, wamid, message, name, at)
        return wamid

    async def whatsapp_edit(self, tenant: str, phone: str, target: str, text: str) -> str:
        """The customer edits her message ``target`` (Cloud API ``edit`` message)."""
        body = {"type": "text", "text": {"body": text}}
        edit = {"original_message_id": target, "message": body}
        return await self._whatsapp_effect(tenant, phone, {"type": "edit", "edit": edit})

    async def whatsapp_delete(self, tenant: str, phone: str, target: str) -> str:
        """The customer deletes her message ``target`` for everyone (``revoke``)."""
        revoke = {"original_message_id": target}
        return await self._whatsapp_effect(tenant, phone, {"type": "revoke", "revoke": revoke})

    async def whatsapp_reaction(self, tenant: str, phone: str, target: str, emoji: str) -> str:
        reaction = {"message_id": target, "emoji": emoji}
        return await self._whatsapp_effect(
            tenant, phone, {"type": "reaction", "reaction": reaction}
        )

    async def _whatsapp_effect(self, tenant: str, phone: str, message: dict[str, Any]) -> str:
        wamid = "wamid." + uuid.uuid4().hex
        await self._whatsapp(tenant, phone, wamid, message, None, None)
        return wamid

    async def _whatsapp(
        self, tenant: str, phone: str, wamid: str, message: dict[str, Any],
        name: str | None, at: datetime | None,
    ) -> None:  # fmt: skip
        number = self.slot(tenant).phone_number_id
        body = whatsapp_webhook(number, phone, {"id": wamid, **message}, name=name, at=at)
        await self._post(self.social, "/webhooks/whatsapp", body, meta_signed(body, META_SECRET))

    # the widget's socket (chat_gateway)

    async def widget(
        self, tenant: str, text: str, *, visitor: Visitor | None = None,
        identity_token: str | None = None,
    ) -> Visitor:  # fmt: skip
        """One message over the widget's socket: an anonymous visitor (a new one, or
        ``visitor`` again), or the user the site signed in ``identity_token``."""
        site = self.slot(tenant).site
        return await widget_message(self.chat, site, text, visitor, identity_token)

    def site_identity(
        self, tenant: str, sub: str, *, email: str | None = None, name: str | None = None,
        phone: str | None = None,
    ) -> str:  # fmt: skip
        """The host site's signed identity of its user ``sub`` for the widget (HS256 JWT with
        the site's secret, as ``persona.widget_identity``)."""
        now = int(time.time())
        claims: dict[str, str | int | None] = {"sub": sub, "email": email, "phone": phone}
        claims |= {"name": name, "iat": now, "exp": now + 3600}
        secret = self.slot(tenant).site_secret
        return jwt.encode({k: v for k, v in claims.items() if v is not None}, secret, "HS256")

    # phone calls (voice)

    async def twilio_voice(self, callback: Callback) -> None:
        """One Twilio Voice callback, signed, to the voice edge; fails unless it is acked."""
        url, body, headers = twilio_request(self.twilio_voice_url, VOICE_TOKEN, callback)
        await self._post(self.voice, url.removeprefix(self.voice), body, headers)

    async def pbx(self, tenant: str, fields: dict[str, str]) -> None:
        """One CTI event of the tenant's PBX (Zammad's fields: event, callId, from, ...)."""
        await self._post(self.voice, *cti_request(self.slot(tenant), fields))

    # mail over SMTP (email_ingest)

    async def mail(
        self, tenant: str, from_addr: str, subject: str, text: str, *, name: str | None = None,
        message_id: str | None = None, in_reply_to: str | None = None,
        at: datetime | None = None, authenticated: bool = True,
    ) -> str:  # fmt: skip
        """A plain-text mail to the tenant's mailbox over SMTP; ``at``: its Date header;
        ``authenticated``: a trusted relay's DMARC pass for the From domain (the sender is
        ``dmarc_aligned``), else nothing vouches for it. The mail's Message-ID."""
        message_id = message_id or f"<{uuid.uuid4().hex}@{from_addr.rpartition('@')[2]}>"
        slot = self.slot(tenant)
        msg = EmailMessage()
        if authenticated:
            domain = from_addr.rpartition("@")[2]
            msg["Authentication-Results"] = f"{RELAY}; dmarc=pass header.from={domain}"
        msg["From"] = formataddr((name, from_addr)) if name else from_addr
        msg["To"] = slot.mailbox
        msg["Subject"] = subject
        msg["Message-ID"] = message_id
        if in_reply_to:
            msg["In-Reply-To"] = msg["References"] = in_reply_to
        msg["Date"] = format_datetime(at or datetime.now(UTC))
        msg.set_content(text + "\n")
        await self.send_mail(tenant, from_addr, msg.as_bytes())
        return message_id

    async def send_mail(self, tenant: str, from_addr: str, raw: bytes) -> None:
        """Any mail (as bytes) over SMTP to the tenant's mailbox."""
        slot = self.slot(tenant)
        port = await self._mailroom(slot)
        async with SMTP(hostname="127.0.0.1", port=port, timeout=15) as smtp:
            await smtp.sendmail(from_addr, [slot.mailbox], raw)

    async def _mailroom(self, slot: Slot) -> int:
        """The tenant's email_ingest (one mailbox per service), started on its first mail."""
        if slot.tenant not in self.mailrooms:
            settings = email_settings(self.kafka, slot, self.blob_dir)
            await served_on(email_app(settings, workers=[]), self.stack)
            self.mailrooms[slot.tenant] = settings.smtp_port
        return self.mailrooms[slot.tenant]

    async def _post(self, base: str, path: str, body: bytes, headers: dict[str, str]) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=15) as client:
            r = await client.post(path, content=body, headers=headers)
        assert r.status_code == 200, f"{path}: {r.status_code} {r.text}"


async def frame(ws: websockets.ClientConnection) -> dict[str, Any]:
    got: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 10))
    return got


def whatsapp_webhook(
    phone_number_id: str, phone: str, message: dict[str, Any], *, name: str | None = None,
    at: datetime | None = None,
) -> bytes:  # fmt: skip
    """A Cloud API webhook body: ``message`` (its ``id`` and ``type`` object) from ``phone``
    (E.164, with her profile ``name``) to our number ``phone_number_id``; ``at``: the
    provider's own timestamp (default now)."""
    wa_id = phone.removeprefix("+")
    stamp = int((at or datetime.now(UTC)).timestamp())
    message = {"from": wa_id, "timestamp": str(stamp), **message}
    metadata = {"display_phone_number": "15550001111", "phone_number_id": phone_number_id}
    value: dict[str, Any] = {"messaging_product": "whatsapp", "metadata": metadata}
    if name is not None:
        value["contacts"] = [{"profile": {"name": name}, "wa_id": wa_id}]
    value["messages"] = [message]
    change = {"value": value, "field": "messages"}
    doc = {"object": "whatsapp_business_account", "entry": [{"id": "W1", "changes": [change]}]}
    return msgspec.json.encode(doc)


def meta_signed(body: bytes, app_secret: str) -> dict[str, str]:
    """The headers of a Meta webhook POST of ``body`` signed with ``app_secret``."""
    sig = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={sig}", "Content-Type": "application/json"}


async def widget_message(
    chat: str, site: str, text: str, visitor: Visitor | None = None,
    identity_token: str | None = None,
) -> Visitor:  # fmt: skip
    """One message over the widget's socket at ``chat`` (the gateway's base URL) to ``site``:
    an anonymous visitor (a new one, or ``visitor`` again), or the user the site signed in
    ``identity_token``; fails unless the gateway acks it."""
    hello: dict[str, Any] = {"type": "hello", "site": site}
    if visitor is not None:
        hello |= {"visitor_id": visitor.visitor_id, "visitor_token": visitor.visitor_token}
    if identity_token is not None:
        hello["identity_token"] = identity_token
    url = chat.replace("http://", "ws://") + "/chat/ws"
    client_id = uuid.uuid4().hex
    async with websockets.connect(url, open_timeout=10) as ws:
        await ws.send(json.dumps(hello))
        welcome = await frame(ws)
        assert welcome.get("type") == "welcome", welcome
        await ws.send(json.dumps({"type": "message", "client_id": client_id, "text": text}))
        answer = await frame(ws)
        while answer.get("client_id") != client_id:  # its ack, or an error naming it
            answer = await frame(ws)
    assert answer.get("type") == "ack", answer
    visitor_id = welcome["visitor_id"]
    return Visitor(visitor_id, welcome["visitor_token"], f"{visitor_id}:{client_id}")


@pytest.fixture(scope="session")
async def customers(kafka: str) -> AsyncIterator[Customers]:
    """The four edges on the session's broker, once; customers writing in through them."""
    all_slots = slots()
    async with contextlib.AsyncExitStack() as stack:
        port = free_port()
        social = await served_on(social_app(social_settings(kafka, port, all_slots)), stack, port)
        chat = await served_on(chat_app(chat_settings(kafka, all_slots)), stack)
        blobs = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="customers-")))
        phones = voice_settings(kafka, free_port(), all_slots, blobs)
        voice_edge = voice_app(phones)
        pbx_accounts(voice_edge.state.accounts, all_slots)
        voice = await served_on(voice_edge, stack, phones.port)
        yield Customers(
            kafka, all_slots, social, chat, voice, phones.twilio_webhook_url, blobs, stack
        )
