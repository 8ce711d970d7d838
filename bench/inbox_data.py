"""The rows of make bench-inbox's store: one tenant's year of conversations, generated (seeded
random, so every run builds the same store) as tuples for PostgreSQL COPY.

Shape, per ``Sizes``: threads with a skewed message count (log-normal, mean about
messages / threads, at most 400; every ``TIMED_EVERY``-th thread has exactly 50: the ones the
thread read is timed on), last activity spread over the year, most of them closed (recent ones
open more often, some snoozed); 85% assigned to 50 agents (a few agents carry most), the rest
unassigned; a contact per thread (a fifth of the contacts write in several threads) with an
email identity (WhatsApp ones a phone too) and a display name on their messages; labels on a
quarter of the threads; read marks by the assignee on 60% of the assigned ones; customer texts
and agent replies drawn from the CLINC150 utterances (read from ``/work/shared/corpora``).
"""

from __future__ import annotations

import json
import math
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hotline import events as ev

# the corpora beside the repo (HOTLINE_CORPORA as for the tests), read at run time
CORPORA = Path(os.environ.get("HOTLINE_CORPORA", "/work/shared/corpora"))
CLINC = CORPORA / "clinc150" / "data" / "data_full.json"
TENANT = "bench-inbox"
NOW = datetime(2026, 12, 1, tzinfo=UTC)  # the seeded year ends here; snoozes run past it
YEAR = 365 * 86400
TIMED_EVERY = 1000
CHANNELS = (("email", 35), ("whatsapp", 25), ("widget", 20), ("messenger", 7),
            ("instagram", 5), ("telegram", 4), ("sms", 3), ("slack", 1))  # fmt: skip
LABELS = ("billing", "bug", "refund", "vip", "shipping", "feedback", "urgent", "account",
          "cancel", "partner", "press", "spam")  # fmt: skip
FIRST = ("Anna", "Ben", "Chloé", "David", "Emma", "Felix", "Grace", "Hugo", "Inès", "Jonas",
         "Kemal", "Lena", "Mateo", "Nora", "Oskar", "Priya")  # fmt: skip
LAST = ("Meyer", "Smith", "García", "Rossi", "Novak", "Dubois", "Silva", "Jensen", "Kowalski",
        "Yilmaz", "Nakamura", "Okafor")  # fmt: skip
MESSAGE_COLS = ("message_id", "tenant", "channel_kind", "provider_message_id", "account_id",
                "thread_id", "contact_id", "sender_handle", "sender_name", "role", "at", "text",
                "edited", "deleted", "reactions", "rule", "evidence", "rule_version", "payload",
                "direction", "author")  # fmt: skip
THREAD_COLS = ("tenant", "thread_id", "contact_id", "channel_kind", "open", "opened_at",
               "last_message_at", "closed_at", "message_count", "subject", "assignee",
               "snoozed_until")  # fmt: skip


