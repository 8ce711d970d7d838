"""Canned responses: a tenant's admins keep them, agents insert them rendered for the thread.

Bodies are the tenant's text with placeholders substituted by ``domain.placeholders`` (a fixed
set, never a template language)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.domain.names import label
from unifier.domain.placeholders import Rendered, render, values_for
from unifier.service.commands import CommandError, known
from unifier.store import canned_rows, thread_rows
from unifier.store.names import seen_as

_SHORTCUT = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
MAX_TITLE, MAX_BODY = 200, 5000


def checked(shortcut: str, title: str, body: str) -> dict[str, Any]:
    """The row's values, or a 422 saying which field is wrong."""
    shortcut, title = shortcut.strip().lower(), title.strip()
    if not _SHORTCUT.fullmatch(shortcut):
        raise CommandError(422, "bad_canned", "shortcut: 1-32 of a-z, 0-9, - and _")
    if not 0 < len(title) <= MAX_TITLE:
        raise CommandError(422, "bad_canned", f"title: 1-{MAX_TITLE} characters")
    if not body.strip() or len(body) > MAX_BODY:
        raise CommandError(422, "bad_canned", f"body: 1-{MAX_BODY} characters")
    return {"shortcut": shortcut, "title": title, "body": body, "updated_at": datetime.now(UTC)}


async def create(
    conn: AsyncConnection, tenant: str, shortcut: str, title: str, body: str
) -> dict[str, Any]:
    canned_id = str(uuid.uuid4())
    try:
        await canned_rows.add(conn, tenant, canned_id, **checked(shortcut, title, body))
    except canned_rows.ShortcutTaken as exc:
        raise CommandError(409, "shortcut_taken", f"shortcut {exc} is in use") from None
    return await get(conn, tenant, canned_id)


async def update(
    conn: AsyncConnection, tenant: str, canned_id: str, shortcut: str, title: str, body: str
) -> dict[str, Any]:
    try:
        found = await canned_rows.change(conn, tenant, canned_id, **checked(shortcut, title, body))
    except canned_rows.ShortcutTaken as exc:
        raise CommandError(409, "shortcut_taken", f"shortcut {exc} is in use") from None
    if not found:
        raise CommandError(404, "not_found", f"canned response {canned_id}")
    return await get(conn, tenant, canned_id)


async def delete(conn: AsyncConnection, tenant: str, canned_id: str) -> None:
    if not await canned_rows.remove(conn, tenant, canned_id):
        raise CommandError(404, "not_found", f"canned response {canned_id}")


async def get(conn: AsyncConnection, tenant: str, canned_id: str) -> dict[str, Any]:
    return known(await canned_rows.one(conn, tenant, canned_id), f"canned response {canned_id}")


async def rendered(
    conn: AsyncConnection, tenant: str, thread_id: str, canned_id: str, agent_name: str
) -> Rendered:
    """The canned response's body for this conversation and agent."""
    head = known(await thread_rows.head(conn, tenant, thread_id), f"conversation {thread_id}")
    body = (await get(conn, tenant, canned_id))["body"]
    cid = head.contact_id
    seen = (await seen_as(conn, tenant, [cid]))[cid] if cid else []
    return render(body, values_for(label(seen) or "", agent_name, thread_id))
