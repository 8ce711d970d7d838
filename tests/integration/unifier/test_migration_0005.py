"""Migration 0005 on both databases: identities keep every row with the level derived from
``verified``; suggestions get an id and stay open; down again keeps them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.integration.unifier.test_migrations import to
from unifier.store.engine import create_engine

pytestmark = pytest.mark.integration

IDENTITY = (
    "INSERT INTO identities (tenant, kind, value, verified, contact_id, source, channel_kind,"
    " account_id, handle) VALUES ('acme', 'email', :value, :verified, :contact, 'dkim', 'email',"
    " 'support@acme.test', :value)"
)
SUGGESTION = (
    "INSERT INTO suggestions (tenant, contact_id, suggested_contact_id, evidence)"
    " VALUES ('acme', 'c2', 'c1', 'same From without DKIM')"
)


async def test_0005_derives_levels_and_keeps_every_row(dsn: str) -> None:
    engine = create_engine(dsn)
    await to(engine, "0003")
    async with engine.begin() as conn:
        for value, verified, contact in [("a@x", True, "c1"), ("a@x", False, "c2")]:
            await conn.execute(
                sa.text(IDENTITY), {"value": value, "verified": verified, "contact": contact}
            )
        await conn.execute(sa.text(SUGGESTION))
    await to(engine, "0005")
    async with engine.connect() as conn:
        levels = await conn.execute(
            sa.text("SELECT contact_id, level, verified FROM identities ORDER BY contact_id")
        )
        assert [tuple(r) for r in levels] == [
            ("c1", "provider_verified", True),
            ("c2", "unverified", False),
        ]
        row = (await conn.execute(sa.text("SELECT suggestion_id, status FROM suggestions"))).one()
        assert tuple(row) == ("c2:c1", "open")
    async with engine.begin() as conn:  # the same address at another linking level: a new row
        await conn.execute(
            sa.text(
                "INSERT INTO identities (tenant, kind, value, level, verified, contact_id, source,"
                " channel_kind, account_id, handle) VALUES ('acme', 'email', 'a@x', 'site_signed',"
                " true, 'c1', 'widget', 'widget', 'site1', 'v-1')"
            )
        )
    await to(engine, "0003", down=True)
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.text("SELECT contact_id, verified FROM identities ORDER BY contact_id")
        )
        assert [tuple(r) for r in rows] == [("c1", True), ("c2", False)]
        assert (await conn.execute(sa.text("SELECT count(*) FROM suggestions"))).scalar() == 1
    await engine.dispose()
