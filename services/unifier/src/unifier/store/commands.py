"""Agent commands: merge/unmerge contacts, close/reopen, merge/split threads. Each is an event.

Nothing is destroyed: a merge sets a pointer that an unmerge clears, so the merged contact,
its identities (each still routing replies to its own channel address) and its threads come
back exactly as they were.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import unified as un
from unifier.store.queries import members
from unifier.store.schema import contacts, messages, participants, thread_keys, threads
from unifier.store.write import write_outbox

MANUAL = "manual"


class CommandError(Exception):
    def __init__(self, status: int, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}")
        self.status, self.reason, self.detail = status, reason, detail


def _info(rule: str, evidence: str) -> un.DecisionInfo:
    return un.DecisionInfo(rule=rule, evidence=evidence, rule_version=MANUAL)


def _eid() -> str:
    return str(uuid.uuid4())


async def _contact(conn: AsyncConnection, tenant: str, cid: str) -> sa.Row[tuple[str | None]]:
    row = (
        await conn.execute(
            sa.select(contacts.c.merged_into).where(
                contacts.c.tenant == tenant, contacts.c.contact_id == cid
            )
        )
    ).first()
    if row is None:
        raise CommandError(404, "not_found", f"contact {cid}")
    return row


async def merge_contacts(
    conn: AsyncConnection, tenant: str, source: str, target: str, by: str
) -> un.ContactMerged:
    src, _ = await _contact(conn, tenant, source), await _contact(conn, tenant, target)
    if (
        src.merged_into is not None
        or source in await members(conn, tenant, target)
        or (target in await members(conn, tenant, source))
    ):
        raise CommandError(409, "already_merged", f"{source} and {target} are already merged")
    await conn.execute(
        contacts.update()
        .where(contacts.c.tenant == tenant, contacts.c.contact_id == source)
        .values(merged_into=target)
    )
    event = un.ContactMerged(
        event_id=_eid(),
        tenant=tenant,
        occurred_at=datetime.now(UTC),
        contact_id=target,
        merged_contact_id=source,
        merged_by=by,
        decision=_info("manual.merge", f"{by} merged contact {source} into {target}"),
    )
    await write_outbox(conn, [event])
    return event


async def unmerge_contact(
    conn: AsyncConnection, tenant: str, contact_id: str, by: str
) -> un.ContactUnmerged:
    row = await _contact(conn, tenant, contact_id)
    if row.merged_into is None:
        raise CommandError(409, "not_merged", f"contact {contact_id} is not merged")
    await conn.execute(
        contacts.update()
        .where(contacts.c.tenant == tenant, contacts.c.contact_id == contact_id)
        .values(merged_into=None)
    )
    event = un.ContactUnmerged(
        event_id=_eid(),
        tenant=tenant,
        occurred_at=datetime.now(UTC),
        contact_id=row.merged_into,
        unmerged_contact_id=contact_id,
        unmerged_by=by,
        decision=_info("manual.unmerge", f"{by} split contact {contact_id} from {row.merged_into}"),
    )
    await write_outbox(conn, [event])
    return event


async def _thread(conn: AsyncConnection, tenant: str, tid: str) -> sa.Row[tuple[bool, str | None]]:
    row = (
        await conn.execute(
            sa.select(threads.c.open, threads.c.contact_id).where(
                threads.c.tenant == tenant, threads.c.thread_id == tid
            )
        )
    ).first()
    if row is None:
        raise CommandError(404, "not_found", f"conversation {tid}")
    return row  # type: ignore[return-value]


async def set_open(
    conn: AsyncConnection, tenant: str, tid: str, *, open_: bool, by: str
) -> un.UnifiedEvent:
    row = await _thread(conn, tenant, tid)
    now = datetime.now(UTC)
    await conn.execute(
        threads.update()
        .where(threads.c.tenant == tenant, threads.c.thread_id == tid)
        .values(open=open_, closed_at=None if open_ else now)
    )
    event: un.UnifiedEvent
    if open_:
        event = un.ConversationOpened(
            event_id=_eid(),
            tenant=tenant,
            occurred_at=now,
            conversation_id=tid,
            contact_id=row.contact_id or "",
            reopened=True,
            decision=_info("manual.reopen", f"{by} reopened the conversation"),
        )
    else:
        event = un.ConversationClosed(
            event_id=_eid(), tenant=tenant, occurred_at=now, conversation_id=tid, closed_by=by
        )
    await write_outbox(conn, [event])
    return event


async def move_messages(
    conn: AsyncConnection,
    tenant: str,
    ids: list[str],
    src: str,
    dst: str,
    *,
    action: Literal["merge", "split"],
    by: str,
) -> list[un.UnifiedEvent]:
    """Move messages between threads (merge or split), recount both, one event per message."""
    m = messages.c
    evidence = f"{by}: {action} from conversation {src} into {dst}"
    await conn.execute(
        messages.update()
        .where(m.tenant == tenant, m.thread_id == src, m.message_id.in_(ids))
        .values(thread_id=dst, rule=f"manual.{action}", evidence=evidence, rule_version=MANUAL)
    )
    for tid in (src, dst):
        await _recount(conn, tenant, tid)
    now = datetime.now(UTC)
    out: list[un.UnifiedEvent] = [
        un.ThreadDecided(
            event_id=_eid(),
            tenant=tenant,
            occurred_at=now,
            conversation_id=dst,
            message_id=mid,
            action=action,
            previous_conversation_id=src,
            decision=_info(f"manual.{action}", evidence),
        )
        for mid in ids
    ]
    await write_outbox(conn, out)
    return out


async def _recount(conn: AsyncConnection, tenant: str, tid: str) -> None:
    m, t = messages.c, threads.c
    stats = (
        await conn.execute(
            sa.select(sa.func.count(), sa.func.max(m.at)).where(
                m.tenant == tenant, m.thread_id == tid
            )
        )
    ).one()
    values: dict[str, object] = {"message_count": stats[0]}
    if stats[1] is not None:
        values["last_message_at"] = stats[1]
    await conn.execute(
        threads.update().where(t.tenant == tenant, t.thread_id == tid).values(values)
    )
    rows = await conn.execute(
        sa.select(m.contact_id)
        .distinct()
        .where(m.tenant == tenant, m.thread_id == tid, m.contact_id != "")
    )
    p = participants.c
    await conn.execute(participants.delete().where(p.tenant == tenant, p.thread_id == tid))
    parts = [{"tenant": tenant, "thread_id": tid, "contact_id": r.contact_id} for r in rows]
    if parts:
        await conn.execute(sa.insert(participants), parts)


async def merge_threads(
    conn: AsyncConnection, tenant: str, src: str, dst: str, by: str
) -> list[un.UnifiedEvent]:
    await _thread(conn, tenant, src), await _thread(conn, tenant, dst)
    if src == dst:
        raise CommandError(409, "same_conversation", "cannot merge a conversation into itself")
    m = messages.c
    ids = list(
        (
            await conn.execute(
                sa.select(m.message_id).where(m.tenant == tenant, m.thread_id == src)
            )
        ).scalars()
    )
    out = await move_messages(conn, tenant, ids, src, dst, action="merge", by=by)
    k, t = thread_keys.c, threads.c
    await conn.execute(
        thread_keys.update().where(k.tenant == tenant, k.thread_id == src).values(thread_id=dst)
    )
    await conn.execute(
        threads.update()
        .where(t.tenant == tenant, t.thread_id == src)
        .values(merged_into=dst, open=False, closed_at=datetime.now(UTC))
    )
    return out


async def split_thread(
    conn: AsyncConnection, tenant: str, src: str, ids: list[str], by: str
) -> tuple[str, list[un.UnifiedEvent]]:
    row = await _thread(conn, tenant, src)
    m = messages.c
    found = list(
        (
            await conn.execute(
                sa.select(m.message_id, m.channel_kind, m.at)
                .where(m.tenant == tenant, m.thread_id == src, m.message_id.in_(ids))
                .order_by(m.at)
            )
        ).all()
    )
    if not found or len(found) != len(set(ids)):
        raise CommandError(422, "unknown_messages", "every message must belong to the conversation")
    new = str(uuid.uuid5(un.UNIFIED_NAMESPACE, f"split\x1f{src}\x1f{found[0].message_id}"))
    await conn.execute(
        sa.insert(threads).values(
            tenant=tenant,
            thread_id=new,
            contact_id=row.contact_id,
            channel_kind=found[0].channel_kind,
            open=True,
            opened_at=found[0].at,
            last_message_at=found[-1].at,
            message_count=0,
            subject="",
        )
    )
    return new, await move_messages(conn, tenant, ids, src, new, action="split", by=by)
