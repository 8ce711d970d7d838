"""The rows an unmerge gives back: messages whose sender resolved through the unmerged contact
(``messages.resolved_contact_id``), their threads' participants and owner, the contact's
latest thread, and the identities an accepted suggestion confirmed.

Rare agent command: it reads the tenant's messages by ``resolved_contact_id`` (no index, which
would cost every inbound insert; the column is NULL unless a merge was followed)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store.dialect import insert_ignore
from unifier.store.schema import identities, messages, participants, threads

_m, _p, _t, _i = messages.c, participants.c, threads.c, identities.c


def _resolved_elsewhere(tenant: str, mine: list[str]) -> sa.ColumnElement[bool]:
    """Messages resolved through one of ``mine`` but stored on a contact outside them."""
    return sa.and_(
        _m.tenant == tenant, _m.resolved_contact_id.in_(mine), _m.contact_id.not_in(mine)
    )


async def resolved_elsewhere(
    conn: AsyncConnection, tenant: str, mine: list[str]
) -> list[tuple[str, str]]:
    """(thread, contact it is stored on) of each such message."""
    q = sa.select(_m.thread_id, _m.contact_id).where(_resolved_elsewhere(tenant, mine))
    return [(tid, cid) for tid, cid in await conn.execute(q)]


async def give_back(conn: AsyncConnection, tenant: str, mine: list[str], contact_id: str) -> None:
    """Those messages move to ``contact_id``."""
    where = _resolved_elsewhere(tenant, mine)
    await conn.execute(messages.update().where(where).values(contact_id=contact_id))


async def latest_thread(conn: AsyncConnection, tenant: str, contact_id: str) -> str | None:
    """The contact's most recent unmerged thread it is a participant of."""
    q = (
        sa.select(_t.thread_id)
        .join(participants, sa.and_(_p.tenant == _t.tenant, _p.thread_id == _t.thread_id))
        .where(_t.tenant == tenant, _p.contact_id == contact_id, _t.merged_into.is_(None))
        .order_by(_t.last_message_at.desc(), _t.thread_id.desc())
        .limit(1)
    )
    latest: str | None = await conn.scalar(q)
    return latest


async def add_participant(conn: AsyncConnection, tenant: str, tid: str, contact_id: str) -> None:
    row = {"tenant": tenant, "thread_id": tid, "contact_id": contact_id}
    await insert_ignore(conn, participants, [row])


async def has_messages_of(conn: AsyncConnection, tenant: str, tid: str, contact_id: str) -> bool:
    q = (
        sa.select(_m.message_id)
        .where(_m.tenant == tenant, _m.thread_id == tid, _m.contact_id == contact_id)
        .limit(1)
    )
    return (await conn.execute(q)).first() is not None


async def hand_over(conn: AsyncConnection, tenant: str, tid: str, old: str, new: str) -> None:
    """``old`` leaves the thread's participants; the thread it owned is ``new``'s."""
    await conn.execute(
        participants.delete().where(_p.tenant == tenant, _p.thread_id == tid, _p.contact_id == old)
    )
    await conn.execute(
        threads.update()
        .where(_t.tenant == tenant, _t.thread_id == tid, _t.contact_id == old)
        .values(contact_id=new)
    )


async def drop_confirmations(
    conn: AsyncConnection, tenant: str, contact_id: str, rule: str
) -> None:
    """The contact's ``agent_confirmed`` identities recorded under ``rule``."""
    await conn.execute(
        identities.delete().where(
            _i.tenant == tenant,
            _i.contact_id == contact_id,
            _i.level == "agent_confirmed",
            _i.rule == rule,
        )
    )
