"""Channel accounts' rows: JSON columns decoded here, so callers see dicts."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store.dialect import when
from unifier.store.schema_channels import channel_accounts

_c = channel_accounts.c
JSON_COLUMNS = ("settings", "secrets")


class AccountTaken(Exception):
    """(kind, account_id) is already some tenant's."""


def _row(r: Any) -> dict[str, Any]:
    out = dict(r._mapping)
    for name in JSON_COLUMNS:
        out[name] = json.loads(out[name])
    out["created_at"] = when(out["created_at"]).isoformat()
    out["updated_at"] = when(out["updated_at"]).isoformat()
    return out


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    return {k: json.dumps(v) if k in JSON_COLUMNS else v for k, v in values.items()}


async def all_of(conn: AsyncConnection, tenant: str) -> list[dict[str, Any]]:
    q = channel_accounts.select().where(_c.tenant == tenant).order_by(_c.kind, _c.account_id)
    return [_row(r) for r in await conn.execute(q)]


async def every(conn: AsyncConnection) -> list[dict[str, Any]]:
    """Every tenant's accounts (the start-up key check)."""
    q = channel_accounts.select().order_by(_c.kind, _c.account_id)
    return [_row(r) for r in await conn.execute(q)]


async def owner(conn: AsyncConnection, kind: str, account_id: str) -> dict[str, Any] | None:
    """The account whichever tenant has it (an account routes to one tenant only)."""
    q = channel_accounts.select().where(_c.kind == kind, _c.account_id == account_id)
    found = (await conn.execute(q)).first()
    return None if found is None else _row(found)


async def one(
    conn: AsyncConnection, tenant: str, kind: str, account_id: str
) -> dict[str, Any] | None:
    found = await owner(conn, kind, account_id)
    return found if found is not None and found["tenant"] == tenant else None


async def add(conn: AsyncConnection, **values: Any) -> None:
    """``values``: every column; version starts at 1. No savepoint: every caller ends the
    transaction on ``AccountTaken`` (and on SQLite a savepoint opening the transaction would
    commit it on release, past a later rollback)."""
    try:
        await conn.execute(sa.insert(channel_accounts).values(version=1, **_stored(values)))
    except IntegrityError:
        raise AccountTaken(f"{values['kind']}:{values['account_id']}") from None


async def change(
    conn: AsyncConnection, tenant: str, kind: str, account_id: str, **values: Any
) -> bool:
    """Set ``values`` and bump the version; False when the tenant has no such account."""
    done = await conn.execute(
        channel_accounts.update()
        .where(_c.tenant == tenant, _c.kind == kind, _c.account_id == account_id)
        .values(version=_c.version + 1, **_stored(values))
    )
    return bool(done.rowcount)


async def remove(conn: AsyncConnection, tenant: str, kind: str, account_id: str) -> bool:
    done = await conn.execute(
        channel_accounts.delete().where(
            _c.tenant == tenant, _c.kind == kind, _c.account_id == account_id
        )
    )
    return bool(done.rowcount)
