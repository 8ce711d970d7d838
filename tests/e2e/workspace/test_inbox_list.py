"""The conversation list in a real Chromium: views and filters, paging with "Load more", a new
message arriving live (customers write in through the real edges: mail over SMTP, signed
WhatsApp webhooks) and the running unifier, bulk close; axe finds nothing
serious; screenshots at laptop and tablet widths in var/screenshots/."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from axe_playwright_python.async_playwright import Axe  # type: ignore[import-untyped]
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from playwright.async_api import Browser, Page, async_playwright, expect
from pydantic import SecretStr

from tests.browser import ARGS, CHROMIUM
from tests.e2e.workspace.customers import Customers
from tests.integration.unifier.harness import eventually, settings_for
from tests.integration.unifier.server import serving
from tests.integration.unifier.test_inbox_list import agent
from tests.unit.unifier.factory import T0
from tests.workspace import SignedIn, create_agent, sign_in_as
from unifier.entrypoints.app import create_app
from unifier.entrypoints.runtime import ConsumerRuntime
from unifier.store.schema import messages, threads
from unifier.store.schema_accounts import agents
from unifier.store.schema_workspace import labels, thread_labels

SHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"
ROWS = "#rows > li.row"
# the row at the top of the scrolled list: (id, offset from the list's top edge)
TOP_ROW = """(() => {
  const body = document.querySelector('#list-body'), edge = body.getBoundingClientRect().top;
  for (const li of document.querySelectorAll('#rows > li.row')) {
    const top = li.getBoundingClientRect().top - edge;
    if (top >= -li.offsetHeight / 2) return [li.dataset.id, Math.round(top)];
  }
})()"""


@dataclass
class Desk:
    app: FastAPI
    base: str
    browser: Browser
    tenant: str
    customers: Customers
    me: SignedIn | None = None

    async def agent(self) -> SignedIn:
        """The agent every page of this desk is signed in as (Ana Lima), created once."""
        if self.me is None:
            self.me = await create_agent(self.app, self.tenant, name="Ana Lima", role="agent")
        return self.me

    @property
    def runtime(self) -> ConsumerRuntime:
        runtime: ConsumerRuntime = self.app.state.runtime
        return runtime

    async def page(self, width: int = 1280, height: int = 900) -> Page:
        context = await self.browser.new_context(viewport={"width": width, "height": height})
        await sign_in_as(context, self.base, await self.agent())
        return await context.new_page()

    async def thread_ids(self) -> dict[str, str]:
        """provider message id -> thread id, from the store."""
        m = messages.c
        async with self.runtime.engine.connect() as conn:
            q = sa.select(m.provider_message_id, m.thread_id).where(m.tenant == self.tenant)
            return {r.provider_message_id: r.thread_id for r in await conn.execute(q)}

    async def write(self, table: sa.Table, *rows: dict[str, Any]) -> None:
        async with self.runtime.engine.begin() as conn:
            await conn.execute(sa.insert(table), list(rows))

    async def customer(
        self, n: int, kind: str = "email", text: str = "hello", hours: float = 0
    ) -> str:
        """Customer ``n`` writes (one contact and one thread each), dated ``hours`` after T0 by
        the provider's own timestamp; the message's provider id."""
        at = T0 + timedelta(hours=hours)
        if kind == "email":
            return await self.customers.mail(self.tenant, f"c{n}@example.test", "Hi", text, at=at)
        return await self.customers.whatsapp(self.tenant, f"+49151{n:07d}", text, at=at)

    async def feed(self, *wrote: Awaitable[str], total: int) -> list[str]:
        """Each message written in turn; their provider ids once ``total`` threads are stored."""
        ids = [await w for w in wrote]

        async def stored() -> bool:
            return len(set((await self.thread_ids()).values())) == total

        await eventually(stored)
        return ids


@pytest.fixture
async def desk(kafka: str, customers: Customers, tmp_path: Path) -> AsyncIterator[Desk]:
    tenant = customers.tenant()
    settings = settings_for(
        kafka, f"sqlite:///{tmp_path}/u.db", api_tokens={tenant: SecretStr("tok-" + tenant)}
    )
    app = create_app(settings)
    stand_in_thread_pane(app)
    async with serving(app) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield Desk(app, base, browser, tenant, customers)
        finally:
            await browser.close()


def stand_in_thread_pane(app: FastAPI) -> None:
    """The thread pane's route is the thread page's; where it is not there yet, a stand-in
    answers so htmx swaps the pane and pushes the URL (it does neither on a 404)."""
    if any(getattr(r, "path", "").startswith("/inbox/conversations/") for r in app.routes):
        return

    async def pane(conversation_id: str) -> HTMLResponse:
        return HTMLResponse(f"<p class=stand-in>{html.escape(conversation_id)}</p>")

    app.add_api_route("/inbox/conversations/{conversation_id}", pane, methods=["GET"])


async def serious_violations(page: Page) -> list[str]:
    violations = (await Axe().run(page)).response["violations"]
    return [v["id"] for v in violations if v["impact"] in ("serious", "critical")]


async def names(page: Page) -> list[str]:
    return [n.strip() for n in await page.locator(f"{ROWS} .name").all_inner_texts()]


async def shows(page: Page, expected: list[str]) -> None:
    await expect(page.locator(f"{ROWS} .name")).to_have_text(expected, timeout=10_000)


async def test_views_filters_paging_and_accessibility(desk: Desk) -> None:
    t = desk.tenant
    pmids = await desk.feed(
        *[desk.customer(n, hours=n, text=f"question {n}") for n in range(3)],
        desk.customer(3, "whatsapp", text="my parcel never came", hours=3),
        desk.customer(4, hours=4, text="question 4"),
        total=5,
    )
    stored = await desk.thread_ids()
    tid = {n: stored[pmid] for n, pmid in enumerate(pmids)}
    ana = await desk.agent()
    await desk.write(agents, agent(t, "bob", "Bob Stone"))
    await desk.write(labels, {"tenant": t, "label": "vip", "created_at": T0})
    await desk.write(thread_labels, {"tenant": t, "thread_id": tid[1], "label": "vip"})
    async with desk.runtime.engine.begin() as conn:
        for n, who in ((0, ana.agent_id), (2, "bob")):
            await conn.execute(
                threads.update()
                .where(threads.c.tenant == t, threads.c.thread_id == tid[n])
                .values(assignee=who)
            )

    page = await desk.page()
    await page.goto(f"{desk.base}/inbox?limit=2")
    newest = ["c4@example.test", "+491510000003", "c2@example.test", "c1@example.test"]
    await shows(page, newest[:2])
    await page.get_by_role("button", name="Load more").click()
    await shows(page, newest[:4])
    await page.get_by_role("button", name="Load more").click()
    await shows(page, [*newest, "c0@example.test"])
    await expect(page.get_by_role("button", name="Load more")).to_have_count(0)
    first = page.locator(ROWS).first
    await expect(first.locator(".preview")).to_have_text("question 4")
    await expect(first.locator(".assignee")).to_have_text("Unassigned")
    await expect(first.locator(".unread")).to_contain_text("1")
    await expect(first.locator("time")).to_have_attribute("title", "2026-11-01 13:00 UTC")
    whatsapp = page.locator(ROWS).nth(1).get_by_role("img", name="WhatsApp")
    await expect(whatsapp).to_have_count(1)

    await page.goto(f"{desk.base}/inbox")  # pages of 50 from here on
    await page.locator("label[for=view-mine]").click()
    await shows(page, ["c0@example.test"])
    assert "view=mine" in page.url  # the address bar follows the filters
    await expect(page.locator(f"{ROWS} .assignee")).to_have_text(["Ana Lima"])
    await page.locator("label[for=view-unassigned]").click()
    await shows(page, [newest[0], newest[1], newest[3]])
    await page.locator("label[for=view-all]").click()
    await page.select_option("#f-assignee", "bob")
    await shows(page, ["c2@example.test"])
    await page.select_option("#f-assignee", "")
    await page.select_option("#f-label", "vip")
    await shows(page, ["c1@example.test"])
    await page.select_option("#f-label", "")
    await page.select_option("#f-channel", "whatsapp")
    await shows(page, ["+491510000003"])
    await page.select_option("#f-channel", "")
    await page.fill("#f-q", "PARCEL")
    await page.press("#f-q", "Enter")
    await shows(page, ["+491510000003"])
    await page.fill("#f-q", "")
    await page.press("#f-q", "Enter")
    await page.select_option("#f-status", "closed")
    await expect(page.locator(ROWS)).to_have_count(0)
    await expect(page.get_by_text("No conversations match.")).to_be_visible()
    await page.select_option("#f-status", "open")
    await shows(page, [*newest, "c0@example.test"])

    await page.reload()  # the URL kept the filters
    assert await page.locator("#f-status").input_value() == "open"
    assert await serious_violations(page) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1280, 800), (768, 1024)):
        sized = await desk.page(width, height)
        await sized.goto(f"{desk.base}/inbox?status=any")
        await shows(sized, [*newest, "c0@example.test"])
        await sized.screenshot(path=str(SHOTS / f"inbox-list-{width}.png"), full_page=True)
        assert await serious_violations(sized) == []
        box = await sized.locator("#list").bounding_box()
        assert box is not None and box["width"] <= width


async def test_a_new_message_arrives_live_and_bulk_close(desk: Desk) -> None:
    await desk.feed(*[desk.customer(n, hours=n, text=f"question {n}") for n in range(3)], total=3)
    page = await desk.page(1280, 560)  # the list scrolls
    await page.goto(f"{desk.base}/inbox")
    await page.wait_for_selector("body[data-live=connected]", timeout=10_000)
    await shows(page, ["c2@example.test", "c1@example.test", "c0@example.test"])
    await page.evaluate("document.querySelector('#list-body').scrollTop = 60")
    in_view = await page.evaluate(TOP_ROW)
    assert in_view and await page.evaluate("document.querySelector('#list-body').scrollTop") > 0
    await page.evaluate("window.notReloaded = true")
    await page.get_by_role("button", name="Close", exact=True).click()
    await expect(page.locator("#bulk-status")).to_have_text("Select conversations first.")
    await page.check(f"{ROWS}:has-text('c0@example.test') .pick")

    await desk.feed(desk.customer(7, text="just arrived", hours=9), total=4)
    await shows(page, ["c7@example.test", "c2@example.test", "c1@example.test", "c0@example.test"])
    assert await page.evaluate("window.notReloaded") is True
    await expect(page.locator(ROWS).first.locator(".preview")).to_have_text("just arrived")
    assert await page.is_checked(f"{ROWS}:has-text('c0@example.test') .pick")  # kept
    still = await page.evaluate(TOP_ROW)  # the rows in view stayed where they were (±1 px)
    assert still[0] == in_view[0] and abs(still[1] - in_view[1]) <= 1

    await page.check(f"{ROWS}:has-text('c1@example.test') .pick")
    await page.get_by_role("button", name="Close", exact=True).click()
    await expect(page.locator("#bulk-status")).to_have_text("2 of 2 done.")
    await shows(page, ["c7@example.test", "c2@example.test"])  # closed ones leave the open view
    await page.select_option("#f-status", "closed")
    await shows(page, ["c1@example.test", "c0@example.test"])
    await expect(page.locator(f"{ROWS} .status")).to_have_text(["closed", "closed"])
    assert await page.evaluate("window.notReloaded") is True

    link = page.locator(f"{ROWS} a.open").first
    async with page.expect_request(lambda r: "/inbox/conversations/" in r.url) as asked:
        await link.click()  # the thread pane loads it; the address bar names it
    chosen = (await asked.value).url.rsplit("/", 1)[1]
    await expect(page).to_have_url(re.compile(f"[?&]c={chosen}"))
    await expect(link).to_have_attribute("aria-current", "true")
    await page.select_option("#f-status", "any")
    await expect(page).to_have_url(re.compile(f"status=any.*c={chosen}"))
    async with page.expect_request(lambda r: r.url.endswith(f"/inbox/conversations/{chosen}")):
        await page.reload()  # a shared link opens the same conversation
