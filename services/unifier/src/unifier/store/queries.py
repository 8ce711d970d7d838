"""Read side for the agent API: conversations, threads with decisions, contacts with identities."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.domain import message_files
from unifier.domain import names as naming
from unifier.domain.exchange import placeholder_id
from unifier.store import survey_rows
from unifier.store.call_views import add_calls, needs_callback
from unifier.store.contacts import merge_children, merge_pointers, merged_members
from unifier.store.dialect import when
from unifier.store.names import add_contact_names, add_sender_names, seen_of
from unifier.store.schema import contacts, identities, messages, suggestions, threads

Row = dict[str, Any]


def _row(r: Any) -> Row:
    out = dict(r._mapping)
    for k, v in out.items():
        if hasattr(v, "tzinfo"):
            out[k] = when(v).isoformat()
    return out


async def members(conn: AsyncConnection, tenant: str, contact_id: str) -> list[str]:
    """The contact plus every contact merged into it (transitively)."""
    return merged_members(contact_id, merge_children(await merge_pointers(conn, tenant)))


async def list_conversations(
    conn: AsyncConnection,
    tenant: str,
    *,
    status: str | None = None,
    channel: str | None = None,
    contact: str | None = None,
    text: str | None = None,
    limit: int = 50,
) -> list[Row]:
    t, m = threads.c, messages.c
    q = sa.select(threads).where(t.tenant == tenant, t.merged_into.is_(None))
    if status:
        q = q.where(t.open.is_(status == "open"))
    if contact:
        q = q.where(t.contact_id.in_(await members(conn, tenant, contact)))
    if channel:
        q = q.where(_has_message(m.channel_kind == channel))
    if text:
        q = q.where(_has_message(sa.func.lower(m.text).contains(text.lower(), autoescape=True)))
    rows = await conn.execute(q.order_by(t.last_message_at.desc()).limit(limit))
    out = [_row(r) for r in rows]
    await add_contact_names(conn, tenant, out)
    return out


def _has_message(cond: sa.ColumnElement[bool]) -> sa.Exists:
    m = messages.c
    return (
        sa.select(m.message_id)
        .where(m.tenant == threads.c.tenant, m.thread_id == threads.c.thread_id, cond)
        .exists()
    )


async def get_thread(conn: AsyncConnection, tenant: str, thread_id: str) -> Row | None:
    t, m = threads.c, messages.c
    found = (
        await conn.execute(
            sa.select(threads, needs_callback().label("needs_callback")).where(
                t.tenant == tenant, t.thread_id == thread_id
            )
        )
    ).first()
    if found is None:
        return None
    rows = await conn.execute(
        sa.select(messages)
        .where(m.tenant == tenant, m.thread_id == thread_id)
        .order_by(m.at, m.message_id)
    )
    out = _row(found)
    out["messages"] = [_message(r) for r in rows]
    out["replies"] = [  # agent replies and their delivery status (also among the messages)
        {"reply_id": m["reply_id"], "status": m["status"], "created_at": m["at"]}
        for m in out["messages"]
        if m["direction"] == "outbound"
    ]
    await add_sender_names(conn, tenant, out)
    await add_calls(conn, tenant, out)
    out["surveys"] = await survey_rows.of_thread(conn, tenant, thread_id, datetime.now(UTC))
    return out


def _message(r: Any) -> Row:
    """A message as agents see it: a deleted one without its text or history; an outbound one
    with its author and status (no provider id until the channel reported it)."""
    d = _row(r)
    d.update(message_files.describe(d.pop("payload")))  # described, never returned raw
    d["reactions"] = json.loads(d["reactions"])
    d["triage"] = json.loads(d["triage"] or "[]")  # language, category, priority: source, why
    history = json.loads(d.pop("history") or "[]")
    d["history"] = (
        [] if d["deleted"] else [{k: v for k, v in h.items() if k != "event"} for h in history]
    )
    if d["deleted"]:
        d.update(text=None, has_html=False, attachments=[])
    if d["reply_id"] and d["provider_message_id"] == placeholder_id(d["reply_id"]):
        d["provider_message_id"] = None
    d["decision"] = {
        "rule": d.pop("rule"),
        "evidence": d.pop("evidence"),
        "rule_version": d.pop("rule_version"),
    }
    return d


async def get_contact(conn: AsyncConnection, tenant: str, contact_id: str) -> Row | None:
    c, i = contacts.c, identities.c
    found = (
        await conn.execute(
            sa.select(contacts).where(c.tenant == tenant, c.contact_id == contact_id)
        )
    ).first()
    if found is None:
        return None
    ids = await members(conn, tenant, contact_id)
    out = _row(found)
    out["merged_contacts"] = ids[1:]
    seen = await seen_of(conn, tenant, ids)
    out["display_name"] = naming.label(seen)  # else the latest handle, formatted by channel
    out["names"] = naming.names(seen)
    rows = await conn.execute(
        sa.select(identities)
        .where(i.tenant == tenant, i.contact_id.in_(ids))
        .order_by(i.kind, i.value)
    )
    out["identities"] = [_identity(r) for r in rows]
    out["suggestions"] = await contact_suggestions(conn, tenant, contact_id)
    return out


def _identity(r: Any) -> Row:
    """An identity with its level, source and the evidence of its link."""
    d = _row(r)
    d["evidence"] = {
        "message_id": d.pop("link_event_id"),
        "rule": d.pop("rule"),
        "evidence": d.pop("evidence"),
    }
    return d


def suggestion_view(r: Any, mine: list[str]) -> dict[str, Any]:
    here, other = (
        (r.contact_id, r.suggested_contact_id)
        if r.contact_id in mine
        else (r.suggested_contact_id, r.contact_id)
    )
    ident = {"kind": r.kind, "value": r.value, "level": r.level} if r.kind else None
    return {
        "suggestion_id": r.suggestion_id,
        "contact_id": here,
        "suggested_contact_id": other,
        "status": r.status,
        "identity": ident,
        "evidence": r.evidence,
        "rule": r.rule,
        "source_event_id": r.source_event_id,
        "decided_by": r.decided_by,
        "decided_at": when(r.decided_at).isoformat() if r.decided_at else None,
    }


async def contact_suggestions(
    conn: AsyncConnection, tenant: str, contact_id: str
) -> list[dict[str, Any]]:
    """Suggestions involving the contact or a contact merged into it, either side of the pair."""
    mine = await members(conn, tenant, contact_id)
    s = suggestions.c
    rows = await conn.execute(
        sa.select(suggestions)
        .where(
            s.tenant == tenant,
            sa.or_(s.contact_id.in_(mine), s.suggested_contact_id.in_(mine)),
        )
        .order_by(s.suggestion_id)
    )
    return [suggestion_view(r, mine) for r in rows]
