"""The two statements that differ between SQLite and PostgreSQL: insert-ignore and upsert."""

from __future__ import annotations

import json
from collections.abc import Sequence
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


def member(conn: AsyncConnection, column: Any, values: Sequence[Any]) -> Any:
    """``column IN values`` with one parameter. PostgreSQL: ``= ANY(array)``, one cached plan,
    and the index is used even while the planner has no statistics yet."""
    if conn.dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam(None, list(values), type_=ARRAY(column.type)))
    # SQLite: one JSON parameter instead of one per value (compiled and cached once)
    each = sa.func.json_each(sa.bindparam(None, json.dumps(list(values)))).table_valued("value")
    return column.in_(sa.select(each.c.value))


def utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes: everything stored is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def chunks(values: Sequence[Any], size: int = 500) -> list[Sequence[Any]]:
    return [values[i : i + size] for i in range(0, len(values), size)] or [[]]
