"""The conversation list and bulk actions over HTTP, with the real broker and both databases."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from tests.integration.unifier.harness import eventually, publish, settings_for
from tests.integration.unifier.server import serving
from tests.integration.unifier.test_inbox_list import customer
from unifier.entrypoints.app import create_app

# Over HTTP on one database (sqlite): the SQL underneath is tested on both by the store-level
# tests; the API files alternate between the two so each is also served end to end.
pytestmark = pytest.mark.parametrize("dsn", ["sqlite"], indirect=True)


@dataclass
class Api:
    mine: httpx.AsyncClient
    theirs: httpx.AsyncClient
    tenant: str
    other: str


@pytest.fixture
async def api(kafka: str, dsn: str) -> AsyncIterator[Api]:
    tenant, other = "t" + uuid.uuid4().hex[:8], "o" + uuid.uuid4().hex[:8]
    tokens = {tenant: SecretStr("tok-" + tenant), other: SecretStr("tok-" + other)}
    app = create_app(settings_for(kafka, dsn, api_tokens=tokens))
    async with serving(app) as base:

        def client(t: str) -> httpx.AsyncClient:
            auth = {"Authorization": f"Bearer tok-{t}"}
            return httpx.AsyncClient(base_url=f"{base}/api/tenants/{t}", headers=auth, timeout=10)

        async with client(tenant) as mine, client(other) as theirs:
            yield Api(mine, theirs, tenant, other)


async def listed(client: httpx.AsyncClient, url: str = "/conversations", **params: Any) -> Any:
    res = await client.get(url, params=params or None)
    assert res.status_code == 200, res.text
    return res


async def stored(client: httpx.AsyncClient, n: int) -> list[dict[str, Any]]:
    async def ready() -> bool:
        return len((await listed(client, limit=500)).json()) == n

    await eventually(ready)
    rows: list[dict[str, Any]] = (await listed(client, limit=500)).json()
    return rows


async def test_pages_follow_link_headers_and_rows_carry_the_list_fields(
    kafka: str, api: Api
) -> None:
    await publish(kafka, [customer(api.tenant, n, hours=n % 3, text=f"q{n}") for n in range(7)])
    everything = await stored(api.mine, 7)
    seen: list[str] = []
    res = await listed(api.mine, limit=3, status="open")
    while True:
        seen += [r["thread_id"] for r in res.json()]
        if "link" not in res.headers:
            break
        link = res.headers["link"]
        assert link.endswith('>; rel="next"') and "status=open" in link and "limit=3" in link
        res = await listed(api.mine, str(api.mine.base_url.join(link[1 : link.index(">")])))
    assert seen == [r["thread_id"] for r in everything]
    for row in everything:
        n = row["contact_name"].removesuffix("@example.test").removeprefix("c")
        assert row["status"] == "open" and row["assignee"] is None and row["unread"] == 1
        assert row["channels"] == ["email"] and row["labels"] == []
        preview = {"text": f"q{n}", "direction": "inbound", "deleted": False, "author": None}
        assert row["preview"] == preview
    assert [r["thread_id"] for r in (await listed(api.mine, view="unassigned")).json()] == seen
    assert (await listed(api.mine, view="all", label="vip")).json() == []
    page = await api.mine.get(str(api.mine.base_url.join("/inbox")), params={"limit": 3})
    assert page.status_code == 200 and page.text.count('class="row"') == 3
    assert "Content-Security-Policy" in page.headers and "Load more" in page.text
    more = await api.mine.get(str(api.mine.base_url.join("/inbox/list")), params={"limit": 3})
    assert more.status_code == 200 and 'id="list-body"' in more.text
    bad = await api.mine.get("/conversations", params={"cursor": "not-a-cursor"})
    assert bad.status_code == 400 and bad.json()["error"] == "bad_cursor"
    assert (await api.mine.get("/conversations", params={"view": "x"})).status_code == 422


async def test_bulk_close_answers_each_id_and_refuses_another_tenants(kafka: str, api: Api) -> None:
    await publish(kafka, [customer(api.tenant, n) for n in range(2)])
    await publish(kafka, [customer(api.other, 9)])
    mine = [r["thread_id"] for r in await stored(api.mine, 2)]
    [theirs] = [r["thread_id"] for r in await stored(api.theirs, 1)]
    ids = [mine[0], theirs, "no-such-id", mine[1], mine[0]]
    res = await api.mine.post("/conversations/bulk", json={"ids": ids, "action": "close"})
    assert res.status_code == 200, res.text
    results = res.json()["results"]
    assert [r["id"] for r in results] == [mine[0], theirs, "no-such-id", mine[1]]
    assert [r["ok"] for r in results] == [True, False, False, True]
    assert {r["error"] for r in results if not r["ok"]} == {"not_found"}
    assert [r["status"] for r in (await listed(api.mine)).json()] == ["closed", "closed"]
    assert [r["status"] for r in (await listed(api.theirs)).json()] == ["open"]  # untouched

    reopen = {"ids": [mine[1]], "action": "reopen"}
    assert (await api.mine.post("/conversations/bulk", json=reopen)).json()["results"] == [
        {"id": mine[1], "ok": True}
    ]
    assert [r["thread_id"] for r in (await listed(api.mine, status="open")).json()] == [mine[1]]
    for bad in (
        {"ids": mine, "action": "frobnicate"},
        {"ids": [], "action": "close"},
        {"ids": mine},
        {"ids": ["x" * 65], "action": "close"},
    ):
        res = await api.mine.post("/conversations/bulk", json=bad)
        assert res.status_code == 422, (bad, res.text)
    assert [r["status"] for r in (await listed(api.mine)).json()] == ["closed", "open"]
    across = str(api.mine.base_url).rstrip("/") + "/conversations/bulk"  # their token
    forbidden = await api.theirs.post(across, json={"ids": mine, "action": "reopen"})
    assert forbidden.status_code == 403
    assert [r["status"] for r in (await listed(api.mine)).json()] == ["closed", "open"]
