"""Write a plan: set-based statements, all inside the caller's transaction."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import events as ev
from hotline import unified as un
from unifier.domain.working import Plan, ThreadRow, WorkingSet
from unifier.store.activity_rows import activity_row
from unifier.store.activity_rows import add as add_activity
from unifier.store.bulk import execute_rows
from unifier.store.call_rows import write_calls
from unifier.store.claims import write_claims
from unifier.store.dialect import insert, insert_ignore, upsert
from unifier.store.merges import apply_merges
from unifier.store.schema import (
    contacts,
    held,
    identities,
    messages,
    outbox,
    participants,
    suggestions,
    thread_keys,
    threads,
)
from unifier.store.triage_rows import higher_priority, triage_json


async def write_plan(conn: AsyncConnection, ws: WorkingSet, plan: Plan) -> None:
    t = ws.tenant
    now = datetime.now(UTC)
    await write_claims(conn, t, plan.claims)  # first: a lost race fails before other writes
    await insert_ignore(
        conn,
        contacts,
        [
            {"tenant": t, "contact_id": c, "merged_into": None, "created_at": now}
            for c in plan.contacts
        ],
    )
    await insert_ignore(conn, identities, [{"tenant": t, **vars(i)} for i in plan.identities])
    await insert_ignore(
        conn, suggestions, [{"tenant": t, "status": "open", **vars(s)} for s in plan.suggestions]
    )
    await _threads(conn, ws, plan)
    await insert_ignore(
        conn,
        participants,
        [
            {"tenant": t, "thread_id": tid, "contact_id": c}
            for tid, c in sorted(plan.new_participants)
        ],
    )
    await upsert(
        conn,
        thread_keys,
        [{"tenant": t, "key": k, "thread_id": v} for k, v in plan.keys.items()],
        ["thread_id"],
    )
    await _messages(conn, ws, plan)
    await write_calls(conn, ws, plan)
    await _held(conn, ws, plan)
    await _woken(conn, t, plan)
    await _reopened(conn, t, plan)
    joined = await apply_merges(conn, t, plan) if plan.merges else []
    await write_outbox(conn, plan.outbox + joined)


def thread_values(t: str, row: ThreadRow) -> dict[str, Any]:
    return {
        "tenant": t,
        "thread_id": row.thread_id,
        "contact_id": row.contact_id,
        "channel_kind": row.channel_kind,
        "open": row.open,
        "opened_at": row.opened_at,
        "last_message_at": row.last_message_at,
        "closed_at": row.closed_at,
        "message_count": row.message_count,
        "subject": row.subject,
        "language": row.language,
        "category": row.category,
        "priority": row.priority,
    }


async def _threads(conn: AsyncConnection, ws: WorkingSet, plan: Plan) -> None:
    new = [thread_values(ws.tenant, ws.threads[tid]) for tid in sorted(plan.new_threads)]
    await insert(conn, threads, new)
    changed = [
        {
            "b_tenant": ws.tenant,
            "b_thread_id": tid,
            "b_open": r.open,
            "b_last": r.last_message_at,
            "b_closed": r.closed_at,
            "b_count": r.message_count,
            "b_wake": tid in plan.woken,
            "b_language": r.language,
            "b_category": r.category,
            "b_priority": r.priority,
        }
        for tid in sorted(plan.touched_threads - plan.new_threads)
        for r in (ws.threads[tid],)
    ]
    await execute_rows(conn, "update:threads", _thread_update, changed)


def _thread_update() -> sa.Update:
    c = threads.c
    return (
        threads.update()
        .where(c.tenant == sa.bindparam("b_tenant"), c.thread_id == sa.bindparam("b_thread_id"))
        .values(
            open=sa.bindparam("b_open"),
            last_message_at=sa.bindparam("b_last"),
            closed_at=sa.bindparam("b_closed"),
            message_count=sa.bindparam("b_count"),
            snoozed_until=sa.case(  # a customer message wakes a snoozed thread
                (sa.bindparam("b_wake", type_=sa.Boolean), sa.null()), else_=c.snoozed_until
            ),
            # triage: the latest confident customer language; none this batch keeps the old
            language=sa.func.coalesce(sa.bindparam("b_language", type_=sa.String), c.language),
            category=sa.func.coalesce(c.category, sa.bindparam("b_category", type_=sa.String)),
            priority=higher_priority(c.priority, sa.bindparam("b_priority", type_=sa.String)),
        )
    )


async def _woken(conn: AsyncConnection, tenant: str, plan: Plan) -> None:
    """The thread shows why it woke: one activity row per woken thread (the event's id, so a
    batch run again writes none), at the time it woke."""
    if not plan.woken:
        return
    now = datetime.now(UTC)
    rows = [
        activity_row(
            tenant,
            e.event_id,
            e.conversation_id,
            now,
            "woken",
            None,
            {"reason": "customer message"},
        )
        for e in plan.outbox
        if isinstance(e, un.ConversationSnoozed) and e.conversation_id in plan.woken
    ]
    await add_activity(conn, rows)


async def _reopened(conn: AsyncConnection, tenant: str, plan: Plan) -> None:
    """A customer message reopened a closed thread: a ``reopened_by_message`` row at the
    message's time (the SLA clocks' reopen fact; the event's id, so a replay writes none)."""
    rows = [
        activity_row(
            tenant,
            e.event_id,
            e.conversation_id,
            e.occurred_at,
            "reopened_by_message",
            None,
            {"reason": "customer message"},
        )
        for e in plan.outbox
        if isinstance(e, un.ConversationOpened) and e.reopened
    ]
    await add_activity(conn, rows)


