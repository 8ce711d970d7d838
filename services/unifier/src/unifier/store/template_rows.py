"""The rows of approved message templates (per tenant and channel account) and the customer
message a WhatsApp window is measured from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store.dialect import when
from unifier.store.schema import messages
from unifier.store.schema_templates import reply_templates

_t, _m = reply_templates.c, messages.c
Row = dict[str, Any]
APPROVED = "APPROVED"


class LastWritten(NamedTuple):
    """The customer's latest message of a thread on one channel: when, and to which account."""

    at: datetime
    account_id: str


def _view(r: Any) -> Row:
    d = dict(r._mapping)
    d["updated_at"] = when(d["updated_at"]).isoformat()
    return d


async def list_templates(
    conn: AsyncConnection, tenant: str, account_id: str | None = None, *, approved: bool = False
) -> list[Row]:
    q = sa.select(reply_templates).where(_t.tenant == tenant)
    if account_id is not None:
        q = q.where(_t.account_id == account_id)
    if approved:
        q = q.where(_t.status == APPROVED)
    rows = await conn.execute(q.order_by(_t.account_id, _t.name, _t.language))
    return [_view(r) for r in rows]


async def find_template(
    conn: AsyncConnection, tenant: str, account_id: str, name: str, language: str
) -> Row | None:
    q = sa.select(reply_templates).where(
        _t.tenant == tenant, _t.account_id == account_id, _t.name == name, _t.language == language
    )
    row = (await conn.execute(q)).first()
    return None if row is None else _view(row)


async def add_template(conn: AsyncConnection, row: Row) -> None:
    """A new template (an IntegrityError when that name and language exist for the account)."""
    await conn.execute(sa.insert(reply_templates).values(**row))


async def replace_templates(
    conn: AsyncConnection, tenant: str, account_id: str, rows: Sequence[Row]
) -> int:
    """The account's templates become ``rows`` (a provider sync); how many it no longer has."""
    mine = sa.and_(_t.tenant == tenant, _t.account_id == account_id)
    had = {
        (r.name, r.language)
        for r in await conn.execute(sa.select(_t.name, _t.language).where(mine))
    }
    await conn.execute(reply_templates.delete().where(mine))
    if rows:
        await conn.execute(sa.insert(reply_templates), list(rows))
    return len(had - {(r["name"], r["language"]) for r in rows})


async def remove_template(
    conn: AsyncConnection, tenant: str, account_id: str, name: str, language: str
) -> bool:
    done = await conn.execute(
        reply_templates.delete().where(
            _t.tenant == tenant,
            _t.account_id == account_id,
            _t.name == name,
            _t.language == language,
        )
    )
    return bool(done.rowcount)


async def last_written(
    conn: AsyncConnection, tenant: str, thread_id: str, channel: str
) -> LastWritten | None:
    """The customer's latest message of the thread on ``channel``."""
    q = (
        sa.select(_m.at, _m.account_id)
        .where(
            _m.tenant == tenant,
            _m.thread_id == thread_id,
            _m.channel_kind == channel,
            _m.role == "customer",
            _m.direction == "inbound",
        )
        .order_by(_m.at.desc())
        .limit(1)
    )
    row = (await conn.execute(q)).first()
    return None if row is None else LastWritten(when(row.at), row.account_id)
