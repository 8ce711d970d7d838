"""make bench-identity: identity resolution against 1,000,000 stored contacts (issue 21).

The store is pre-filled with BENCH_CONTACTS people (3 identities each, ``bench.identity_store``),
then one unifier runtime drains BENCH_N events (``bench.unifier_bench.drain``): email, WhatsApp
and widget messages with verified identifiers, replies by In-Reply-To, some reactions, where
BENCH_EXISTING (a share) of the senders are stored people (their identities resolve against
the big tables: ``identity.verified_match``) and the rest new people writing a few times each.
In the same run the same traffic is drained into an empty store (``vs_empty`` = filled / empty:
there the stored senders are new people, so the work differs too) and into a store holding only
the stored people the traffic has (``vs_senders_only``: the same resolutions, small tables).
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
from bench.unifier_bench import Traffic, drain, message, postgres, reaction
from hotline import collector
from hotline import events as ev
from unifier.store.engine import create_engine
from unifier.store.schema import contacts, messages

CONTACTS = int(os.environ.get("BENCH_CONTACTS", "1000000"))
N = int(os.environ.get("BENCH_N", "60000"))
EXISTING = float(os.environ.get("BENCH_EXISTING", "0.5"))
WITH_POSTGRES = os.environ.get("BENCH_POSTGRES", "1") != "0"
TENANT = "bench-identity"
STORES = ("filled", "empty", "senders_only")
FILLED_UNTIL = SINCE + timedelta(days=366)
TARGETS = {"vs_empty": "identity resolution with 1,000,000 contacts stored, beside empty"}


def senders(contacts: int, existing: float, n: int, seed: int = 7) -> list[int]:
    """Who writes event i: a stored person (any of ``contacts``) with probability ``existing``,
    else one of n // 8 people the store has never seen (who write about 8 times each)."""
    rng, newcomers = random.Random(seed), max(n // 8, 10)
    out = []
    for _ in range(n):
        old = rng.random() < existing and contacts > 0
        out.append(rng.randrange(contacts) if old else contacts + rng.randrange(newcomers))
    return out


def traffic(who: list[int]) -> Traffic:
    """Event i from person who[i]: the channels in turn, every tenth a reaction."""

    def events(tenant: str, n: int) -> Iterator[ev.Event]:
        kinds: list[ev.ChannelKind] = ["email", "whatsapp", "widget"]
        for i, j in enumerate(who[:n]):
            kind = kinds[i % 3]
            if i % 10 == 9:
                yield reaction(tenant, kind, i, f"p{j}")
            else:
                yield message(tenant, kind, i, sender(kind, j))

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


def compare(bootstrap: str, dsns: dict[str, str]) -> dict[str, Any]:
    """Fill the "filled" store with CONTACTS people and the "senders_only" one with just the
    stored people the traffic has (the same resolutions against small tables), then drain the
    same traffic into each and into the "empty" store."""
    who = senders(CONTACTS, EXISTING, N)
    stored = asyncio.run(fill_store(dsns["filled"], TENANT, CONTACTS))
    print("filled", stored, flush=True)
    few = asyncio.run(
        fill_store(dsns["senders_only"], TENANT, CONTACTS, {j for j in who if j < CONTACTS})
    )
    runs = {}
    for name, dsn in dsns.items():
        runs[name] = asyncio.run(
            drain(bootstrap, dsn, N, N // 3, tenant=TENANT, traffic=traffic(who))
        )
        runs[name] |= asyncio.run(resolution(dsn))
        print(name, runs[name], flush=True)
    runs["senders_only"]["stored_contacts"] = few["contacts"]
    rates = {name: run["events_per_s"] for name, run in runs.items()}
    return {
        **stored,
        "events_per_s": rates["filled"],
        "empty_events_per_s": rates["empty"],
        "vs_empty": round(rates["filled"] / max(rates["empty"], 1), 3),
        "senders_only_events_per_s": rates["senders_only"],
        "vs_senders_only": round(rates["filled"] / max(rates["senders_only"], 1), 3),
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
        sqlite = {name: f"sqlite:///{work}/{name}.db" for name in STORES}
        results["sqlite"] = compare(broker.bootstrap, sqlite)
        shutil.rmtree(work, ignore_errors=True)  # the filled SQLite file is ~1 GB
        if WITH_POSTGRES:
            with postgres() as filled, postgres() as empty, postgres() as few:
                pg = dict(zip(STORES, (filled, empty, few), strict=True))
                results["postgresql"] = compare(broker.bootstrap, pg)
    results["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(write_result("identity", results))


if __name__ == "__main__":
    main()
