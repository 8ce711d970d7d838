"""The channel-accounts stack of ``test_channel_accounts.py``, in the test's event loop on the
session's broker: the unifier (SQLite, its outbox relay in-process) whose admin API is the only
way accounts are managed, the three edges following the account feed (no account of their own:
every one comes from the API), and a private Dovecot for the mailboxes.

Traffic goes in only as a provider's would: signed WhatsApp Cloud webhooks, signed Slack Events
API requests, the widget's socket, mail in an IMAP mailbox. ``Ledger`` keeps what each edge
acknowledged, to be compared with what is on the inbound topics."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
import websockets
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

from chat_gateway.app import create_app as chat_app
from chat_gateway.settings import ChatSettings
from email_ingest.app import create_app as email_app
from email_ingest.app import imap_worker
from email_ingest.settings import EmailSettings
from hotline import events as ev
from hotline.topics import INBOUND_CHAT, INBOUND_EMAIL, INBOUND_SOCIAL
from social_ingest.app import create_app as social_app
from social_ingest.settings import SocialSettings
from tests.e2e.workspace.customers import frame, meta_signed, whatsapp_webhook, widget_message
from tests.e2e.workspace.edges import served_on
from tests.integration.chat.harness import read_new
from tests.integration.email.dovecot import Dovecot, running_dovecot
from tests.integration.unifier.harness import CHANNEL_KEY, settings_for
from tests.integration.unifier.server import serving
from tests.kafka_helpers import end_offsets
from tests.unit.chat.slack_fixtures import load, signed_headers
from unifier.entrypoints.app import create_app as unifier_app
from unifier.entrypoints.runtime import TOPICS
from unifier.settings import UnifierSettings
from unifier.store.engine import create_engine, migrate
from unifier.store.offsets import write_offsets
from unifier.store.schema import messages

INBOUND = (INBOUND_SOCIAL, INBOUND_CHAT, INBOUND_EMAIL)
POLL_S = 0.1  # how often a condition is looked at again


async def until_true(check: Any, timeout: float = 15.0, what: str = "condition") -> None:
    """Await ``check()`` every POLL_S until it is true (fails past ``timeout``)."""
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, f"{what}: not reached in {timeout} s"
        await asyncio.sleep(POLL_S)


@dataclass
class Admin:
    """The unifier's admin API, each tenant with its configured integration token."""

    client: httpx.AsyncClient

    async def call(self, tenant: str, method: str, path: str = "", body: Any = None) -> Any:
        url = f"/api/tenants/{tenant}/channel-accounts{path}"
        headers = {"Authorization": f"Bearer tok-{tenant}"}
        res = await self.client.request(method, url, json=body, headers=headers)
        assert res.status_code in (200, 201, 204), f"{method} {url}: {res.text}"
        return res.json() if res.content else None


@dataclass
class Ledger:
    """What the edges acknowledged: (tenant, provider message id) once per accepted message."""

    acked: list[tuple[str, str]] = field(default_factory=list)

    def add(self, tenant: str, provider_id: str) -> None:
        self.acked.append((tenant, provider_id))

    def expected(self) -> Counter[tuple[str, str]]:
        return Counter(self.acked)