async def _messages(conn: AsyncConnection, ws: WorkingSet, plan: Plan) -> None:
    rows = []
    for m in plan.messages:
        state = ws.messages[(m.channel_kind, m.provider_message_id)]
        rows.append(
            {
                "tenant": ws.tenant,
                "message_id": m.event_id,
                "channel_kind": m.channel_kind,
                "provider_message_id": m.provider_message_id,
                "account_id": m.account_id,
                "thread_id": m.thread_id,
                "contact_id": m.contact_id,
                "resolved_contact_id": m.resolved_contact_id,
                "sender_handle": m.sender_handle,
                "sender_name": m.sender_name,
                "role": m.role,
                "at": m.at,
                "text": state.text,
                "edited": state.edited,
                "deleted": state.deleted,
                "reactions": json.dumps(state.reactions),
                "status": state.status,
                "history": json.dumps(state.history) if state.history else None,
                "rule": m.rule,
                "evidence": m.evidence,
                "rule_version": m.rule_version,
                "payload": m.payload,
                "language": m.language,
                "triage": triage_json(m.triage),
            }
        )
    await insert(conn, messages, rows)
    inserted = {(m.channel_kind, m.provider_message_id) for m in plan.messages}
    await update_messages(conn, ws, plan.updated_messages - inserted)


async def update_messages(
    conn: AsyncConnection, ws: WorkingSet, keys: set[tuple[str, str]]
) -> None:
    await execute_rows(
        conn,
        "update:messages",
        _message_update,
        [
            {
                "b_tenant": ws.tenant,
                "b_pmid": k[1],
                "b_kind": k[0],
                "b_text": s.text,
                "b_edited": s.edited,
                "b_deleted": s.deleted,
                "b_reactions": json.dumps(s.reactions),
                "b_status": s.status,
                "b_detail": s.status_detail,
                "b_history": json.dumps(s.history) if s.history else None,
            }
            for k in sorted(keys)
            for s in (ws.messages[k],)
        ],
    )


def _message_update() -> sa.Update:
    c = messages.c
    return (
        messages.update()
        .where(  # the primary key (message_id has no index)
            c.tenant == sa.bindparam("b_tenant"),
            c.provider_message_id == sa.bindparam("b_pmid"),
            c.channel_kind == sa.bindparam("b_kind"),
        )
        .values(
            text=sa.bindparam("b_text"),
            edited=sa.bindparam("b_edited"),
            deleted=sa.bindparam("b_deleted"),
            reactions=sa.bindparam("b_reactions"),
            status=sa.bindparam("b_status"),
            status_detail=sa.bindparam("b_detail"),
            history=sa.bindparam("b_history"),
        )
    )


async def _held(conn: AsyncConnection, ws: WorkingSet, plan: Plan) -> None:
    now = datetime.now(UTC)
    add = [
        {
            "tenant": ws.tenant,
            "channel_kind": k[0],
            "target_id": k[1],
            "payload": ev.encode(e),
            "held_at": now,
        }
        for k, e in plan.held_add
        if k not in plan.held_done
    ]
    await insert(conn, held, add)
    done = [
        {"b_tenant": ws.tenant, "b_kind": kind, "b_target": target}
        for kind, target in sorted(plan.held_done)
    ]
    await execute_rows(conn, "delete:held", _held_delete, done)


def _held_delete() -> sa.Delete:
    h = held.c
    return held.delete().where(
        h.tenant == sa.bindparam("b_tenant"),
        h.channel_kind == sa.bindparam("b_kind"),
        h.target_id == sa.bindparam("b_target"),
    )


async def write_outbox(conn: AsyncConnection, events: list[un.UnifiedEvent]) -> None:
    await insert(
        conn,
        outbox,
        [
            {
                "topic": un.unified_topic(e),
                "key": un.unified_key(e),
                "event_type": un.unified_tag(e),
                "event_id": e.event_id,
                "payload": un.encode(e),
            }
            for e in events
        ],
    )
