"""The operations make bench-inbox times, on one connection (``sql``: the store functions and
the list shape, also with indexes dropped inside a rolled-back transaction) and over HTTP (the
real API, each agent's operations with that agent's signed-in client)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bench import inbox_data as data
from bench.inbox_queries import ListAsk, deep_key, list_page
from unifier.entrypoints.web.list_model import encode_cursor
from unifier.store import queries
from unifier.store.inbox_rows import Key

# Search terms: CLINC150 wording, from very common to rare, one two-word, one half-typed.
SEARCH = ("card", "flight", "balance", "vacation", "insurance", "credit card", "reserv",
          "pto", "kazakhstan")  # fmt: skip
RARE_CHANNELS = ("instagram", "telegram", "sms", "slack")
Op = Callable[[int], Awaitable[Any]]


@dataclass
class Fixtures:
    """What the operations read: the timed agents (signed in over HTTP), 50-message threads,
    deep keyset cursors."""

    tenant: str
    agents: list[str]
    threads50: list[str]
    deep: dict[str, tuple[datetime, str]] = field(default_factory=dict)

    def thread(self, i: int) -> str:
        return self.threads50[i % len(self.threads50)]


async def fixtures(conn: AsyncConnection, tenant: str, agents: list[str]) -> Fixtures:
    t = sa.text("SELECT thread_id FROM threads WHERE tenant = :t AND message_count = 50 LIMIT 200")
    ids = [r[0] for r in await conn.execute(t, {"t": tenant})]
    fx = Fixtures(tenant, agents, ids)
    depth = {"all": 200_000, "mine": 20_000, "unassigned": 50_000}
    for view, offset in depth.items():
        key = await deep_key(conn, tenant, agents[0], view, offset)  # type: ignore[arg-type]
        if key is not None:
            fx.deep[view] = key
    return fx


def list_asks(fx: Fixtures) -> dict[str, Callable[[int], tuple[str, ListAsk]]]:
    """Each list operation: i -> (the asking agent, the list request)."""
    a = fx.agents

    def deep(view: str) -> Callable[[int], tuple[str, ListAsk]]:
        return lambda i: (a[0], ListAsk(view=view, after=fx.deep.get(view)))  # type: ignore[arg-type]

    return {
        "list_all_first": lambda i: (a[i % len(a)], ListAsk()),
        "list_all_deep": deep("all"),
        "list_mine_first": lambda i: (a[i % len(a)], ListAsk(view="mine")),
        "list_mine_deep": deep("mine"),
        "list_mine_open": lambda i: (a[i % len(a)], ListAsk(view="mine", status="open")),
        "list_unassigned_first": lambda i: (a[0], ListAsk(view="unassigned")),
        "list_unassigned_deep": deep("unassigned"),
        "list_label": lambda i: (a[0], ListAsk(label=data.LABELS[i % len(data.LABELS)])),
        "list_channel": lambda i: (a[0], ListAsk(channel=RARE_CHANNELS[i % 4])),
        "search": lambda i: (a[0], ListAsk(text=SEARCH[i % len(SEARCH)])),
    }


def sql_ops(conn: AsyncConnection, fx: Fixtures) -> dict[str, Op]:
    now = datetime.now(UTC)

    def listing(make: Callable[[int], tuple[str, ListAsk]]) -> Op:
        return lambda i: list_page(conn, fx.tenant, *make(i), now)

    ops = {name: listing(make) for name, make in list_asks(fx).items()}
    ops["thread_50"] = lambda i: queries.get_thread(conn, fx.tenant, fx.thread(i))
    ops["current_list_first"] = lambda i: queries.list_conversations(conn, fx.tenant)
    ops["current_list_open"] = lambda i: queries.list_conversations(conn, fx.tenant, status="open")
    return ops


def http_ops(clients: dict[str, httpx.AsyncClient], fx: Fixtures) -> dict[str, Op]:
    """The same over HTTP through the real API (``GET …/conversations`` for every list), each
    as the agent it is for: ``clients`` holds a signed-in client per agent of ``fx.agents``."""
    api = f"/api/tenants/{fx.tenant}"

    async def get(path: str, agent: str, params: dict[str, str]) -> None:
        r = await clients[agent].get(path, params=params)
        assert r.status_code == 200, (path, r.status_code, r.text[:200])

    def listing(make: Callable[[int], tuple[str, ListAsk]]) -> Op:
        async def op(i: int) -> None:
            agent, ask = make(i)
            await get(f"{api}/conversations", agent, params_of(ask))

        return op

    ops = {name: listing(make) for name, make in list_asks(fx).items()}
    a0 = fx.agents[0]
    ops["thread_50"] = lambda i: get(f"{api}/conversations/{fx.thread(i)}", a0, {})
    ops["current_list_first"] = lambda i: get(f"{api}/conversations", a0, {})
    ops["current_list_open"] = lambda i: get(f"{api}/conversations", a0, {"status": "open"})
    ops["current_list_channel"] = lambda i: get(
        f"{api}/conversations", a0, {"channel": RARE_CHANNELS[i % 4]}
    )
    return ops


def params_of(ask: ListAsk) -> dict[str, str]:
    """The API's query string for ``ask`` (no status: every status, as in ``ListAsk``)."""
    out: dict[str, str] = {"view": ask.view}
    for key, value in (("status", ask.status), ("label", ask.label), ("channel", ask.channel),
                       ("q", ask.text)):  # fmt: skip
        if value:
            out[key] = value
    if ask.after:
        out["cursor"] = encode_cursor(Key(*ask.after))
    return out


async def once(op: Op, i: int, limit_ms: float) -> float:
    """One call's milliseconds (``limit_ms`` if it did not finish within it)."""
    t0 = time.perf_counter()
    try:
        await op(i)
    except Exception as exc:  # a statement timeout: count it as the limit
        if "timeout" not in str(exc).lower() and "cancel" not in str(exc).lower():
            raise
        return limit_ms
    return (time.perf_counter() - t0) * 1000
