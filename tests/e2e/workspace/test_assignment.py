"""Assignment in a real Chromium: assign to me / unassign, auto-assignment within capacity as
agents come online (their live stream), and the collision notice between two agents. The
customers' conversations come in as mail over SMTP through email_ingest."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from playwright.async_api import Browser, BrowserContext, Page, Route, async_playwright
from pydantic import SecretStr

from tests.browser import ARGS, CHROMIUM
from tests.e2e.workspace.customers import Customers
from tests.integration.unifier.harness import eventually, settings_for
from tests.integration.unifier.server import serving
from tests.workspace import SignedIn, create_agent, sign_in_as
from unifier.entrypoints.app import create_app
from unifier.store import team_rows
from unifier.store.schema import threads
from unifier.store.schema_accounts import agents as agent_table
from unifier.store.schema_assignment import assignment_queue

# untyped package: looked up at run time so mypy needs no override for it
Axe = importlib.import_module("axe_playwright_python.async_playwright").Axe
SHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"
Served = tuple[FastAPI, str, str, Browser]


@pytest.fixture
async def served(kafka: str, customers: Customers, tmp_path: Path) -> AsyncIterator[Served]:
    tenant = customers.tenant()
    settings = settings_for(
        kafka,
        f"sqlite:///{tmp_path}/u.db",
        api_tokens={tenant: SecretStr("tok-" + tenant)},
        assign_poll_seconds=0.3,
    )
    app = create_app(settings)
    async with serving(app) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield app, base, tenant, browser
        finally:
            await browser.close()


async def sql(app: FastAPI, fn: Any) -> Any:
    async with app.state.runtime.engine.begin() as conn:
        return await fn(conn)


async def agents(app: FastAPI, tenant: str, capacity: int, *names: str) -> dict[str, SignedIn]:
    """Agents who can sign in (role "agent", not admin), each with ``capacity``, by name."""
    made = {name: await create_agent(app, tenant, name=name, role="agent") for name in names}
    a = agent_table.c
    ids = [m.agent_id for m in made.values()]
    q = agent_table.update().where(a.agent_id.in_(ids)).values(capacity=capacity)
    await sql(app, lambda c: c.execute(q))
    return made


async def assignees(app: FastAPI, tenant: str) -> dict[str, str | None]:
    t = threads.c
    q = sa.select(t.thread_id, t.assignee).where(t.tenant == tenant)
    return dict((await sql(app, lambda c: c.execute(q))).all())


async def conversations(customers: Customers, app: FastAPI, tenant: str, n: int) -> list[str]:
    """One mail of each of ``n`` customers; their conversations' ids once all are stored."""
    for i in range(n):
        await customers.mail(tenant, f"c{i}@example.test", "Help", "hello")

    async def there() -> bool:
        return len(await assignees(app, tenant)) == n

    await eventually(there)
    return sorted(await assignees(app, tenant))


async def queue_order(app: FastAPI, tenant: str) -> list[str]:
    """The waiting conversations, longest waiting first (queued since, then id)."""
    q = assignment_queue.c
    ask = sa.select(q.thread_id).where(q.tenant == tenant).order_by(q.since, q.thread_id)
    return list((await sql(app, lambda c: c.execute(ask))).scalars())


async def agent_page(served: Served, agent: SignedIn, tid: str) -> tuple[BrowserContext, Page]:
    _, base, _, browser = served
    context = await browser.new_context()
    await sign_in_as(context, base, agent)
    page = await context.new_page()
    await page.goto(f"{base}/inbox/conversations/{tid}/assign")
    await page.wait_for_selector("body[data-live=connected]", timeout=10_000)
    return context, page


async def test_assign_to_me_and_unassign(customers: Customers, served: Served) -> None:
    app, base, tenant, _ = served
    ana, bob = (await agents(app, tenant, 10, "Ana", "Bob")).values()
    [tid] = await conversations(customers, app, tenant, 1)
    context, page = await agent_page(served, ana, tid)
    assert await page.locator(".assignee").inner_text() == "Unassigned"
    assert await page.locator(".assign-me").get_attribute("data-shortcut") == "a"

    await page.click(".assign-me")
    await page.wait_for_selector(f".assignee[data-assignee='{ana.agent_id}']")
    assert await page.locator(".assign-message").inner_text() == "Assigned to Ana"
    assert (await assignees(app, tenant))[tid] == ana.agent_id
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / "assignment.png"))
    found = (await Axe().run(page)).response["violations"]
    serious = [v["id"] for v in found if v["impact"] in ("serious", "critical")]
    assert serious == [], serious

    await page.select_option("select[name=assignee]", bob.agent_id)
    await page.click(".assign-submit")
    await page.wait_for_selector(f".assignee[data-assignee='{bob.agent_id}']")
    assert await page.locator(".assign-message").inner_text() == "Assigned to Bob"

    await page.click(".unassign")
    await page.wait_for_selector(".assignee[data-assignee='']")
    assert await page.locator(".assign-message").inner_text() == "Unassigned"
    # unassigning again is refused with a clear message, nothing changed
    await page.select_option("select[name=assignee]", "")
    await page.click(".assign-submit")
    await page.wait_for_selector(".assign-message[data-kind=error]")
    assert "already assigned to nobody" in await page.locator(".assign-message").inner_text()
    assert (await assignees(app, tenant))[tid] is None
    # without the CSRF header: refused
    url = f"{base}/inbox/conversations/{tid}/assign"
    res = await context.request.post(url, form={"assignee": ana.agent_id})
    assert res.status == 403
    assert (await assignees(app, tenant))[tid] is None
    await context.close()


