"""SLA clocks end to end, on both databases: customer messages through the broker, agents
through the API, the warning, breach and fulfilment events out of the outbox on
hotline.conversations, exactly one per clock and kind. Two channel kinds; pauses on waiting
and on snooze, resolve, reopen, and a policy change (new cycles take it, open ones keep
theirs); waiting on the customer as ``conversation.waiting.v1``. Targets of seconds in
calendar hours, so the clocks run in real time."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from hotline import unified as un
from hotline.topics import CONVERSATIONS
from tests.integration.unifier.harness import eventually, publish, read_unified, settings_for
from tests.integration.unifier.server import serving
from tests.unit.unifier.factory import T0, ident, message
from unifier.entrypoints.app import create_app

SLOW = {"name": "slow", "first_response": "1h", "hours": "calendar"}
EMAIL = {
    "name": "email-fast",
    "channel_kinds": ["email"],
    "first_response": "3s",
    "next_response": "3s",
    "resolution": "1h",
    "hours": "calendar",
    "warn_at": 0.5,
}
CHAT = {
    "name": "chat-fast",
    "channel_kinds": ["whatsapp"],
    "first_response": "3s",
    "hours": "calendar",
    "warn_at": 0.5,
}
Key = tuple[str, int, str, int, str]


@dataclass
class Desk:
    api: httpx.AsyncClient
    kafka: str
    tenant: str
    sent: int = 0

    async def customer(self, kind: Any, handle: str) -> None:
        self.sent += 1
        at = datetime.now(UTC) - T0
        event = message(
            f"p{self.sent}-{uuid.uuid4().hex[:6]}",
            kind,
            handle=handle,
            ids=[ident("email" if kind == "email" else "phone", handle)],
            at=at,
            tenant=self.tenant,
        )
        await publish(self.kafka, [event])

    async def conversation(self, kind: str, count: int = 1) -> str:
        found: list[str] = []

        async def there() -> bool:
            rows = (await self.api.get("/conversations")).json()
            found[:] = [r["thread_id"] for r in rows if r["channel_kind"] == kind]
            return len(found) == count

        await eventually(there)
        return found[0]

    async def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        answer = await self.api.post(path, json=body or {})
        assert answer.status_code < 300, answer.text
        return answer.json()

    async def events(self) -> list[un.UnifiedEvent]:
        return await read_unified(self.kafka, CONVERSATIONS, self.tenant)

    async def sla(self) -> Counter[Key]:
        keys = [
            (e.conversation_id, e.cycle, e.target, e.n, un.unified_tag(e))
            for e in await self.events()
            if isinstance(e, un.SlaWarning | un.SlaBreached | un.SlaFulfilled)
        ]
        return Counter(keys)

    async def until(self, *keys: Key) -> None:
        async def seen() -> bool:
            found = await self.sla()
            return all(k in found for k in keys)

        await eventually(seen, timeout=20)


@pytest.fixture
async def desk(kafka: str, dsn: str) -> AsyncIterator[Desk]:
    tenant = "s" + uuid.uuid4().hex[:8]
    settings = settings_for(kafka, dsn, api_tokens={tenant: SecretStr("tok")}, sla_poll_seconds=0.2)
    async with (
        serving(create_app(settings)) as base,
        httpx.AsyncClient(
            base_url=f"{base}/api/tenants/{tenant}",
            headers={"Authorization": "Bearer tok"},
            timeout=30,
        ) as api,
    ):
        answer = await api.put("/sla/policies", json={"policies": [EMAIL, SLOW]})
        assert answer.status_code == 200, answer.text
        yield Desk(api, kafka, tenant)


async def test_the_full_lifecycle_emits_each_event_once(desk: Desk) -> None:
    await desk.customer("email", "ann@example.test")
    mail = await desk.conversation("email")
    fr = (mail, 1, "first_response", 0)
    await desk.until((*fr, "sla.warning.v1"), (*fr, "sla.breached.v1"))
    await desk.post(f"/conversations/{mail}/replies", {"text": "on it"})  # late: no fulfilment

    # next response 1: waiting on the customer pauses it past its target
    await desk.customer("email", "ann@example.test")
    await _clock(desk, mail, "next_response", "running")
    await desk.post(f"/conversations/{mail}/waiting", {"waiting": True})
    await asyncio.sleep(4)
    await desk.customer("email", "ann@example.test")  # clears the wait: the clock runs again
    await _waiting_cleared(desk, mail)
    nr = (mail, 1, "next_response", 1)
    await desk.until((*nr, "sla.warning.v1"))  # half its target used, the wait not counted
    await desk.post(f"/conversations/{mail}/replies", {"text": "done"})
    await desk.until((*nr, "sla.fulfilled.v1"))

    # a policy change: the WhatsApp conversation starting now takes the new first match
    await desk.api.put("/sla/policies", json={"policies": [CHAT, EMAIL, SLOW]})
    await desk.customer("whatsapp", "+4915100000001")
    chat = await desk.conversation("whatsapp")
    until = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    await desk.post(f"/conversations/{chat}/snooze", {"until": until})
    await asyncio.sleep(4)  # snoozed past the 3 s target: nothing breaches
    await desk.post(f"/conversations/{chat}/unsnooze")
    await desk.post(f"/conversations/{chat}/replies", {"text": "hi"})
    cf = (chat, 1, "first_response", 0)
    await desk.until((*cf, "sla.fulfilled.v1"))

    # resolve, reopen: a new cycle under the policy in force now (the email one kept "email-fast")
    await desk.post(f"/conversations/{mail}/close")
    await desk.until((mail, 1, "resolution", 0, "sla.fulfilled.v1"))
    await desk.post(f"/conversations/{mail}/reopen")
    await desk.customer("email", "ann@example.test")
    fr2 = (mail, 2, "first_response", 0)
    await desk.until((*fr2, "sla.breached.v1"))
    await asyncio.sleep(1.5)  # a few more scheduler rounds: still once each

    seen = await desk.sla()
    assert set(seen.values()) == {1}, seen
    assert set(seen) == {
        (*fr, "sla.warning.v1"),
        (*fr, "sla.breached.v1"),
        (*nr, "sla.warning.v1"),
        (*nr, "sla.fulfilled.v1"),
        (*cf, "sla.fulfilled.v1"),
        (mail, 1, "resolution", 0, "sla.fulfilled.v1"),
        (*fr2, "sla.warning.v1"),
        (*fr2, "sla.breached.v1"),
    } | ({(*cf, "sla.warning.v1")} & set(seen)), seen
    policies = {e.policy for e in await desk.events() if isinstance(e, un.SlaFulfilled)}
    assert policies == {"email-fast", "chat-fast"}
    # the wait the customer's message ended: one start by the agent, one end by the customer
    waits = await _waits(desk, mail, 2)
    assert [(w.waiting, w.reason, w.by is None) for w in waits] == [
        (True, "manual", False),
        (False, "customer_message", True),
    ]
    assert waits[0].since == waits[1].since == waits[0].at < waits[1].at


async def test_waiting_on_the_customer_is_an_event(desk: Desk) -> None:
    """Set and cleared by an agent, set again and ended by the customer's message: four
    ``conversation.waiting.v1``, each once, in order, each end naming its wait's start."""
    await desk.customer("email", "bea@example.test")
    mail = await desk.conversation("email")
    first = await desk.post(f"/conversations/{mail}/waiting", {"waiting": True})
    await desk.post(f"/conversations/{mail}/waiting", {"waiting": False})
    again = await desk.post(f"/conversations/{mail}/waiting", {"waiting": True})
    refused = await desk.api.post(f"/conversations/{mail}/waiting", json={"waiting": True})
    assert refused.status_code == 409  # unchanged: no event
    await desk.customer("email", "bea@example.test")
    await _waiting_cleared(desk, mail)

    waits = await _waits(desk, mail, 4)
    await asyncio.sleep(1)  # the relay had time to publish any duplicate
    assert len(await _waits(desk, mail, 4)) == 4
    assert [(w.waiting, w.reason) for w in waits] == [
        (True, "manual"),
        (False, "manual"),
        (True, "manual"),
        (False, "customer_message"),
    ]
    starts = [datetime.fromisoformat(a["waiting_since"]) for a in (first, again)]
    assert [w.since for w in waits] == [starts[0], starts[0], starts[1], starts[1]]
    assert [w.by for w in waits] == ["token:config"] * 3 + [None]  # the operator's token
    assert len({w.event_id for w in waits}) == 4


async def _waits(desk: Desk, tid: str, n: int) -> list[un.ConversationWaiting]:
    found: list[un.ConversationWaiting] = []

    async def enough() -> bool:
        events = await desk.events()
        found[:] = [
            e for e in events if isinstance(e, un.ConversationWaiting) and e.conversation_id == tid
        ]
        return len(found) >= n

    await eventually(enough, timeout=15)
    return found


async def _clock(desk: Desk, tid: str, target: str, state: str) -> None:
    async def there() -> bool:
        clocks = (await desk.api.get(f"/conversations/{tid}/sla")).json()["clocks"]
        return any(c["target"] == target and c["state"] == state for c in clocks)

    await eventually(there)


async def _waiting_cleared(desk: Desk, tid: str) -> None:
    async def cleared() -> bool:
        return (await desk.api.get(f"/conversations/{tid}/sla")).json()["waiting_since"] is None

    await eventually(cleared)
