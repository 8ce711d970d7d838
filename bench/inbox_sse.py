"""SSE fan-out for make bench-inbox: AGENTS real HTTP clients, signed in as the timed agents
(a few sessions shared round-robin: one sign-in costs an argon2 verification, and the login
limits allow 30 a client address), hold ``/api/tenants/{t}/events``
open on a unifier that consumes (``consume=True``, the seeded store); each round publishes one
new customer message to Kafka and times, per client, from the publish to the ``change`` event
that the consumer's commit fans out. Memory: the unifier's RSS with one client connected and
with all of them, the difference per client."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

import httpx

from bench.inbox_auth import Credential, signed_in
from bench.inbox_timing import percentiles, rss_kib
from hotline import events as ev
from hotline.kafka import EventProducer, ProducerSettings


def new_message(tenant: str, i: int) -> ev.MessageReceived:
    pmid = f"sse-{i}-{time.time_ns()}"
    return ev.MessageReceived(
        event_id=ev.event_id_for(tenant, "widget", pmid),
        tenant=tenant,
        channel=ev.ChannelRef(kind="widget", account_id="acct"),
        provider_message_id=pmid,
        received_at=datetime.now(UTC),
        conversation_key=f"sse-visitor-{i}",
        sender=ev.Sender(handle=f"sse-visitor-{i}", identifiers=[]),
        content=ev.TextContent(text="is my card payment through yet"),
    )


def _names_one(data: str) -> bool:
    """A change naming a conversation (an API write's nudge names none)."""
    return '"conversations": []' not in data


class Listener:
    """One agent's event stream: the monotonic time of each ``change`` naming a conversation."""

    def __init__(self) -> None:
        self.arrivals: list[float] = []
        self.connected = asyncio.Event()

    async def run(self, client: httpx.AsyncClient, path: str) -> None:
        async with client.stream("GET", path) as response:
            assert response.status_code == 200, response.status_code
            self.connected.set()
            event = ""
            async for line in response.aiter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event == "change" and _names_one(line):
                    self.arrivals.append(time.monotonic())

    def first_after(self, t0: float) -> float | None:
        return next((a for a in self.arrivals if a >= t0), None)


async def fan_out(base: str, pid: int, tenant: str, agents: int, rounds: int,
                  bootstrap: str, who: list[Credential]) -> dict[str, Any]:  # fmt: skip
    limits = httpx.Limits(max_connections=agents + 10, max_keepalive_connections=agents + 10)
    path = f"/api/tenants/{tenant}/events"
    producer = EventProducer(ProducerSettings(bootstrap=bootstrap, ack_timeout=30))
    await producer.start()
    async with signed_in(base, who, limits) as (by_agent, sign_in_ms):
        sessions = list(by_agent.values())
        listeners = [Listener() for _ in range(agents)]

        def run(i: int) -> asyncio.Task[None]:
            return asyncio.create_task(listeners[i].run(sessions[i % len(sessions)], path))

        tasks = [run(0)]
        await listeners[0].connected.wait()
        await asyncio.sleep(1)
        one = rss_kib(pid)
        tasks += [run(i) for i in range(1, agents)]
        await asyncio.gather(*(x.connected.wait() for x in listeners))
        await asyncio.sleep(2)
        everyone = rss_kib(pid)
        sent = await _rounds(producer, tenant, listeners, rounds)
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    await producer.stop()
    return _figures(listeners, sent, agents) | {
        "sessions": len(sessions),
        "sign_in_ms": percentiles(sign_in_ms),
        "rss_kib_one_agent": one,
        "rss_kib_all_agents": everyone,
        "rss_kib_per_agent": round((everyone - one) / max(agents - 1, 1), 1),
    }


async def _rounds(producer: EventProducer, tenant: str, listeners: list[Listener],
                  rounds: int) -> list[float]:  # fmt: skip
    sent = []
    for i in range(rounds + 2):  # the first two warm the consumer's path up, not counted
        t0 = time.monotonic()
        await producer.publish([new_message(tenant, i)])
        while any(x.first_after(t0) is None for x in listeners):
            assert time.monotonic() < t0 + 10, f"round {i}: not every agent got the change"
            await asyncio.sleep(0.005)
        if i >= 2:
            sent.append(t0)
        await asyncio.sleep(0.5)
    return sent


def _figures(listeners: list[Listener], sent: list[float], agents: int) -> dict[str, Any]:
    per, first, last = [], [], []
    for t0 in sent:
        got = [((x.first_after(t0) or t0) - t0) * 1000 for x in listeners]
        per += got
        first.append(min(got))
        last.append(max(got))
    return {
        "agents": agents,
        "rounds": len(sent),
        "publish_to_arrival_ms": percentiles(per),
        "publish_to_first_agent_ms": percentiles(first),  # the consumer's path: Kafka to commit
        "publish_to_last_agent_ms": percentiles(last),
        "first_to_last_agent_ms": percentiles([b - a for a, b in zip(first, last, strict=True)]),
    }
