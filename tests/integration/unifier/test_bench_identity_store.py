"""make bench-identity's pre-filled store (bench.identity_store) on both databases: its bulk
rows are the rows the unifier itself writes for a person's first email and first WhatsApp
message, and the bench traffic's stored senders resolve to them (identity.verified_match)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.identity_bench import sender
from bench.identity_store import fill_store
from bench.unifier_bench import message
from hotline import events as ev
from unifier.domain.rules import RuleSet
from unifier.domain.unify import unify
from unifier.store.engine import create_engine, migrate
from unifier.store.load import load_working_set
from unifier.store.schema import contacts, identities
from unifier.store.write import write_plan

pytestmark = pytest.mark.integration
T = "acme"
PEOPLE = 40
# derived from the message that carried them, which differs between the two stores
DERIVED = {"contact_id", "link_event_id"}


async def run(engine: AsyncEngine, events: Sequence[ev.MessageReceived]) -> list[str]:
    """One batch as the unifier runs it; the identity rules that linked identities."""
    async with engine.begin() as conn:
        ws = await load_working_set(conn, T, events, RuleSet())
        plan = unify(ws, [(e, ev.encode(e)) for e in events], RuleSet())
        await write_plan(conn, ws, plan)
    return [i.rule for i in plan.identities]


async def rows(engine: AsyncEngine, table: sa.Table, **where: str) -> list[dict[str, Any]]:
    q = sa.select(table).where(*(table.c[k] == v for k, v in where.items()))
    async with engine.connect() as conn:
        return [dict(r._mapping) for r in (await conn.execute(q)).all()]


async def test_filled_rows_are_the_unifiers_own(dsn: str, tmp_path: Path) -> None:
    """Person 7's first email and first WhatsApp message, handled by the unifier in an empty
    store, write the identity rows the bulk fill wrote for person 7."""
    filled = await fill_store(dsn, T, PEOPLE)
    assert (filled["contacts"], filled["identities"]) == (PEOPLE, 3 * PEOPLE)
    written = create_engine(f"sqlite:///{tmp_path}/written.db")
    engine = create_engine(dsn)
    try:
        await migrate(written)
        await run(written, [message(T, "email", 1, sender("email", 7))])
        await run(written, [message(T, "whatsapp", 2, sender("whatsapp", 7))])
        ours = comparable(await rows(written, identities))
        handles = {r["handle"] for r in ours}
        bulk = comparable([r for r in await rows(engine, identities) if r["handle"] in handles])
        assert len(ours) == 3
        assert bulk == ours
        assert len(await rows(engine, contacts, tenant=T)) == PEOPLE
    finally:
        await written.dispose()
        await engine.dispose()


def comparable(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows by kind, without the columns derived from the carrying message's id."""
    return sorted(({k: v for k, v in r.items() if k not in DERIVED} for r in found),
                  key=lambda r: str(r["kind"]))  # fmt: skip


async def test_stored_senders_resolve_to_the_filled_contacts(dsn: str) -> None:
    await fill_store(dsn, T, PEOPLE, only={3, 5})
    engine = create_engine(dsn)
    try:
        stored = {r["value"]: r["contact_id"] for r in await rows(engine, identities)}
        email = message(T, "email", 1, sender("email", 3))
        widget = message(T, "widget", 2, sender("widget", 5))
        stranger = message(T, "whatsapp", 3, sender("whatsapp", PEOPLE + 1))
        rules = await run(engine, [email, widget, stranger])
        assert rules.count("identity.verified_match") == 2  # the widget's visitor and email
        assert rules.count("identity.new_contact") == 2  # the stranger's wa_id and phone
        contact_of = {r["value"]: r["contact_id"] for r in await rows(engine, identities)}
        widget_ids = widget.sender.identifiers
        assert {contact_of[i.value] for i in widget_ids} == {stored[widget_ids[1].value]}
        assert len(await rows(engine, contacts, tenant=T)) == 3
    finally:
        await engine.dispose()
