"""Text search for the inbox list: ``text_match(column, query)``, a boolean clause the list
query puts in its "has a message matching" condition.

PostgreSQL: full-text search with the ``simple`` configuration (no stemming, no stop words:
names, order numbers and any language match as typed), every word of the query must occur, the
last one as a prefix (so a half-typed word finds). The expression is exactly the one migration
0012 indexes (``ix_messages_text_search``, GIN), so the planner can use that index.
SQLite (no index): every word of the query must occur as a substring, case-insensitively.
A query without any word matches everything (no filter).

Which plan finds a page (PostgreSQL): for a word in many messages, walking the threads newest
first and probing each one's messages finds 50 after a few hundred threads; for a rare word the
GIN index finds its few messages first. The planner's own choice between the two flips with its
statistics and chose the index for common words, seconds instead of milliseconds, so ``walks``
decides from the planner's estimate of matching messages (one EXPLAIN, about a millisecond) and
the list query is written in the form that forces the chosen plan (figures: bench/profiling.md).
"""

from __future__ import annotations

import json
import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

from unifier.store.schema import messages

WORD = re.compile(r"\w+")
MAX_WORDS = 8  # a pasted paragraph is not a search; its first words are
TS_CONFIG = "simple"  # the migration's index expression uses the same literal
WALK_FROM = 10_000  # expected matching messages from which walking the threads is the plan


def words(query: str) -> list[str]:
    """The query's words, lower-cased, at most MAX_WORDS (punctuation is not searchable)."""
    return [w.lower() for w in WORD.findall(query)][:MAX_WORDS]


def ts_query(query: str) -> str:
    """A ``to_tsquery`` input built from words only (so nothing the user typed is parsed as
    tsquery syntax): every word required, the last a prefix."""
    found = words(query)
    return " & ".join([*found[:-1], found[-1] + ":*"]) if found else ""


class TextMatch(ColumnElement[bool]):
    """``column`` contains ``query`` (per dialect, see the module docstring)."""

    inherit_cache = False
    type = sa.Boolean()

    def __init__(self, column: ColumnElement[str], query: str) -> None:
        self.column = column
        self.query = query


def text_match(column: ColumnElement[str], query: str) -> ColumnElement[bool]:
    """The search predicate on a text column; ``sa.true()`` when the query has no word."""
    if not words(query):
        return sa.true()
    return TextMatch(column, query)


@compiles(TextMatch, "postgresql")
def _postgresql(element: TextMatch, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    query = compiler.process(sa.literal(ts_query(element.query), sa.String), **kw)
    return f"to_tsvector('{TS_CONFIG}', {column}) @@ to_tsquery('{TS_CONFIG}', {query})"


@compiles(TextMatch)
def _substrings(element: TextMatch, compiler: Any, **kw: Any) -> str:
    clauses = [
        sa.func.lower(element.column).contains(w, autoescape=True) for w in words(element.query)
    ]
    return str(compiler.process(sa.and_(*clauses), **kw))


async def walks(conn: AsyncConnection, tenant: str, query: str) -> bool:
    """Whether the list should walk threads newest first (see the module docstring)."""
    if conn.dialect.name != "postgresql" or not words(query):
        return False
    m = messages.c
    compiled = (
        sa.select(sa.literal(1))
        .where(m.tenant == tenant, text_match(m.text, query))
        .compile(dialect=conn.dialect)
    )
    params = tuple(compiled.params[k] for k in compiled.positiontup or ())
    plan = (await conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}", params)).scalar_one()
    doc: list[dict[str, Any]] = json.loads(plan) if isinstance(plan, str) else plan
    return bool(doc[0]["Plan"]["Plan Rows"] >= WALK_FROM)
