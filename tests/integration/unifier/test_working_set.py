"""The working-set load on both databases: a thread's participants are read for the batch's
contacts only (a busy shared thread has tens of thousands), and the non-participant email rule
still sees contacts merged into the sender, and threads anyone else wrote in."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline import events as ev
from tests.integration.unifier.harness import decide_batch
from tests.unit.unifier.factory import ident, message
from unifier.domain.rules import RuleSet
from unifier.service import commands
from unifier.store import load
from unifier.store.load import load_working_set
from unifier.store.schema import messages, participants

pytestmark = pytest.mark.integration
T = "acme"
H = timedelta(hours=1)
PHONE = ident("phone", "+4915100000001")
CROWD = 300


@pytest.fixture(params=["scanned", "looked_up"], autouse=True)
def participants_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both ways a thread's participants are read: scanned and filtered (most threads), or
    looked up contact by contact (a busy thread, past ``load.BUSY_THREAD`` messages)."""
    if request.param == "looked_up":
        monkeypatch.setattr(load, "BUSY_THREAD", -1)


async def decide(engine: AsyncEngine, events: Sequence[ev.MessageReceived]) -> list[str]:
    """One batch as the unifier runs it; the rules that fired, in order."""
    return [m.rule for m in (await decide_batch(engine, T, events)).messages]


async def contact_of(engine: AsyncEngine, pmid: str) -> tuple[str, str]:
    m = messages.c
    q = sa.select(m.contact_id, m.thread_id).where(m.tenant == T, m.provider_message_id == pmid)
    async with engine.connect() as conn:
        row = (await conn.execute(q)).one()
    return row.contact_id, row.thread_id


def reply(pmid: str, handle: str, ids: list[ev.Identifier], at: timedelta) -> ev.MessageReceived:
    hints = ev.ThreadHints(message_id=f"<{pmid}@x>", in_reply_to=["<e1@x>"])
    return message(pmid, tenant=T, handle=handle, ids=ids, at=at, hints=hints)


async def test_a_crowded_thread_loads_only_the_batch_participants(engine: AsyncEngine) -> None:
    await decide(engine, [message("e1", tenant=T, ids=[ident("email", "alice@example.test")])])
    alice, thread = await contact_of(engine, "e1")
    crowd = [{"tenant": T, "thread_id": thread, "contact_id": f"c{i}"} for i in range(CROWD)]
    async with engine.begin() as conn:
        await conn.execute(sa.insert(participants), crowd)
        ws = await load_working_set(conn, T, [reply("e2", "alice@example.test", [], H)], RuleSet())
    row = ws.threads[thread]
    assert row.has_participants and row.participants == set()  # unknown sender: nobody's
    e3 = reply("e3", "alice@example.test", [ident("email", "alice@example.test")], H)
    async with engine.connect() as conn:
        ws = await load_working_set(conn, T, [e3], RuleSet())
    assert ws.threads[thread].participants == {alice}


async def test_a_contact_merged_into_the_sender_counts_as_a_participant(
    engine: AsyncEngine,
) -> None:
    """Alice wrote e1 by email; her WhatsApp contact is another one until an agent merges the
    email contact into it. Her reply from a new address carrying the verified phone resolves
    to the WhatsApp contact, which is not stored as a participant: only its merged email
    contact is. The reply joins; a stranger's reply still starts a new thread."""
    await decide(engine, [message("e1", tenant=T, ids=[ident("email", "alice@example.test")])])
    wa = message("w1", "whatsapp", tenant=T, handle="+4915100000001", ids=[PHONE], at=H)
    assert await decide(engine, [wa]) == ["group.by_contact"]
    (email_contact, thread), (wa_contact, _) = (
        await contact_of(engine, "e1"),
        await contact_of(engine, "w1"),
    )
    async with engine.begin() as conn:
        await commands.merge_contacts(conn, T, email_contact, wa_contact, "agent:1")
    work = reply("e2", "alice@work.test", [ident("email", "alice@work.test"), PHONE], 2 * H)
    stranger = reply("e3", "mallory@evil.test", [ident("email", "mallory@evil.test")], 3 * H)
    assert await decide(engine, [work]) == ["email.in_reply_to"]
    assert await contact_of(engine, "e2") == (wa_contact, thread)
    assert await decide(engine, [stranger]) == ["email.non_participant"]
    assert (await contact_of(engine, "e3"))[1] != thread
