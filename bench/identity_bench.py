"""make bench-identity: identity resolution against 1,000,000 stored contacts (issue 21).

The store is pre-filled with BENCH_CONTACTS people (3 identities each, ``bench.identity_store``),
then one unifier runtime drains BENCH_N events (``bench.unifier_bench.drain``): email, WhatsApp
and widget messages with verified identifiers, replies by In-Reply-To, some reactions, where
BENCH_EXISTING (a share) of the senders are stored people (their identities resolve against
the big tables: ``identity.verified_match``) and the rest new people writing a few times each.
In the same run the same traffic is drained into an empty store; ``vs_empty`` = filled / empty.
SQLite, then PostgreSQL unless BENCH_POSTGRES=0.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from bench.common import bench_broker, write_result
from bench.identity_store import SINCE, email_id, email_of, fill_store, wa_id_of, whatsapp_ids
from bench.unifier_bench import Traffic, drain, envelope, postgres
from hotline import collector
from hotline import events as ev
from unifier.store.engine import create_engine
from unifier.store.schema import contacts, messages

CONTACTS = int(os.environ.get("BENCH_CONTACTS", "1000000"))
N = int(os.environ.get("BENCH_N", "60000"))
EXISTING = float(os.environ.get("BENCH_EXISTING", "0.5"))
WITH_POSTGRES = os.environ.get("BENCH_POSTGRES", "1") != "0"
TENANT = "bench-identity"
FILLED_UNTIL = SINCE + timedelta(days=366)
TARGETS = {"vs_empty": "identity resolution with 1,000,000 contacts stored, beside empty"}


def traffic(contacts: int, existing: float, seed: int = 7) -> Traffic:
    """Senders: a stored person (any of ``contacts``) with probability ``existing``, else one
    of n // 8 people the store has never seen; the channels in turn, every tenth a reaction."""

    def events(tenant: str, n: int) -> Iterator[ev.Event]:
        rng, newcomers = random.Random(seed), max(n // 8, 10)
        kinds: list[ev.ChannelKind] = ["email", "whatsapp", "widget"]
        for i in range(n):
            old = rng.random() < existing
            j = rng.randrange(contacts) if old and contacts else contacts + rng.randrange(newcomers)
            kind = kinds[i % 3]
            if i % 10 == 9:
                yield ev.Reaction(**envelope(tenant, kind, f"r{i}", f"p{j}"),
                                  target_message_id=f"m{i - 3}", emoji="👍")  # fmt: skip
                continue
            hints = ev.ThreadHints(
                message_id=f"<m{i}@x>", in_reply_to=[f"<m{i - 30}@x>"] if i > 30 else []
            )
            yield ev.MessageReceived(
                **envelope(tenant, kind, f"m{i}", f"p{j}"),
                sender=sender(kind, j),
                content=ev.TextContent(text=f"message {i}: my order has not arrived yet"),
                thread=hints,
            )

    return events


def sender(kind: ev.ChannelKind, j: int) -> ev.Sender:
    """Person j as each edge reports it (email_ingest, social_ingest, chat_gateway's widget)."""
    if kind == "email":
        return ev.Sender(
            handle=email_of(j), identifiers=[email_id(j, "dmarc_aligned", "smtp.dmarc")]
        )
    if kind == "whatsapp":
        return ev.Sender(handle=wa_id_of(j), identifiers=whatsapp_ids(j))
    visitor = ev.Identifier(
        kind="widget_visitor",
        value=f"site:v{j}",
        source="widget.visitor_token",
        verified=False,
        level="unverified",
    )
    signed = email_id(j, "site_signed", "widget.jwt")
    return ev.Sender(handle=f"v{j}", identifiers=[visitor, signed])


async def resolution(dsn: str) -> dict[str, int]:
    """Messages the drain gave to pre-filled contacts (resolved against the big tables) and
    the contacts it created (pre-filled ones were created before FILLED_UNTIL)."""
    m, c = messages.c, contacts.c
    joined = messages.join(contacts, (c.tenant == m.tenant) & (c.contact_id == m.contact_id))
    to_stored = sa.select(sa.func.count()).select_from(joined).where(c.created_at < FILLED_UNTIL)
    created = sa.select(sa.func.count()).where(c.created_at >= FILLED_UNTIL)
    engine = create_engine(dsn)
    try:
        async with engine.connect() as conn:
            return {
                "messages_to_stored_contacts": (await conn.execute(to_stored)).scalar_one(),
                "contacts_created": (await conn.execute(created)).scalar_one(),
            }
    finally:
        await engine.dispose()


def compare(bootstrap: str, filled_dsn: str, empty_dsn: str) -> dict[str, Any]:
    """Fill one store, then drain the same traffic into it and into an empty one."""
    stored = asyncio.run(fill_store(filled_dsn, TENANT, CONTACTS))
    print("filled", stored, flush=True)
    flow = traffic(CONTACTS, EXISTING)
    runs = {}
    for name, dsn in (("filled", filled_dsn), ("empty", empty_dsn)):
        runs[name] = asyncio.run(drain(bootstrap, dsn, N, N // 3, tenant=TENANT, traffic=flow))
        runs[name] |= asyncio.run(resolution(dsn))
        print(name, runs[name], flush=True)
    rate = runs["filled"]["events_per_s"]
    return {
        **stored,
        "events_per_s": rate,
        "empty_events_per_s": runs["empty"]["events_per_s"],
        "vs_empty": round(rate / max(runs["empty"]["events_per_s"], 1), 3),
        **runs,
    }


def main() -> None:
    collector.tune()  # as every service process does at start (hotline.http.serve)
    work = tempfile.mkdtemp(prefix="identity-bench-")
    results: dict[str, Any] = {
        "targets": TARGETS,
        "cpu_count": os.cpu_count(),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        "contacts": CONTACTS,
        "identities": 3 * CONTACTS,
        "events": N,
        "existing_share": EXISTING,
    }
    with bench_broker() as broker:
        asyncio.run(drain(broker.bootstrap, f"sqlite:///{work}/w.db", 2000, 500))  # warm-up
        results["sqlite"] = compare(
            broker.bootstrap, f"sqlite:///{work}/f.db", f"sqlite:///{work}/e.db"
        )
        shutil.rmtree(work, ignore_errors=True)  # the filled SQLite file is ~1 GB
        if WITH_POSTGRES:
            with postgres() as filled, postgres() as empty:
                results["postgresql"] = compare(broker.bootstrap, filled, empty)
    results["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(write_result("identity", results))


if __name__ == "__main__":
    main()
