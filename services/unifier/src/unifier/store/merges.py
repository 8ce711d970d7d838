"""Apply a plan's bridging merges (``identity.verified_merge``) in the batch's transaction.

Like an agent's merge (``service.commands.merge_contacts``) the merged contact points at the
survivor and nothing is destroyed (an unmerge gives back the messages that resolved through it).
Like ``service.thread_commands.merge_threads``, each open thread of the merged contact (and of
the contacts merged into it before) moves its messages and thread keys into the thread the
bridging message landed in, and is closed pointing at it; one ``thread.decided.v1`` (merge) per
moved message.
Runs after the plan's rows are written, so threads the batch opened are moved too.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import unified as un
from unifier.domain.working import NewMerge, Plan
from unifier.store.recount import fold_into, recount
from unifier.store.schema import contacts, messages, threads

RULE = "identity.verified_merge"


async def apply_merges(conn: AsyncConnection, tenant: str, plan: Plan) -> list[un.UnifiedEvent]:
    out: list[un.UnifiedEvent] = []
    c = contacts.c
    for m in plan.merges:
        await conn.execute(
            contacts.update()
            .where(c.tenant == tenant, c.contact_id == m.merged, c.merged_into.is_(None))
            .values(merged_into=m.into)
        )
        if m.thread_id:
            out += await _join_threads(conn, tenant, m, m.thread_id)
    return out


async def _join_threads(
    conn: AsyncConnection, tenant: str, m: NewMerge, dst: str
) -> list[un.UnifiedEvent]:
    t = threads.c
    found = await conn.execute(
        sa.select(t.thread_id)
        .where(
            t.tenant == tenant,
            t.contact_id.in_(sorted(m.members)),
            t.open == sa.true(),
            t.merged_into.is_(None),
            t.thread_id != dst,
        )
        .order_by(t.opened_at, t.thread_id)
    )
    out: list[un.UnifiedEvent] = []
    for src in list(found.scalars()):
        out += await _join(conn, tenant, m, src, dst)
    if out:
        await recount(conn, tenant, dst)
    return out


async def _join(
    conn: AsyncConnection, tenant: str, m: NewMerge, src: str, dst: str
) -> list[un.UnifiedEvent]:
    msg = messages.c
    evidence = f"conversation {src} merged into {dst}: {m.evidence}"
    ids = list(
        (
            await conn.execute(
                sa.select(msg.message_id)
                .where(msg.tenant == tenant, msg.thread_id == src)
                .order_by(msg.at, msg.message_id)
            )
        ).scalars()
    )
    await conn.execute(
        messages.update()
        .where(msg.tenant == tenant, msg.thread_id == src)
        .values(thread_id=dst, rule=RULE, evidence=evidence, rule_version=m.rule_version)
    )
    now = datetime.now(UTC)
    await fold_into(conn, tenant, src, dst, now)
    await recount(conn, tenant, src)
    why = un.DecisionInfo(rule=RULE, evidence=evidence, rule_version=m.rule_version)
    return [
        un.ThreadDecided(
            event_id=un.unified_event_id(tenant, m.source_event_id, "joined", mid),
            tenant=tenant,
            occurred_at=now,
            conversation_id=dst,
            message_id=mid,
            action="merge",
            previous_conversation_id=src,
            decision=why,
        )
        for mid in ids
    ]
