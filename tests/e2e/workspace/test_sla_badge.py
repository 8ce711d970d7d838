"""The SLA badge and the "due time" order in a real Chromium. Customers write in only through
the real edges (a signed WhatsApp webhook, the widget's socket); a short first-response target
on WhatsApp makes the badge go from "due in" to the warning to "SLA breached" live, while the
widget conversation (a one-hour target) stays due later: sorted by due time it comes second
although it is the newer one. axe finds nothing serious."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, async_playwright, expect
from pydantic import SecretStr

from tests.browser import ARGS, CHROMIUM
from tests.e2e.workspace.customers import Customers
from tests.e2e.workspace.test_inbox_list import (
    ROWS,
    SHOTS,
    Desk,
    serious_violations,
    stand_in_thread_pane,
)
from tests.integration.unifier.harness import eventually, settings_for
from tests.integration.unifier.server import serving
from unifier.entrypoints.app import create_app

POLICIES = [
    {
        "name": "chat",
        "channel_kinds": ["whatsapp"],
        "first_response": "20s",
        "hours": "calendar",
        "warn_at": 0.5,
    },
    {"name": "web", "first_response": "1h", "hours": "calendar"},
]


@pytest.fixture
async def desk(kafka: str, customers: Customers, tmp_path: Path) -> AsyncIterator[Desk]:
    tenant = customers.tenant()
    settings = settings_for(
        kafka,
        f"sqlite:///{tmp_path}/u.db",
        api_tokens={tenant: SecretStr("tok")},
        sla_poll_seconds=0.2,
    )
    app = create_app(settings)
    stand_in_thread_pane(app)
    async with serving(app) as base, async_playwright() as pw:
        async with httpx.AsyncClient(
            base_url=f"{base}/api/tenants/{tenant}", headers={"Authorization": "Bearer tok"}
        ) as api:
            answer = await api.put("/sla/policies", json={"policies": POLICIES})
            assert answer.status_code == 200, answer.text
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield Desk(app, base, browser, tenant, customers)
        finally:
            await browser.close()


def row(page: Page, name: str) -> object:
    return page.locator(ROWS).filter(has_text=name)


async def test_badge_goes_to_breached_live_and_sorts_by_due(desk: Desk) -> None:
    t = desk.tenant
    await desk.customers.whatsapp(t, "+4915100000042", "where is my parcel?", name="Ines")
    await _stored(desk, 1)
    await desk.customers.widget(t, "hello from the site")
    await _stored(desk, 2)

    page = await desk.page()
    await page.goto(f"{desk.base}/inbox?status=open")
    rows = page.locator(ROWS)
    await expect(rows).to_have_count(2)
    chat = rows.filter(has_text="Ines")
    web = rows.filter(has_not_text="Ines")
    await expect(web.locator(".sla")).to_have_text("Due in 59 min")
    await expect(rows.first).not_to_contain_text("Ines")  # newest first: the widget's
    badge = chat.locator(".sla")
    await expect(badge).to_contain_text(re.compile(r"^(Due in|SLA warning: due in) \d+ s$"))

    await page.select_option("#f-sort", "due")
    await expect(rows.first).to_contain_text("Ines")  # the earliest due time first
    assert "sort=due" in page.url
    await expect(badge).to_have_attribute("data-sla", "warning", timeout=25000)
    await expect(badge).to_contain_text("SLA warning: due in")
    await expect(badge).to_have_attribute("data-sla", "breached", timeout=25000)
    await expect(badge).to_have_text("SLA breached")
    await expect(rows.first).to_contain_text("Ines")  # overdue: still first until answered
    await expect(web.locator(".sla")).to_have_attribute("data-sla", "running")
    assert await serious_violations(page) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / "inbox-sla.png"), full_page=True)


async def _stored(desk: Desk, n: int) -> None:
    async def there() -> bool:
        return len(set((await desk.thread_ids()).values())) == n

    await eventually(there)
