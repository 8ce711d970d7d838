"""PostgreSQL restarts under the unifier: nothing committed is lost, nothing is stored twice."""

from __future__ import annotations

import asyncio
import uuid

import sqlalchemy as sa

from tests.integration.unifier.conftest import PgCluster, new_pg_database
from tests.integration.unifier.harness import eventually, publish, running, settings_for
from tests.unit.unifier.factory import whatsapp_run
from unifier.store.schema import messages, threads


async def test_consumer_survives_a_database_restart(kafka: str, postgres: PgCluster) -> None:
    tenant, dsn = "d" + uuid.uuid4().hex[:8], new_pg_database(postgres)

    async with running(settings_for(kafka, dsn)) as rt:

        async def counts() -> tuple[int, int]:
            async with rt.engine.connect() as conn:
                m = (
                    await conn.execute(
                        sa.select(sa.func.count()).where(messages.c.tenant == tenant)
                    )
                ).scalar_one()
                t = (
                    await conn.execute(
                        sa.select(sa.func.coalesce(sa.func.sum(threads.c.message_count), 0)).where(
                            threads.c.tenant == tenant
                        )
                    )
                ).scalar_one()
            return int(m), int(t)

        await publish(kafka, whatsapp_run(tenant, 0, 10, people=7))

        async def first() -> bool:
            return (await counts())[0] == 10

        await eventually(first)
        await asyncio.to_thread(postgres.stop)
        try:
            await publish(kafka, whatsapp_run(tenant, 10, 40, people=7))
            await asyncio.sleep(4.0)  # the loop exhausts its retries and is restarted
        finally:
            await asyncio.to_thread(postgres.start)

        async def rest() -> bool:
            return (await counts())[0] == 50

        await eventually(rest, timeout=60)
        assert await counts() == (50, 50)