@dataclass
class Stack:
    kafka: str
    admin: Admin
    social: str  # social_ingest's base URL
    chat: str  # chat_gateway's base URL
    dovecot: Dovecot
    http: httpx.AsyncClient
    store: AsyncEngine  # the unifier's database, read to see what it stored
    ledger: Ledger = field(default_factory=Ledger)

    # WhatsApp Cloud API webhooks (social_ingest)

    async def whatsapp(self, number: str, app_secret: str) -> tuple[int, str]:
        """A text to our number ``number``, signed with ``app_secret``: (status, wamid)."""
        wamid = "wamid." + uuid.uuid4().hex
        text = {"id": wamid, "type": "text", "text": {"body": f"hello {wamid[-6:]}"}}
        body = whatsapp_webhook(number, "+15550100200", text)
        res = await self.http.post(
            self.social + "/webhooks/whatsapp", content=body, headers=meta_signed(body, app_secret)
        )
        return res.status_code, wamid

    # Slack Events API (chat_gateway)

    async def slack(self, team: str, signing_secret: str) -> tuple[int, str]:
        """A channel message in workspace ``team``, signed with ``signing_secret``:
        (status, its provider message id)."""
        ts = f"{time.time():.6f}"
        doc = json.loads(load("message"))
        doc |= {"team_id": team, "event_id": "Ev" + uuid.uuid4().hex[:12].upper()}
        doc["authorizations"][0]["team_id"] = team
        doc["event"] |= {"team": team, "ts": ts, "event_ts": ts}
        body = json.dumps(doc).encode()
        headers = signed_headers(body, int(time.time()), signing_secret)
        res = await self.http.post(self.chat + "/slack/events", content=body, headers=headers)
        return res.status_code, f"{doc['event']['channel']}:{ts}"

    # the widget's socket (chat_gateway)

    async def widget(self, site: str) -> str:
        """One message from a new visitor of ``site`` (acked, else it fails): its id."""
        return (await widget_message(self.chat, site, "hi from the widget")).provider_message_id

    async def widget_hello(self, site: str) -> tuple[str, int | None]:
        """A visitor's hello to ``site``: ("welcome", None), or the gateway's error and the
        code it closed the socket with."""
        url = self.chat.replace("http://", "ws://") + "/chat/ws"
        async with websockets.connect(url, open_timeout=10) as ws:
            await ws.send(json.dumps({"type": "hello", "site": site}))
            said = await frame(ws)
            if said.get("type") == "welcome":
                return "welcome", None
            with contextlib.suppress(websockets.ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 10)
            return str(said.get("error")), ws.close_code

    # what reached the inbound topics

    async def offsets(self) -> dict[Any, int]:
        return await end_offsets(self.kafka, *INBOUND)

    async def produced(self, since: dict[Any, int]) -> Counter[tuple[str, str]]:
        """Every event on the inbound topics since the offsets ``since``, as (tenant, its
        provider message id), or (tenant, its type) if it is no message."""
        records = await read_new(self.kafka, since, await self.offsets())
        return Counter(seen(ev.decode(r.value or b"")) for r in records)

    async def stored(self, tenants: list[str]) -> Counter[tuple[str, str]]:
        """The messages of ``tenants`` in the unifier's store: (tenant, provider message id)."""
        query = sa.select(messages.c.tenant, messages.c.provider_message_id)
        async with self.store.connect() as conn:
            rows = await conn.execute(query.where(messages.c.tenant.in_(tenants)))
        return Counter((r.tenant, r.provider_message_id) for r in rows)


def seen(event: ev.Event) -> tuple[str, str]:
    if isinstance(event, ev.MessageReceived):
        return event.tenant, event.provider_message_id
    return event.tenant, type(event).__name__


def edge_settings(kafka: str, work: Path) -> tuple[SocialSettings, ChatSettings, EmailSettings]:
    """The edges' settings: no channel account of their own (``env=test`` leaves the
    placeholder secrets unset), the feed opened with the unifier's key."""
    key = SecretStr(CHANNEL_KEY)
    common: dict[str, Any] = {
        "env": "test", "kafka_bootstrap": kafka, "channel_secrets_key": key, "ack_timeout": 5.0,
    }  # fmt: skip
    social = SocialSettings(**common, replies_enabled=False)
    chat = ChatSettings(**common, slack_profiles=False, replies_enabled=False)
    email = EmailSettings(
        **common, smtp_enabled=False, blob_dir=work / "blobs", imap_checkpoint_dir=work / "imap",
        webhook_secrets=[SecretStr("accounts-e2e-" + uuid.uuid4().hex)],
    )  # fmt: skip
    return social, chat, email


async def ready(http: httpx.AsyncClient, base: str) -> None:
    """Until the edge's /readyz says so: producer connected and the account feed caught up."""

    async def said() -> bool:
        return (await http.get(base + "/readyz")).status_code == 200

    await until_true(said, timeout=30, what=f"{base} ready")


async def store_at_the_end(settings: UnifierSettings) -> None:
    """The unifier's database, its offsets at the topics' end now: it starts where a unifier
    that had consumed the session's earlier traffic would (behind a backlog, its relay would
    publish the account changes only after the outbox rows of that backlog)."""
    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
        ends = await end_offsets(settings.kafka_bootstrap, *TOPICS)
        async with engine.begin() as conn:
            await write_offsets(conn, settings.group_id, ends)
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def running_stack(kafka: str, tenants: list[str], work: Path) -> AsyncIterator[Stack]:
    tokens = {t: SecretStr("tok-" + t) for t in tenants}
    database = f"sqlite:///{work}/unifier.db"
    settings = settings_for(kafka, database, relay_process=False, api_tokens=tokens)
    await store_at_the_end(settings)
    unifier = unifier_app(settings)
    social, chat, email = edge_settings(kafka, work)
    async with contextlib.AsyncExitStack() as stack:
        base = await stack.enter_async_context(serving(unifier))
        api = await stack.enter_async_context(httpx.AsyncClient(base_url=base, timeout=10))
        http = await stack.enter_async_context(httpx.AsyncClient(timeout=10))
        dovecot = stack.enter_context(running_dovecot("accounts-e2e"))
        bases = [
            await served_on(social_app(social), stack),
            await served_on(chat_app(chat), stack),
            await served_on(email_app(email, workers=[imap_worker]), stack),
        ]
        for edge in bases:
            await ready(http, edge)
        store = create_engine(database)
        stack.push_async_callback(store.dispose)
        yield Stack(kafka, Admin(api), bases[0], bases[1], dovecot, http, store)
