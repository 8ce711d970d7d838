"""What the WhatsApp template picker shows for a conversation: whether the customer's 24-hour
window is closed, the account's approved templates, the chosen one with its values and the
text it would send."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.domain.reply_templates import placeholder_count, render, window_closed
from unifier.store import template_rows, thread_rows

CHANNEL = "whatsapp"


def key_of(t: dict[str, Any]) -> str:
    """A template's value in the picker: "name|language"."""
    return f"{t['name']}|{t['language']}"


def ago(age: timedelta) -> str:
    hours = int(age.total_seconds() // 3600)
    return f"{hours // 24} days ago" if hours >= 48 else f"{hours} hours ago"


def _filled(body: str, params: list[str]) -> tuple[list[str], str]:
    """The values (one per placeholder) and the preview; an empty value shows as ``{{n}}``."""
    n = placeholder_count(body)
    values = (params + [""] * n)[:n]
    return values, render(body, [v or f"{{{{{i + 1}}}}}" for i, v in enumerate(values)])


async def picker_model(
    conn: AsyncConnection, tenant: str, tid: str, key: str = "", shown: str = "",
    params: list[str] | None = None,
) -> dict[str, Any] | None:  # fmt: skip
    """None when the conversation does not exist; ``window``: none | open | closed."""
    if await thread_rows.head(conn, tenant, tid) is None:
        return None
    model: dict[str, Any] = {"conversation_id": tid, "window": "none", "chosen": None}
    last = await template_rows.last_written(conn, tenant, tid, CHANNEL)
    now = datetime.now(UTC)
    if last is None:
        return model
    model |= {"window": "closed" if window_closed(last.at, now) else "open"}
    model |= {"ago": ago(now - last.at), "account_id": last.account_id}
    found = await template_rows.list_templates(conn, tenant, last.account_id, approved=True)
    model |= {"templates": [{**t, "key": key_of(t)} for t in found]}
    chosen = next((t for t in model["templates"] if t["key"] == key), None)
    if chosen is not None:
        values, preview = _filled(chosen["body"], (params or []) if key == shown else [])
        model |= {"chosen": chosen, "values": values, "preview": preview}
    model["idempotency_key"] = str(uuid.uuid4())
    return model
