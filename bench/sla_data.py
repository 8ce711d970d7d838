"""The conversations of make bench-sla: open, each with running clocks, and the rows real traffic
would have left for them at a given moment.

Two policies in calendar hours (the bench must not depend on the weekday it runs on): ``urgent``
(priority urgent: first and next response 1 h, resolution 8 h) and ``standard`` (24 h, 24 h, 3 d);
both warn at 80 %. A conversation is one customer message (first response running), or a
customer message, an agent's reply and a second customer message (next response 1 running).

- **background**: standard; its last customer message 0-16 h before the seed, so no threshold
  (warning >= 3.2 h, due >= 8 h ahead) comes during the run: these keep running;
- **breach**: its response clock comes due at a time ``due`` in the measured window (the
  warning went out before it);
- **warning**: its response clock's warning comes in the window, its due time after it.

The clock rows, cycles and the thread's SLA columns come from the unifier's own recompute
(``sla_refresh``'s per-thread plan) as of the moment given: what the scheduler and the
consumer would have stored by then, the events before it counted as emitted.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from hotline import events as ev
from hotline import unified as un
from unifier.domain.sla_facts import Said
from unifier.domain.unify import ID_NAMESPACE
from unifier.service import sla_refresh
from unifier.service.sla_config import SlaConfig
from unifier.service.sla_specs import encode, policy_of, spec_of
from unifier.service.sla_view import ThreadSla
from unifier.store.sla_rows import Head

TENANT = "bench"
POLICIES: list[dict[str, Any]] = [
    {"name": "urgent", "priorities": ["urgent"], "first_response": "1h", "next_response": "1h",
     "resolution": "8h", "hours": "calendar"},
    {"name": "standard", "first_response": "24h", "next_response": "24h", "resolution": "3d",
     "hours": "calendar"},
]  # fmt: skip
TARGET = {"urgent": timedelta(hours=1), "standard": timedelta(hours=24)}
WARN_AT = 0.8
KINDS: tuple[ev.ChannelKind, ...] = ("email", "whatsapp", "widget")
ACCOUNTS = {"email": "support@bench.test", "whatsapp": "PN1", "widget": "site1"}
Role = Literal["background", "breach", "warning"]


@dataclass(frozen=True)
class Conversation:
    i: int
    role: Role
    priority: str | None  # "urgent" or None (standard)
    kind: ev.ChannelKind
    said: tuple[tuple[datetime, str, str], ...]  # (at, role, direction) in order

    @property
    def thread_id(self) -> str:
        return un.time_ordered_str(ID_NAMESPACE, f"bench-thread-{self.i}", self.said[0][0])

    @property
    def contact_id(self) -> str:
        return un.time_ordered_str(ID_NAMESPACE, f"bench-contact-{self.i}", self.said[0][0])


def shape(i: int, role: Role, priority: str | None, last: datetime, two: bool) -> Conversation:
    """The conversation whose last customer message came at ``last``; ``two``: after an
    agent's reply (its next-response clock runs), else its first (first response runs)."""
    kind = KINDS[i % len(KINDS)]
    if not two:
        return Conversation(i, role, priority, kind, ((last, "customer", "inbound"),))
    said = (
        (last - timedelta(hours=1), "customer", "inbound"),
        (last - timedelta(minutes=30), "agent", "outbound"),
        (last, "customer", "inbound"),
    )
    return Conversation(i, role, priority, kind, said)


def background(i: int, rng: random.Random, seed_at: datetime) -> Conversation:
    last = seed_at - timedelta(seconds=rng.uniform(60, 16 * 3600))
    return shape(i, "background", None, last, rng.random() < 0.3)


def due_soon(i: int, rng: random.Random, role: Role, moment: datetime) -> Conversation:
    """A conversation whose breach (``role`` breach) or warning (``role`` warning) comes at
    ``moment``."""
    priority = "urgent" if rng.random() < 0.5 else None
    target = TARGET[priority or "standard"]
    ahead = target if role == "breach" else target * WARN_AT
    return shape(i, role, priority, moment - ahead, rng.random() < 0.3)


def config() -> SlaConfig:
    specs = [spec_of(p) for p in POLICIES]
    named = [(s.name, encode(s)) for s in specs]
    return SlaConfig(named, [policy_of(s) for s in specs], {}, {}, [])


def planned(
    conversations: list[Conversation], cfg: SlaConfig, now: datetime
) -> Iterator[ThreadSla]:
    """Each conversation's SLA as the unifier's recompute finds it at ``now``."""
    inputs = sla_refresh.Inputs(cfg, {}, {}, {}, {}, {}, {}, {})
    for c in conversations:
        tid = c.thread_id
        head = Head(tid, True, c.contact_id, c.kind, None, c.priority, None, None, None)
        inputs.heads[tid] = head
        inputs.said[tid] = [Said(at, role, way) for at, role, way in c.said]
        inputs.accounts[tid] = ACCOUNTS[c.kind]
        yield sla_refresh._thread(TENANT, tid, inputs, now, False)
