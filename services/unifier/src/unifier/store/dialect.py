"""The two statements that differ between SQLite and PostgreSQL: insert-ignore and upsert."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store.bulk import execute_rows


def _insert(conn: AsyncConnection, table: sa.Table) -> Any:
    module = postgresql if conn.dialect.name == "postgresql" else sqlite
    return module.insert(table)


async def insert_ignore(
    conn: AsyncConnection, table: sa.Table, rows: Sequence[dict[str, Any]]
) -> None:
    await execute_rows(
        conn, "ignore:" + table.name, lambda: _insert(conn, table).on_conflict_do_nothing(), rows
    )


async def upsert(
    conn: AsyncConnection, table: sa.Table, rows: Sequence[dict[str, Any]], update: Sequence[str]
) -> None:
    def build() -> Any:
        stmt = _insert(conn, table)
        keys = [c.name for c in table.primary_key.columns]
        return stmt.on_conflict_do_update(
            index_elements=keys, set_={c: getattr(stmt.excluded, c) for c in update}
        )

    await execute_rows(conn, f"upsert:{table.name}:{','.join(update)}", build, rows)


async def insert(conn: AsyncConnection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    await execute_rows(conn, "insert:" + table.name, lambda: sa.insert(table), rows)


def select_in(
    conn: AsyncConnection,
    cols: Sequence[sa.Column[Any]],
    column: sa.Column[Any],
    order_by: sa.Column[Any] | None = None,
) -> Callable[[], sa.Select[Any]]:
    """``SELECT cols WHERE tenant = :tenant AND column IN :values`` (one parameter each), for
    ``fetch_rows`` with ``{"tenant": .., "values": values_param(conn, values)}``."""
    table = column.table

    def build() -> sa.Select[Any]:
        if conn.dialect.name == "postgresql":
            inside = column == sa.any_(sa.bindparam("values", type_=ARRAY(column.type)))
        else:
            each = sa.func.json_each(sa.bindparam("values", type_=sa.String)).table_valued("value")
            inside = column.in_(sa.select(each.c.value))
        stmt = sa.select(*cols).where(table.c.tenant == sa.bindparam("tenant"), inside)
        return stmt if order_by is None else stmt.order_by(order_by)

    return build


def values_param(conn: AsyncConnection, values: Sequence[Any]) -> Any:
    return list(values) if conn.dialect.name == "postgresql" else json.dumps(list(values))


def when(value: datetime | str) -> datetime:
    """A stored timestamp as an aware UTC datetime (SQLite raw rows give strings)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes: everything stored is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def chunks(values: Sequence[Any], size: int = 500) -> list[Sequence[Any]]:
    return [values[i : i + size] for i in range(0, len(values), size)] or [[]]
