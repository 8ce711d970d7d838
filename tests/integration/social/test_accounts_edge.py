"""Several WhatsApp accounts at once through the real edge and the session's broker, while
traffic flows: two numbers with their own app secrets and tenants, one number's secret rotated
(both values valid, then the old one retired), a third number added, with nothing lost and
nothing duplicated; a retired secret (401) and an unknown number (404) produce nothing. The
registry is changed as the accounts feed changes it (``put`` on ``app.state.accounts``)."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from hotline import events as ev
from hotline.accounts import Account, AccountRegistry
from hotline.topics import INBOUND_SOCIAL
from hotline_tools.devstack.broker import free_port
from social_ingest.providers.meta import verify
from tests.integration.social.conftest import serve
from tests.integration.social.test_tenancy_edge import recorded_text
from tests.kafka_helpers import read_all
from tests.unit.social.edges import settings_for

pytestmark = pytest.mark.integration
PATH = "/webhooks/whatsapp"
TENANTS = {"a": "tenant-a", "b": "tenant-b", "c": "tenant-c"}


@dataclass
class Provider:
    """Meta as the test plays it: one sender per number, signing with what it was told."""

    client: httpx.AsyncClient
    corpora: Path
    run: str
    secrets: dict[str, str] = field(default_factory=dict)  # number -> the value it signs with
    acked: dict[str, str] = field(default_factory=dict)  # wamid -> number
    sent: Counter[str] = field(default_factory=Counter)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def post(self, number: str, wamid: str, secret: str) -> int:
        body = recorded_text(self.corpora, self.number(number), wamid)
        headers = {"x-hub-signature-256": verify.sign(secret.encode(), body)}
        return (await self.client.post(PATH, content=body, headers=headers)).status_code

    async def traffic(self, number: str) -> None:
        while not self.stop.is_set():
            wamid = f"wamid.{self.run}.{number}.{self.sent[number]}"
            status = await self.post(number, wamid, self.secrets[number])
            assert status == 200, (wamid, status)
            self.acked[wamid] = number
            self.sent[number] += 1

    async def until(self, number: str, more: int) -> None:
        goal = self.sent[number] + more
        while self.sent[number] < goal:
            await asyncio.sleep(0.01)

    def number(self, name: str) -> str:
        return f"pn-{name}-{self.run}"


def account(p: Provider, name: str, version: int, *values: str) -> Account:
    secrets = {"app_secret": values}
    return Account("whatsapp", p.number(name), TENANTS[name], secrets, version=version)


async def test_accounts_added_and_rotated_while_traffic_flows(kafka: str, corpora: Path) -> None:
    run = uuid.uuid4().hex[:10]
    settings = settings_for(kafka, free_port(), ("meta_app_secret", "meta_verify_token"))
    async with serve(settings) as social:
        registry = social.app.state.accounts
        assert isinstance(registry, AccountRegistry)
        p = Provider(social.client, corpora, run, {"a": "a1", "b": "b1"})
        registry.put(account(p, "a", 1, "a1"))
        registry.put(account(p, "b", 1, "b1"))
        senders = [asyncio.create_task(p.traffic(n)) for n in ("a", "b")]
        await p.until("b", 5)
        registry.put(account(p, "b", 2, "b2", "b1"))  # rotation: the new value, the old kept
        await p.until("b", 3)
        p.secrets["b"] = "b2"  # the provider switches at its own pace
        p.secrets["c"] = "c1"
        registry.put(account(p, "c", 1, "c1"))  # a third number, without a restart
        senders.append(asyncio.create_task(p.traffic("c")))
        await p.until("b", 3)  # nothing in flight signed with b1 any more
        registry.put(account(p, "b", 3, "b2"))  # the old value retired
        await p.until("c", 5)
        await p.until("b", 3)
        p.stop.set()
        await asyncio.gather(*senders)
        assert await p.post("b", f"wamid.{run}.stale", "b1") == 401
        assert await p.post("x", f"wamid.{run}.unknown", "a1") == 404
    await _landed_once_each_in_its_tenant(kafka, p)


async def _landed_once_each_in_its_tenant(kafka: str, p: Provider) -> None:
    landed = [
        e
        for e in (ev.decode(r.value) for r in await read_all(kafka, INBOUND_SOCIAL))
        if isinstance(e, ev.MessageReceived) and e.provider_message_id.startswith(f"wamid.{p.run}.")
    ]
    ids = Counter(e.provider_message_id for e in landed)
    assert set(ids) == set(p.acked)  # nothing lost; neither the stale nor the unknown one
    assert set(ids.values()) == {1}  # nothing duplicated
    assert min(p.sent.values()) >= 5
    for e in landed:
        name = p.acked[e.provider_message_id]
        assert (e.tenant, e.channel.account_id) == (TENANTS[name], p.number(name))
        assert e.conversation_key.startswith(f"{TENANTS[name]}/whatsapp/{p.number(name)}/")
