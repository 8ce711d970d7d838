"""Two unifier instances deciding the same new person at the same moment (two partitions, two
processes' transactions on one PostgreSQL): one contact, not two. Both transactions load the
store before either commits; the one that commits second loses the identity claim, is decided
again, and links to the winner's contact."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from typing import Any

import pytest
import sqlalchemy as sa
from aiokafka import TopicPartition
from aiokafka.structs import ConsumerRecord

from hotline import events as ev
from hotline.kafka import Batch
from hotline.kafka.batches import Item
from tests.integration.unifier.conftest import PgCluster, new_pg_database
from tests.unit.unifier.factory import ident, message
from unifier.domain.rules import rule_set
from unifier.entrypoints import batch_handler as batch_module
from unifier.entrypoints.batch_handler import BatchHandler, Decoded
from unifier.store.engine import create_engine, migrate
from unifier.store.load import load_working_set
from unifier.store.schema import contacts, identities, messages

pytestmark = pytest.mark.integration
RULES = rule_set("1")


def batch(partition: int, event: ev.MessageReceived) -> Batch[Decoded]:
    record = ConsumerRecord("hotline.inbound.chat", partition, 0, 0, 0, None, b"", None, 0, 0, [])
    return Batch(TopicPartition("hotline.inbound.chat", partition), [Item(record, (event, b"{}"))])


def together(monkeypatch: pytest.MonkeyPatch, parties: int) -> list[int]:
    """Every instance's first load waits until all have loaded: none sees another's rows."""
    barrier = asyncio.Barrier(parties)
    loads: list[int] = []
    real = load_working_set

    async def load(*args: Any) -> Any:
        ws = await real(*args)
        loads.append(1)
        if len(loads) <= parties:
            await asyncio.wait_for(barrier.wait(), 10)
        return ws

    monkeypatch.setattr(batch_module, "load_working_set", load)
    return loads


def same_person(tenant: str, email: str) -> list[ev.MessageReceived]:
    """Her mail (DMARC-aligned From) and her widget (site-signed email): two levels of one
    value, which link (so they must be one contact), on two conversations."""
    return [
        message(
            f"mail-{email}",
            "email",
            tenant=tenant,
            handle=email,
            ids=[ident("email", email, level="dmarc_aligned")],
        ),
        message(
            f"widget-{email}",
            "widget",
            tenant=tenant,
            handle=f"site1:{email}",
            ids=[
                ident("widget_user", f"site1:{email}", level="site_signed"),
                ident("email", email, level="site_signed"),
            ],
        ),
    ]


def same_address(tenant: str, email: str) -> list[ev.MessageReceived]:
    """Two mail threads of one new sender at once (one level)."""
    ids = [ident("email", email, level="dmarc_aligned")]
    return [
        message(f"first-{email}", "email", tenant=tenant, handle=email, ids=ids),
        message(f"second-{email}", "email", tenant=tenant, handle=email, ids=ids),
    ]


@pytest.mark.parametrize("case", [same_person, same_address])
async def test_concurrent_new_person_on_two_instances_is_one_contact(
    postgres: PgCluster, monkeypatch: pytest.MonkeyPatch, case: Any
) -> None:
    dsn = new_pg_database(postgres)
    engines = [create_engine(dsn), create_engine(dsn)]
    await migrate(engines[0])
    tenant, email = "t" + uuid.uuid4().hex[:8], "dana@example.test"
    events: Sequence[ev.MessageReceived] = case(tenant, email)
    instances = [BatchHandler(e, "g", lambda _t: RULES) for e in engines]
    loads = together(monkeypatch, 2)
    try:
        await asyncio.gather(
            *(i.handle_poll([batch(n, events[n])]) for n, i in enumerate(instances))
        )
        async with engines[0].connect() as conn:
            people = await conn.scalar(
                sa.select(sa.func.count()).select_from(contacts).where(contacts.c.tenant == tenant)
            )
            owners = set(
                (
                    await conn.execute(
                        sa.select(messages.c.contact_id).where(messages.c.tenant == tenant)
                    )
                ).scalars()
            )
            holders = set(
                (
                    await conn.execute(
                        sa.select(identities.c.contact_id).where(
                            identities.c.tenant == tenant, identities.c.value == email
                        )
                    )
                ).scalars()
            )
    finally:
        for e in engines:
            await e.dispose()
    assert sum(i.stored for i in instances) >= 2
    assert people == 1, "two instances created two contacts for one person"
    assert len(owners) == 1 and holders == owners
    assert sum(i.races for i in instances) == 1 and len(loads) == 3, "the loser decided again"
