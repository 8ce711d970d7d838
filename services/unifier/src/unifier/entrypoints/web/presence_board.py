"""Who is here, held in this process's memory: the agents whose live stream is open (online,
for auto-assignment) and who is viewing or typing in which conversation (the collision
notice). Entries expire unless renewed (the page says "viewing" again every 20 s).

Per process: with several unifier instances behind a balancer an agent's stream and presence
posts may land on different instances, and each instance sees only its own. Online status
also lives in ``agents.last_seen_at`` (the stream's heartbeat writes it), which every
instance reads; the per-conversation notice stays per instance until it is shared (e.g.
PostgreSQL LISTEN/NOTIFY).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

State = Literal["viewing", "typing", "left"]
TTL = {"viewing": 45.0, "typing": 6.0}  # seconds an entry lasts without a renewal


@dataclass(frozen=True)
class Here:
    agent_id: str
    name: str
    state: str


@dataclass
class PresenceBoard:
    # (tenant, conversation) -> agent id -> (name, state, expires at on the monotonic clock)
    seen: dict[tuple[str, str], dict[str, tuple[str, str, float]]] = field(default_factory=dict)
    streams: Counter[tuple[str, str]] = field(default_factory=Counter)  # open live streams

    def put(self, tenant: str, conversation: str, agent: Here) -> None:
        room = self.seen.setdefault((tenant, conversation), {})
        if agent.state == "left":
            room.pop(agent.agent_id, None)
        else:
            expires = time.monotonic() + TTL[agent.state]
            room[agent.agent_id] = (agent.name, agent.state, expires)
        if not room:
            self.seen.pop((tenant, conversation), None)

    def others(self, tenant: str, conversation: str, me: str) -> list[Here]:
        """Who else is in the conversation now, by name (never ``me``)."""
        room = self.seen.get((tenant, conversation), {})
        now = time.monotonic()
        for gone in [a for a, (_, _, exp) in room.items() if exp <= now]:
            del room[gone]
        return sorted(
            (Here(a, name, state) for a, (name, state, _) in room.items() if a != me),
            key=lambda h: (h.name, h.agent_id),
        )

    def opened(self, tenant: str, agent_id: str) -> None:
        self.streams[(tenant, agent_id)] += 1

    def closed(self, tenant: str, agent_id: str) -> None:
        self.streams[(tenant, agent_id)] -= 1
        if self.streams[(tenant, agent_id)] <= 0:
            del self.streams[(tenant, agent_id)]

    def connected(self) -> dict[str, set[str]]:
        """Per tenant, the agents with a live stream open here."""
        out: dict[str, set[str]] = {}
        for tenant, agent in self.streams:
            out.setdefault(tenant, set()).add(agent)
        return out