@dataclass(frozen=True)
class Sizes:
    threads: int
    messages: int
    agents: int = 50

    @property
    def contacts(self) -> int:
        return max(self.threads * 4 // 5, 1)


@dataclass
class Thread:
    thread_id: str
    contact: int
    channel: str
    count: int
    last: datetime
    assignee: str | None
    labels: tuple[str, ...] = field(default=())


def texts() -> list[str]:
    """The CLINC150 utterances (train, validation, test, out-of-scope): real customer wording."""
    doc = json.loads(CLINC.read_text())
    return [t for part in doc.values() for t, _intent in part]


def tid(rng: random.Random, at: datetime) -> str:
    """A UUIDv7-shaped id, as ``hotline.unified.time_ordered_str`` makes them."""
    ms = f"{int(at.timestamp() * 1000) & 0xFFFFFFFFFFFF:012x}"
    r = f"{rng.getrandbits(76):019x}"
    return f"{ms[:8]}-{ms[8:]}-7{r[:3]}-{'89ab'[rng.getrandbits(2)]}{r[3:6]}-{r[6:18]}"


def agent_ids(sizes: Sizes) -> list[str]:
    return [f"agent-{k:03d}" for k in range(sizes.agents)]


def counts(sizes: Sizes, rng: random.Random) -> list[int]:
    """Messages per thread: log-normal (many short, a long tail), 50 for every timed thread,
    adjusted so they add up to ``sizes.messages``."""
    mean = max(sizes.messages / max(sizes.threads, 1), 1.0)
    mu = math.log(mean) - 0.5 * 0.9**2
    out = [min(max(1, round(rng.lognormvariate(mu, 0.9))), 400) for _ in range(sizes.threads)]
    for i in range(0, sizes.threads, TIMED_EVERY):
        out[i] = 50
    free = [i for i in range(sizes.threads) if i % TIMED_EVERY]
    diff = sizes.messages - sum(out)
    while diff and free:
        i = rng.choice(free)
        step = 1 if diff > 0 else -1
        if 1 <= out[i] + step <= 400:
            out[i] += step
            diff -= step
    return out


def plan(sizes: Sizes, seed: int = 23) -> list[Thread]:
    rng = random.Random(seed)
    agents = agent_ids(sizes)
    weights = [1 / math.sqrt(k + 1) for k in range(len(agents))]
    kinds, kind_w = zip(*CHANNELS, strict=True)
    out = []
    for i, n in enumerate(counts(sizes, rng)):
        last = NOW - timedelta(seconds=rng.random() ** 1.3 * YEAR)  # more of it recent
        contact = i if i < sizes.contacts else rng.randrange(sizes.contacts)
        who = rng.choices(agents, weights)[0] if rng.random() < 0.85 else None
        tags = tuple(rng.sample(LABELS, rng.choice((1, 1, 2)))) if rng.random() < 0.25 else ()
        channel = rng.choices(kinds, kind_w)[0]
        out.append(Thread(tid(rng, last), contact, channel, n, last, who, tags))
    return out


def name_of(contact: int) -> str:
    return f"{FIRST[contact % 16]} {LAST[contact // 16 % 12]}"


def handle_of(contact: int, channel: str) -> str:
    if channel == "email":
        return f"{name_of(contact).split()[0].lower()}.{contact}@example.com"
    return f"+4915{contact:09d}" if channel in ("whatsapp", "sms") else f"{channel}-{contact}"


def thread_row(t: Thread, rng: random.Random, first_text: str) -> tuple[Any, ...]:
    age = (NOW - t.last).total_seconds()
    is_open = rng.random() < (0.6 if age < 30 * 86400 else 0.02)
    opened = t.last - timedelta(minutes=20 * t.count)
    snooze = NOW + timedelta(days=rng.randint(1, 7)) if is_open and rng.random() < 0.05 else None
    subject = first_text[:120] if t.channel == "email" else ""
    closed = None if is_open else t.last + timedelta(minutes=5)
    return (TENANT, t.thread_id, f"c-{t.contact}", t.channel, is_open, opened, t.last, closed,
            t.count, subject, t.assignee, snooze)  # fmt: skip


def payload_of(channel: str, pmid: str, at: datetime, text: str, inbound: bool) -> bytes:
    """The stored event, as the unifier keeps it: what the customer sent, or what we asked the
    channel to send (the thread view reads it for attachments and the HTML body)."""
    ref = ev.ChannelRef(kind=channel, account_id="acct")  # type: ignore[arg-type]
    if not inbound:
        return ev.encode(ev.ReplyRequested(
            event_id=pmid, reply_id=pmid, tenant=TENANT, channel=ref, conversation_id="t",
            recipient="r", content=ev.TextContent(text=text), requested_at=at,
            requested_by="agent"))  # fmt: skip
    return ev.encode(ev.MessageReceived(
        event_id=pmid, tenant=TENANT, channel=ref, provider_message_id=pmid, received_at=at,
        conversation_key=pmid, sender=ev.Sender(handle=pmid),
        content=ev.TextContent(text=text)))  # fmt: skip


def message_rows(
    t: Thread, rng: random.Random, corpus: list[str], serial: int
) -> Iterator[tuple[Any, ...]]:
    """The thread's messages, oldest first: the customer writes first; then turns alternate
    with a 60:40 customer:agent mix; one in twenty threads has a message on a second channel."""
    other = rng.choice(CHANNELS)[0] if rng.random() < 0.05 else t.channel
    name, contact = name_of(t.contact), f"c-{t.contact}"
    for k in range(t.count):
        at = t.last - timedelta(minutes=20 * (t.count - 1 - k))
        channel = other if k == t.count - 1 else t.channel
        inbound = k == 0 or rng.random() < 0.6
        text = corpus[rng.randrange(len(corpus))]
        pmid = f"m{serial + k}"
        yield (tid(rng, at), TENANT, channel, pmid if inbound else f"reply:{serial + k}", "acct",
               t.thread_id, contact, handle_of(t.contact, channel), name if inbound else None,
               "customer" if inbound else "agent", at, text, False, False, "{}",
               "conversation_key", "seeded by bench.inbox_data", "1",
               payload_of(channel, pmid, at, text, inbound),
               "inbound" if inbound else "outbound",
               None if inbound else (t.assignee or "agent-000"))  # fmt: skip
