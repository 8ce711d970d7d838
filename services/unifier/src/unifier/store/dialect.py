"""What differs between SQLite and PostgreSQL: set-based inserts (plain, ignore, upsert) and
"column in values" lookups."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from unifier.store.bulk import compile_once, execute_rows

RowDict = dict[str, Any]
COPY_MIN = 200  # rows: below this a COPY's extra round trips cost more than it saves


Finish = Callable[[Any], Any]  # the dialect's INSERT -> the statement (ON CONFLICT ...)


async def _write(
    conn: AsyncConnection,
    table: sa.Table,
    name: str,
    finish: Finish | None,
    rows: Sequence[RowDict],
) -> None:
    """SQLite: executemany. PostgreSQL: plain inserts of many rows by binary COPY; the rest as
    one ``INSERT .. SELECT FROM unnest(arrays) [ON CONFLICT ..]`` (a column per array) instead
    of a Bind/Execute per row."""
    if not rows:
        return
    done = finish or (lambda s: s)
    if conn.dialect.name != "postgresql":
        await execute_rows(conn, name, lambda: done(sqlite.insert(table)), rows)
        return
    if finish is None and len(rows) >= COPY_MIN:
        await _copy(conn, table, rows)
        return
    keys = list(rows[0])

    def build() -> Any:
        return done(postgresql.insert(table).from_select(keys, _unnest(table, keys)))

    compiled = compile_once(conn, "pg-" + name, build, keys)
    columns = {k: [r[k] for r in rows] for k in keys}
    await conn.exec_driver_sql(compiled.sql, compiled.args(columns))


async def _copy(conn: AsyncConnection, table: sa.Table, rows: Sequence[RowDict]) -> None:
    """asyncpg's binary COPY on the connection of the caller's transaction. COPY bypasses
    SQLAlchemy, so a statement through it first makes sure that transaction has begun."""
    await conn.exec_driver_sql("SELECT 1")
    keys = list(rows[0])
    get = itemgetter(*keys)
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    await driver.copy_records_to_table(table.name, records=[get(r) for r in rows], columns=keys)


def _unnest(table: sa.Table, keys: Sequence[str]) -> sa.Select[Any]:
    arrays = [sa.bindparam(k, type_=ARRAY(table.c[k].type)) for k in keys]
    each = sa.func.unnest(*arrays).table_valued(*keys).render_derived()
    return sa.select(*(each.c[k] for k in keys))


async def insert_ignore(conn: AsyncConnection, table: sa.Table, rows: Sequence[RowDict]) -> None:
    await _write(conn, table, "ignore:" + table.name, lambda s: s.on_conflict_do_nothing(), rows)


async def upsert(
    conn: AsyncConnection, table: sa.Table, rows: Sequence[RowDict], update: Sequence[str]
) -> None:
    pk = [c.name for c in table.primary_key.columns]

    def finish(stmt: Any) -> Any:
        return stmt.on_conflict_do_update(
            index_elements=pk, set_={c: getattr(stmt.excluded, c) for c in update}
        )

    key = itemgetter(*pk)
    last = {key(r): r for r in rows}  # one statement: the last row per key
    await _write(
        conn, table, f"upsert:{table.name}:{','.join(update)}", finish, list(last.values())
    )


async def insert(conn: AsyncConnection, table: sa.Table, rows: Sequence[RowDict]) -> None:
    await _write(conn, table, "insert:" + table.name, None, rows)


async def insert_strict(conn: AsyncConnection, table: sa.Table, rows: Sequence[RowDict]) -> None:
    """A plain insert that is never a COPY: a duplicate key raises SQLAlchemy's
    ``IntegrityError`` (asyncpg's COPY would raise its own error, bypassing SQLAlchemy)."""
    await _write(conn, table, "strict:" + table.name, lambda s: s, rows)


def select_in(
    conn: AsyncConnection,
    cols: Sequence[sa.ColumnElement[Any]],
    column: sa.Column[Any],
    order_by: sa.Column[Any] | None = None,
    also_in: sa.Column[Any] | None = None,
) -> Callable[[], sa.Select[Any]]:
    """``SELECT cols WHERE tenant = :tenant AND column IN :values`` (one parameter each), for
    ``fetch_rows`` with ``{"tenant": .., "values": values_param(conn, values)}``.

    ``also_in``: and that column is in ``:also``, checked against each row ``column`` found (a
    hashed set), never through an index: an index on both lists makes both planners probe
    every pair (seconds for thousands of each)."""
    table = column.table

    def build() -> sa.Select[Any]:
        if conn.dialect.name == "postgresql":
            inside = column == sa.any_(sa.bindparam("values", type_=ARRAY(column.type)))
        else:
            inside = column.in_(_each(conn, "values"))
        stmt = sa.select(*cols).where(table.c.tenant == sa.bindparam("tenant"), inside)
        if also_in is not None:
            stmt = stmt.where(also_in.concat(sa.literal_column("''")).in_(_each(conn, "also")))
        return stmt if order_by is None else stmt.order_by(order_by)

    return build


def _each(conn: AsyncConnection, name: str) -> sa.Select[Any]:
    """The rows of one list parameter (``values_param``)."""
    if conn.dialect.name == "postgresql":
        return sa.select(sa.func.unnest(sa.bindparam(name, type_=ARRAY(sa.String))))
    each = sa.func.json_each(sa.bindparam(name, type_=sa.String)).table_valued("value")
    return sa.select(each.c.value)


def values_param(conn: AsyncConnection, values: Sequence[Any]) -> Any:
    return list(values) if conn.dialect.name == "postgresql" else json.dumps(list(values))


def when(value: datetime | str) -> datetime:
    """A stored timestamp as an aware UTC datetime (SQLite raw rows give strings)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def chunks(values: Sequence[Any], size: int = 500) -> list[Sequence[Any]]:
    return [values[i : i + size] for i in range(0, len(values), size)] or [[]]
