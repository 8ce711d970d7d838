"""The working-set load on both databases: a dismissed pair of contacts stays dismissed, also
after one of them was merged into a third contact."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline import events as ev
from tests.integration.unifier.harness import decide_batch
from tests.unit.unifier.factory import ident, message
from unifier.domain.working import Plan
from unifier.service import commands, suggestions

pytestmark = pytest.mark.integration
T = "acme"
H = timedelta(hours=1)
PHONE = "+4915100000031"


async def decide(engine: AsyncEngine, events: Sequence[ev.MessageReceived]) -> Plan:
    return await decide_batch(engine, T, events)


def unproven(pmid: str, at: timedelta) -> ev.MessageReceived:
    """A message whose phone nothing proves (an unverified claim): a suggestion, never a link."""
    ids = [ident("phone", PHONE, level="unverified")]
    return message(pmid, "sms", tenant=T, handle=PHONE, at=at, ids=ids)


async def test_a_dismissed_pair_stays_dismissed_after_a_merge(engine: AsyncEngine) -> None:
    s = (await decide(engine, [unproven("s1", 0 * H)])).messages[0].contact_id
    wa = message("w1", "whatsapp", tenant=T, handle=PHONE, at=H,
                 ids=[ident("phone", PHONE, level="provider_verified")])  # fmt: skip
    plan = await decide(engine, [wa])
    w, [pair] = plan.messages[0].contact_id, plan.suggestions
    mail = message("e1", tenant=T, handle="x@example.test", at=2 * H,
                   ids=[ident("email", "x@example.test", level="dmarc_aligned")])  # fmt: skip
    x = (await decide(engine, [mail])).messages[0].contact_id
    async with engine.begin() as conn:
        await suggestions.dismiss(conn, T, w, pair.suggestion_id, "agent:1")
        await commands.merge_contacts(conn, T, s, x, "agent:1")
    plan = await decide(engine, [unproven("s2", 3 * H)])
    assert (plan.messages[0].contact_id, plan.messages[0].resolved_contact_id) == (x, s)
    assert plan.suggestions == []  # (x, w) is the dismissed (s, w)
    fresh = message("w2", "whatsapp", tenant=T, handle="+4915100000032", at=4 * H,
                    ids=[ident("phone", "+4915100000032", level="provider_verified")])  # fmt: skip
    await decide(engine, [fresh])
    other = message("s3", "sms", tenant=T, handle="+4915100000032", at=5 * H,
                    ids=[ident("phone", "+4915100000032", level="unverified")])  # fmt: skip
    assert len((await decide(engine, [other])).suggestions) == 1  # another pair: suggested
