"""The conversation list as the page and the API show it: the filters from a query string, the
opaque paging cursor, and each row's derived fields (status, preview, times, channel names)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import Query
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.http import Rejected
from unifier.store import inbox_rows
from unifier.store.dialect import when
from unifier.store.inbox_rows import Key, ListQuery, Page, Row, Sort, Status, View
from unifier.store.names import add_contact_names

PREVIEW = 120  # characters of the last message shown in a row
CHANNELS = {
    "email": ("Email", "@"),
    "slack": ("Slack", "#"),
    "widget": ("Web chat", "W"),
    "whatsapp": ("WhatsApp", "WA"),
    "messenger": ("Messenger", "M"),
    "instagram": ("Instagram", "IG"),
    "x": ("X", "X"),
    "telegram": ("Telegram", "TG"),
    "sms": ("SMS", "SMS"),
    "voice": ("Phone", "☎"),
}


@dataclass(frozen=True)
class Filters:
    """The list's query string: the same for ``/inbox``, ``/inbox/list`` and the API."""

    view: View = "all"
    status: Status | None = None
    channel: str | None = None
    label: str | None = None
    assignee: str | None = None
    q: str | None = None
    limit: int = 50
    needs_callback: bool = False
    sort: Sort = "recent"

    def params(self, **extra: str | None) -> dict[str, str]:
        """The fields that are set (and ``extra``) as query parameters; status none is "any"."""
        out = {
            "view": self.view,
            "status": self.status or "any",
            "channel": self.channel,
            "label": self.label,
            "assignee": self.assignee,
            "q": self.q,
            "limit": str(self.limit) if self.limit != 50 else None,
            "needs_callback": "true" if self.needs_callback else None,
            "sort": self.sort if self.sort != "recent" else None,
            **extra,
        }
        return {k: v for k, v in out.items() if v}

    def url(self, path: str, **extra: str | None) -> str:
        return f"{path}?{urlencode(self.params(**extra))}"


def filters_for(default: Status | None) -> Callable[..., Filters]:
    """A FastAPI dependency reading the list's query string; a missing ``status`` is
    ``default``, ``any`` is every status; empty form fields mean "no filter"."""

    def read(
        view: View = "all",
        status: Status | Literal["any"] | None = None,
        channel: str | None = None,
        label: str | None = None,
        assignee: str | None = None,
        q: Annotated[str | None, Query(description="text search", max_length=200)] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        needs_callback: Annotated[
            bool, Query(description="only conversations waiting for a call back")
        ] = False,
        sort: Annotated[
            Sort, Query(description="recent: newest first; due: the earliest SLA due time first")
        ] = "recent",
    ) -> Filters:
        chosen = default if status is None else None if status == "any" else status
        given = (_blank(channel), _blank(label), _blank(assignee), _blank(q))
        return Filters(view, chosen, *given, limit, needs_callback, sort)

    return read


def _blank(value: str | None) -> str | None:
    return (value or "").strip() or None


def query(f: Filters, tenant: str, agent_id: str, now: datetime, cursor: str | None) -> ListQuery:
    return ListQuery(
        tenant=tenant,
        agent_id=agent_id,
        now=now,
        view=f.view,
        status=f.status,
        channel=f.channel,
        label=f.label,
        assignee=f.assignee,
        text=f.q,
        needs_callback=f.needs_callback,
        sort=f.sort,
        after=decode_cursor(cursor) if cursor else None,
        limit=f.limit,
    )


def with_contacts(q: ListQuery, contacts: list[str]) -> ListQuery:
    return replace(q, contacts=contacts)


