"""Set-based statements compiled once per dialect and executed with positional rows.

What it does: ``conn.execute(stmt, rows)`` has SQLAlchemy build its cache key, check each
row's dict and run a bind processor per value on every call. Here a statement is compiled once
per (dialect, name, columns) and each row becomes a tuple in the compiled parameter order with
only the conversions the driver needs (SQLite's datetime text, remembered for UTC values; bytes
as they are); the driver's executemany runs it inside the caller's transaction. Queries
(``fetch_rows``) come back as the driver's rows, without SQLAlchemy's result processing.

What it costs: it reads SQLAlchemy's compiled form (``positiontup`` and the private
``_bind_processors``), so a column type whose bind conversion is not handled in ``_processor``
must be added there; callers get raw driver values (on SQLite datetimes as text and booleans as
integers: ``dialect.when`` and ``bool()`` read them); SQLite's datetime text is written here as
well (a unit test checks it is SQLAlchemy's); compiled statements stay cached for the process.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import Executable

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class Compiled:
    sql: str
    names: tuple[str, ...]
    procs: tuple[Processor, ...]

    def args(self, params: Mapping[str, Any]) -> tuple[Any, ...]:
        pairs = zip(self.names, self.procs, strict=True)
        return tuple(p(params[n]) if p else params[n] for n, p in pairs)

    def rows(self, rows: Sequence[Mapping[str, Any]]) -> list[Sequence[Any]]:
        get = itemgetter(*self.names)
        if len(self.names) == 1:
            return [(get(r),) for r in rows]
        converted = [(i, p) for i, p in enumerate(self.procs) if p]
        if not converted:
            return [get(r) for r in rows]
        out: list[Sequence[Any]] = []
        for r in rows:
            values = list(get(r))
            for i, p in converted:
                values[i] = p(values[i])
            out.append(tuple(values))
        return out


def sqlite_datetime(value: datetime | None) -> str | None:
    """SQLAlchemy's SQLite DATETIME storage format ("2026-11-24 22:11:51.000000", the fields
    as given, no offset), made by ``isoformat`` instead of %-formatting a dict; UTC values are
    remembered (a message's time is written again as its thread's ``last_message_at``)."""
    if value is None:
        return None
    if value.tzinfo is not UTC:  # equal instants in other zones are other texts
        return value.replace(tzinfo=None).isoformat(" ", "microseconds")
    text = _FORMATTED.get(value)
    if text is None:
        if len(_FORMATTED) >= _FORMATTED_MAX:
            _FORMATTED.clear()
        text = _FORMATTED[value] = value.replace(tzinfo=None).isoformat(" ", "microseconds")
    return text


_FORMATTED: dict[datetime, str] = {}
_FORMATTED_MAX = 50_000


_CACHE: dict[tuple[str, str, tuple[str, ...]], Compiled] = {}


def compile_once(
    conn: AsyncConnection, name: str, build: Callable[[], Executable], keys: Sequence[str]
) -> Compiled:
    cache_key = (conn.dialect.name, name, tuple(keys))
    found = _CACHE.get(cache_key)
    if found is None:
        found = _CACHE[cache_key] = _compile(conn.dialect, build(), keys)
    return found


def _compile(dialect: sa.Dialect, stmt: Executable, keys: Sequence[str]) -> Compiled:
    assert isinstance(stmt, sa.ClauseElement)
    c = stmt.compile(dialect=dialect, column_keys=list(keys))
    assert isinstance(c, SQLCompiler)
    names = tuple(c.positiontup or ())
    return Compiled(c.string, names, tuple(_processor(c, n) for n in names))


def _processor(c: SQLCompiler, name: str) -> Processor:
    kind = c.binds[name].type
    if isinstance(kind, sa.LargeBinary):
        return None
    if isinstance(kind, sa.DateTime) and c.dialect.name == "sqlite":
        return sqlite_datetime
    proc = c._bind_processors.get(name)  # SQLAlchemy's own per-bind conversion
    assert proc is None or callable(proc), "tuple-typed binds are not used here"
    return proc


async def execute_rows(
    conn: AsyncConnection,
    name: str,
    build: Callable[[], Executable],
    rows: Sequence[Mapping[str, Any]],
) -> None:
    """Run ``build()`` once per row (executemany); ``name`` identifies the statement."""
    if not rows:
        return
    compiled = compile_once(conn, name, build, list(rows[0]))
    await conn.exec_driver_sql(compiled.sql, compiled.rows(rows))


async def fetch_rows(
    conn: AsyncConnection,
    name: str,
    build: Callable[[], Executable],
    params: Mapping[str, Any],
) -> Sequence[sa.Row[Any]]:
    """Run a compiled-once query; rows come back as the driver gives them (no result types:
    SQLite datetimes are strings, see ``dialect.when``)."""
    compiled = compile_once(conn, name, build, ())
    result = await conn.exec_driver_sql(compiled.sql, compiled.args(params))
    return result.all()