async def test_auto_assign_within_capacity_to_online_agents(
    customers: Customers, served: Served
) -> None:
    app, base, tenant, _ = served
    ana_agent, bob_agent = (await agents(app, tenant, 1, "Ana", "Bob")).values()
    a, b = ana_agent.agent_id, bob_agent.agent_id

    async def team(conn: Any) -> None:
        now = datetime.now(UTC)
        await team_rows.put_team(
            conn, tenant, ("t1", "Support", True), [a, b], [("email", "*")], now
        )

    await sql(app, team)
    made = await conversations(customers, app, tenant, 3)

    async def all_waiting() -> bool:
        return all([await sql(app, lambda c, t=t: team_rows.queued(c, tenant, t)) for t in made])

    await eventually(all_waiting)  # nobody online: everything waits
    # longest waiting first: the mails may have entered the queue in different rounds
    first, second, third = await queue_order(app, tenant)
    assert set((await assignees(app, tenant)).values()) == {None}

    ana, ana_page = await agent_page(served, ana_agent, first)
    await ana_page.wait_for_selector(f".assignee[data-assignee='{a}']", timeout=10_000)  # live
    bob, bob_page = await agent_page(served, bob_agent, second)
    await bob_page.wait_for_selector(f".assignee[data-assignee='{b}']", timeout=10_000)
    assert await assignees(app, tenant) == {first: a, second: b, third: None}

    await ana_page.goto(f"{base}/inbox/conversations/{third}/assign")
    waiting = ana_page.locator(".queued[data-reason=all_at_capacity]")
    await waiting.wait_for(timeout=10_000)
    text = await waiting.inner_text()
    assert "team Support" in text and "Ana (1/1 full)" in text and "Bob (1/1 full)" in text
    await ana.close()
    await bob.close()


async def test_collision_notice_between_two_agents(customers: Customers, served: Served) -> None:
    app, _, tenant, _ = served
    ana_agent, bob_agent = (await agents(app, tenant, 10, "Ana", "Bob")).values()
    a, b = ana_agent.agent_id, bob_agent.agent_id
    [tid] = await conversations(customers, app, tenant, 1)
    ana, ana_page = await agent_page(served, ana_agent, tid)
    bob, bob_page = await agent_page(served, bob_agent, tid)

    await ana_page.wait_for_selector(f".presence-item[data-agent='{b}'][data-state=viewing]")
    await bob_page.wait_for_selector(f".presence-item[data-agent='{a}'][data-state=viewing]")
    assert await ana_page.locator(".presence-item").inner_text() == "Bob is viewing"
    assert await bob_page.locator(".presence-item").inner_text() == "Ana is viewing"
    assert await ana_page.locator(f".presence-item[data-agent='{a}']").count() == 0  # never oneself

    for page in (ana_page, bob_page):  # the reply box is the thread pane's; one stands in here
        await page.evaluate(
            "document.querySelector('.assign-pane').append(document.createElement('textarea'))"
        )
    await ana_page.locator("textarea").press_sequentially("On it", delay=50)
    await bob_page.wait_for_selector(f".presence-item[data-agent='{a}'][data-state=typing]")
    assert await bob_page.locator(".presence-item").inner_text() == "Ana is typing…"
    await bob_page.locator("textarea").press_sequentially("Me too", delay=50)
    await ana_page.wait_for_selector(f".presence-item[data-agent='{b}'][data-state=typing]")
    assert await ana_page.locator(".presence-item").inner_text() == "Bob is typing…"
    SHOTS.mkdir(parents=True, exist_ok=True)
    await ana_page.screenshot(path=str(SHOTS / "collision.png"))

    await bob.close()  # Bob leaves: Ana no longer sees him
    await ana_page.wait_for_selector(".presence-item", state="detached", timeout=10_000)
    await ana.close()


async def test_an_assignment_before_the_stream_starts_is_shown(
    customers: Customers, served: Served
) -> None:
    """News between the page's render and the live stream's start sends the page no event: the
    pane catches up once connected, even when the stream connected before the pane's script ran
    (deferred scripts load one by one)."""
    app, base, tenant, browser = served
    [ana] = (await agents(app, tenant, 10, "Ana")).values()
    [tid] = await conversations(customers, app, tenant, 1)
    context = await browser.new_context()
    await sign_in_as(context, base, ana)
    connected = asyncio.Event()

    async def stream(route: Route) -> None:  # the assignment lands before the stream starts
        token = {"Authorization": f"Bearer tok-{tenant}"}
        api_base = f"{base}/api/tenants/{tenant}"
        async with httpx.AsyncClient(base_url=api_base, headers=token, timeout=10) as api:
            res = await api.post(f"/conversations/{tid}/assign", json={"assignee": ana.agent_id})
            assert res.status_code == 200, res.text
        await route.continue_()
        connected.set()

    async def pane_script(route: Route) -> None:  # and the pane's script runs after it connected
        await connected.wait()
        await asyncio.sleep(0.5)
        await route.continue_()

    page = await context.new_page()
    await page.route("**/inbox/events", stream)
    await page.route("**/static/js/assignment.js", pane_script)
    await page.goto(f"{base}/inbox/conversations/{tid}/assign")
    await page.wait_for_selector(f".assignee[data-assignee='{ana.agent_id}']", timeout=10_000)
    await context.close()
