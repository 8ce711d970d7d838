"""Labels: the tenant's catalogue and a conversation's labels. Each change is an event
(``conversation.labels.changed.v1``) and a line in the thread's activity."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import unified as un
from unifier.domain import labels as naming
from unifier.service.activity import record
from unifier.service.commands import CommandError, event_id
from unifier.store import label_rows, thread_rows
from unifier.store.write import write_outbox

MAX_PER_CHANGE = 20


def _names(given: Iterable[str]) -> list[str]:
    try:
        out = list(dict.fromkeys(naming.normalise(n) for n in given))
    except naming.BadLabel as exc:
        raise CommandError(422, "bad_label", str(exc)) from None
    if len(out) > MAX_PER_CHANGE:
        raise CommandError(422, "bad_label", f"at most {MAX_PER_CHANGE} labels at once")
    return out


async def create_label(
    conn: AsyncConnection, tenant: str, name: str, color: str | None = None
) -> dict[str, str | None]:
    """Add a label to the catalogue (or change its color)."""
    (label,) = _names([name])
    try:
        hue = naming.color(color)
    except naming.BadLabel as exc:
        raise CommandError(422, "bad_label", str(exc)) from None
    await label_rows.ensure(conn, tenant, [label], datetime.now(UTC))
    await label_rows.set_color(conn, tenant, label, hue)
    return {"label": label, "color": hue}


async def change_labels(
    conn: AsyncConnection,
    tenant: str,
    thread_id: str,
    by: str,
    *,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
) -> list[str]:
    """The conversation's labels after adding and removing (labels new to the tenant join its
    catalogue). Nothing changed: no event, no activity."""
    if await thread_rows.head(conn, tenant, thread_id) is None:
        raise CommandError(404, "not_found", f"conversation {thread_id}")
    adding, removing = _names(add), _names(remove)
    before = await label_rows.of_thread(conn, tenant, thread_id)
    added = [n for n in adding if n not in before]
    removed = [n for n in removing if n in before and n not in adding]
    if not added and not removed:
        return before
    now = datetime.now(UTC)
    await label_rows.ensure(conn, tenant, added, now)
    await label_rows.attach(conn, tenant, thread_id, added)
    await label_rows.detach(conn, tenant, thread_id, removed)
    after = await label_rows.of_thread(conn, tenant, thread_id)
    await write_outbox(conn, [_changed(tenant, thread_id, by, now, after, added, removed)])
    await record(
        conn, tenant, thread_id, "labels", by, now, added=added, removed=removed, reason="manual"
    )
    return after


def _changed(
    tenant: str,
    tid: str,
    by: str,
    now: datetime,
    after: list[str],
    added: list[str],
    removed: list[str],
) -> un.ConversationLabelsChanged:
    return un.ConversationLabelsChanged(
        event_id=event_id(),
        tenant=tenant,
        occurred_at=now,
        conversation_id=tid,
        labels=after,
        added=added,
        removed=removed,
        by=by,
    )


def _given(params: dict[str, Any]) -> list[str]:
    labels = params.get("labels", ())
    if isinstance(labels, str):
        return [labels]
    if not isinstance(labels, list | tuple) or not all(isinstance(x, str) for x in labels):
        raise CommandError(422, "bad_label", "labels: a list of names")
    return list(labels)


async def label(
    conn: AsyncConnection, tenant: str, thread_id: str, by: str, **params: Any
) -> list[str]:
    """Bulk command: add ``labels`` (a name or a list of names)."""
    return await change_labels(conn, tenant, thread_id, by, add=_given(params))


async def unlabel(
    conn: AsyncConnection, tenant: str, thread_id: str, by: str, **params: Any
) -> list[str]:
    """Bulk command: remove ``labels`` (a name or a list of names)."""
    return await change_labels(conn, tenant, thread_id, by, remove=_given(params))
