"""What ``_thread_actions.html`` shows of a conversation: its state, labels, the tenant's
catalogue and canned responses, and the conversations it could be merged into."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.http import Rejected
from unifier.entrypoints.api import calls
from unifier.entrypoints.api.auth import Principal
from unifier.store import activity_rows, canned_rows, label_rows, queries, sla_rows, thread_rows

MERGE_CHOICES = 20


async def actions_model(
    conn: AsyncConnection, tenant: str, cid: str, notice: str = ""
) -> dict[str, Any]:
    head = await thread_rows.head(conn, tenant, cid)
    if head is None:
        raise Rejected(404, "not_found", f"conversation {cid}")
    snoozed = head.snoozed_until if head.snoozed_until and head.snoozed_until > _now() else None
    waiting = (await sla_rows.heads(conn, tenant, [cid]))[cid].waiting_since
    return {
        "conversation": {
            "id": cid,
            "open": head.open,
            "subject": head.subject,
            "snoozed_until": snoozed.isoformat() if snoozed else None,
            "waiting_since": waiting.isoformat() if waiting else None,
        },
        "labels": await label_rows.of_thread(conn, tenant, cid),
        "catalogue": await label_rows.catalogue(conn, tenant),
        "canned": await canned_rows.all_of(conn, tenant),
        "merge_choices": await _merge_choices(conn, tenant, cid, head.contact_id),
        "notice": notice,
    }


def _now() -> datetime:
    return datetime.now(UTC)


async def _merge_choices(
    conn: AsyncConnection, tenant: str, cid: str, contact: str | None
) -> list[dict[str, Any]]:
    """The same contact's other conversations, open ones first, then the latest."""
    if not contact:
        return []
    rows = await queries.list_conversations(conn, tenant, contact=contact, limit=MERGE_CHOICES + 1)
    others = [r for r in rows if r["thread_id"] != cid][:MERGE_CHOICES]
    return sorted(others, key=lambda r: not r["open"])


async def page_model(conn: AsyncConnection, tenant: str, cid: str) -> dict[str, Any]:
    """The standalone page: a plain timeline (messages and activity) with the actions
    included as the thread pane includes them (given only the thread, they load themselves)."""
    thread = await queries.get_thread(conn, tenant, cid)
    if thread is None:
        raise Rejected(404, "not_found", f"conversation {cid}")
    return {
        "thread": thread,
        "messages": thread["messages"],
        "activity": await activity_rows.of_thread(conn, tenant, cid),
    }


async def load(request: Request, who: Principal, cid: str, notice: str = "") -> dict[str, Any]:
    return await calls.read(request, lambda c: actions_model(c, who.tenant, cid, notice))
