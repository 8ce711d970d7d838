"""Agent commands on conversations: close/reopen, merge and split. Each is an event."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import unified as un
from unifier.domain.split import SplitMessage, split_keys, split_subject
from unifier.domain.unify import reply_token
from unifier.service import sla_refresh
from unifier.service.activity import record
from unifier.service.commands import MANUAL, CommandError, event_id, known, manual_info
from unifier.service.surveys import Asking, SurveyPolicy, ask
from unifier.store import thread_rows
from unifier.store.call_marks import split_callbacks
from unifier.store.recount import fold_into, recount
from unifier.store.thread_rows import MovedMessage, ThreadHead
from unifier.store.write import write_outbox


async def _thread(conn: AsyncConnection, tenant: str, tid: str) -> ThreadHead:
    return known(await thread_rows.head(conn, tenant, tid), f"conversation {tid}")


async def set_open(
    conn: AsyncConnection,
    tenant: str,
    tid: str,
    *,
    open_: bool,
    by: str,
    survey: SurveyPolicy | None = None,
) -> un.UnifiedEvent:
    """Reopen or close (resolve); closing an open conversation asks the customer for a rating
    when ``survey`` is given (None: resolved without a survey)."""
    row = await _thread(conn, tenant, tid)
    now = datetime.now(UTC)
    await thread_rows.set_open(conn, tenant, tid, open_, now)
    event: un.UnifiedEvent
    if open_:
        event = un.ConversationOpened(
            event_id=event_id(),
            tenant=tenant,
            occurred_at=now,
            conversation_id=tid,
            contact_id=row.contact_id or "",
            reopened=True,
            decision=manual_info("manual.reopen", f"{by} reopened the conversation"),
        )
    else:
        event = un.ConversationClosed(
            event_id=event_id(), tenant=tenant, occurred_at=now, conversation_id=tid, closed_by=by
        )
    await write_outbox(conn, [event])
    kind = "reopened" if open_ else "closed"
    await record(conn, tenant, tid, kind, by, now, reason="manual")
    if survey is not None and row.open and not open_:
        await ask(conn, survey, Asking(tenant, tid, by, now))
    await sla_refresh.refresh(conn, tenant, [tid], now)  # a resolve ends, a reopen starts clocks
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
    evidence = f"{by}: {action} from conversation {src} into {dst}"
    why = {"rule": f"manual.{action}", "evidence": evidence, "rule_version": MANUAL}
    await thread_rows.move_messages(conn, tenant, ids, src, dst, why)
    for tid in (src, dst):
        await recount(conn, tenant, tid)
    now = datetime.now(UTC)
    out: list[un.UnifiedEvent] = [
        un.ThreadDecided(
            event_id=event_id(),
            tenant=tenant,
            occurred_at=now,
            conversation_id=dst,
            message_id=mid,
            action=action,
            previous_conversation_id=src,
            decision=manual_info(f"manual.{action}", evidence),
        )
        for mid in ids
    ]
    await write_outbox(conn, out)
    return out


async def merge_threads(
    conn: AsyncConnection, tenant: str, src: str, dst: str, by: str
) -> list[un.UnifiedEvent]:
    await _thread(conn, tenant, src), await _thread(conn, tenant, dst)
    if src == dst:
        raise CommandError(409, "same_conversation", "cannot merge a conversation into itself")
    ids = await thread_rows.message_ids(conn, tenant, src)
    out = await move_messages(conn, tenant, ids, src, dst, action="merge", by=by)
    now = datetime.now(UTC)
    await fold_into(conn, tenant, src, dst, now)
    await record(
        conn, tenant, src, "merged_into", by, now, into=dst, moved=len(ids), reason="manual"
    )
    await record(
        conn, tenant, dst, "merged_from", by, now, source=src, moved=len(ids), reason="manual"
    )
    await sla_refresh.refresh(conn, tenant, [src, dst], now)  # their messages moved
    return out


async def split_thread(
    conn: AsyncConnection, tenant: str, src: str, ids: list[str], by: str
) -> tuple[str, list[un.UnifiedEvent]]:
    """Move messages to a new thread with their thread keys, a reply token and a subject."""
    row = await _thread(conn, tenant, src)
    found = await thread_rows.messages_of(conn, tenant, src, ids)
    if not found or len(found) != len(set(ids)):
        raise CommandError(422, "unknown_messages", "every message must belong to the conversation")
    if len(found) == len(await thread_rows.message_ids(conn, tenant, src)):
        raise CommandError(422, "split_all", "a split leaves at least one message behind")
    moved = [SplitMessage(*r[2:]) for r in found]
    new = str(uuid.uuid5(un.UNIFIED_NAMESPACE, f"split\x1f{src}\x1f{found[0].message_id}"))
    await thread_rows.add_thread(conn, _split_off(tenant, new, row, found, moved))
    await _move_keys(conn, tenant, split_keys(moved), src, new)
    out = await move_messages(conn, tenant, ids, src, new, action="split", by=by)
    await split_callbacks(conn, tenant, src, new)
    now, n = datetime.now(UTC), len(found)
    await record(conn, tenant, src, "split", by, now, into=new, moved=n, reason="manual")
    await record(conn, tenant, new, "split_from", by, now, source=src, moved=n, reason="manual")
    await sla_refresh.refresh(conn, tenant, [src, new], now)  # their messages moved
    return new, out


def _split_off(
    tenant: str, new: str, head: ThreadHead, found: list[MovedMessage], moved: list[SplitMessage]
) -> dict[str, object]:
    """The new thread's row: the source's contact, the moved messages' span, a subject."""
    return {
        "tenant": tenant,
        "thread_id": new,
        "contact_id": head.contact_id,
        "channel_kind": found[0].channel_kind,
        "open": True,
        "opened_at": found[0].at,
        "last_message_at": found[-1].at,
        "message_count": 0,
        "subject": split_subject(moved, head.subject),
    }


async def _move_keys(
    conn: AsyncConnection, tenant: str, keys: set[str], src: str, new: str
) -> None:
    """The moved messages' keys that still lead to the source now lead to the new thread; the
    new thread's reply token is its own."""
    await thread_rows.move_keys(conn, tenant, keys, src, new)
    await thread_rows.point_keys(conn, tenant, {"tok:" + reply_token(new): new})