def encode_cursor(key: Key) -> str:
    raw = json.dumps([key.at.isoformat(), key.thread_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Key:
    """400 for anything this module did not write."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, tid = json.loads(raw)
        return Key(when(datetime.fromisoformat(at)), str(tid))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise Rejected(400, "bad_cursor", "the cursor is not one this list gave out") from None


def next_cursor(page: Page) -> str | None:
    return encode_cursor(page.next) if page.next else None


def present(row: Row, now: datetime) -> Row:
    """The row with its derived fields, timestamps as ISO strings (JSON and templates alike)."""
    snoozed = row["snoozed_until"] and when(row["snoozed_until"]) > now
    row["status"] = "closed" if not row["open"] else "snoozed" if snoozed else "open"
    row["unread"] = max(0, int(row["unread"]))
    row["needs_callback"] = bool(row.get("needs_callback"))
    row["preview"] = _preview(row.pop("last"))
    row["channel_names"] = [CHANNELS.get(c, (c, c))[0] for c in row["channels"]]
    at = when(row["last_message_at"])
    row["ago"] = ago(at, now)
    row["at_label"] = at.strftime("%Y-%m-%d %H:%M UTC")
    row["sla"] = sla_badge(row.get("sla_status"), row.get("sla_due_at"), now)
    row["sig"] = _signature(row)
    for k in (
        "sla_due_at",
        "sla_next_at",
        "waiting_since",
        "opened_at",
        "last_message_at",
        "closed_at",
        "snoozed_until",
        "callback_due_at",
        "callback_done_at",
    ):
        if row.get(k):
            row[k] = when(row[k]).isoformat()
    return row


def sla_badge(status: str | None, due: datetime | str | None, now: datetime) -> Row | None:
    """The row's SLA badge: its state (a CSS class) and its text; None without clocks."""
    if status is None:
        return None
    due_at = when(due) if due else None
    if status == "breached" or (due_at is not None and due_at <= now):
        return {"state": "breached", "text": "SLA breached", "title": "A target was missed"}
    if status == "paused":
        return {"state": "paused", "text": "SLA paused", "title": "Waiting or snoozed"}
    left = "due" if due_at is None else f"due in {_until(due_at, now)}"
    title = "" if due_at is None else f"Due {due_at.strftime('%Y-%m-%d %H:%M:%S UTC')}"
    if status == "warning":
        return {"state": "warning", "text": f"SLA warning: {left}", "title": title}
    return {"state": "running", "text": left.capitalize(), "title": title}


def _until(at: datetime, now: datetime) -> str:
    seconds = max(0, int((at - now).total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{seconds // 86400} d"


def _signature(row: Row) -> str:
    """Changes whenever anything the row shows does (the live list replaces only those)."""
    shown = json.dumps(row, sort_keys=True, default=str).encode()
    return hashlib.blake2s(shown, digest_size=8).hexdigest()


def _preview(last: Row | None) -> dict[str, Any] | None:
    if last is None:
        return None
    text = "message deleted" if last["deleted"] else " ".join((last["text"] or "").split())
    short = text if len(text) <= PREVIEW else text[: PREVIEW - 1].rstrip() + "…"
    return {
        "text": short,
        "direction": last["direction"],
        "deleted": bool(last["deleted"]),
        "author": last["author"],
    }


def ago(at: datetime, now: datetime) -> str:
    """ "now", "5 min", "3 h", "2 d", else the date: short enough for a row."""
    seconds = max(0, int((now - at).total_seconds()))
    if seconds < 60:
        return "now"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    if seconds < 7 * 86400:
        return f"{seconds // 86400} d"
    return at.strftime("%d %b %Y") if at.year != now.year else at.strftime("%d %b")


def channel_label(kind: str) -> tuple[str, str]:
    """(accessible name, short badge text) of a channel kind."""
    return CHANNELS.get(kind, (kind, kind[:3].upper()))


async def load(conn: AsyncConnection, q: ListQuery) -> tuple[list[Row], str | None]:
    """One page: presented rows with contact names, and the cursor of the next (or None)."""
    found = await inbox_rows.page(conn, q)
    await add_contact_names(conn, q.tenant, found.rows)
    return [present(r, q.now) for r in found.rows], next_cursor(found)
