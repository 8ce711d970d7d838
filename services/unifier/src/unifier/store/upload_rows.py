"""The rows of files uploaded for replies: one per (tenant, blob), the first upload's name and
type kept when the same bytes come again."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store.schema_uploads import reply_uploads

_u = reply_uploads.c
Row = dict[str, Any]


async def add_upload(conn: AsyncConnection, row: Row) -> Row:
    """Record the upload unless this tenant has these bytes already; the stored row."""
    found = await find_uploads(conn, row["tenant"], [row["ref"]])
    if row["ref"] not in found:
        await conn.execute(sa.insert(reply_uploads).values(**row))
        return row
    return found[row["ref"]]


async def find_uploads(conn: AsyncConnection, tenant: str, refs: Sequence[str]) -> dict[str, Row]:
    """This tenant's uploads among ``refs``, by ref (another tenant's are not there)."""
    if not refs:
        return {}
    q = sa.select(reply_uploads).where(_u.tenant == tenant, _u.ref.in_(list(refs)))
    return {r.ref: dict(r._mapping) for r in await conn.execute(q)}
