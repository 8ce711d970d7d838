"""Names in the thread pane in a real Chromium (port of the legacy inbox page's test): an
anonymous visitor shows as "Visitor <tag>", never her raw id; a hostile display name arriving
live shows as text and runs nothing. Both come in through the real edges (the widget's socket,
a signed WhatsApp webhook)."""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import Dialog, Page, expect

from tests.e2e.workspace.customers import Customers
from tests.e2e.workspace.pane import Served, agent, browser, page, served, thread_with

pytestmark = pytest.mark.e2e
__all__ = ["agent", "browser", "page", "served"]  # fixtures
HOSTILE = "<img src=x onerror=alert(1)>"


async def test_a_hostile_name_is_text_and_runs_nothing(
    customers: Customers, served: Served, page: Page
) -> None:
    tenant, tag = served.tenant, uuid.uuid4().hex[:6]
    visitor = await customers.widget(tenant, f"hi there {tag}")  # anonymous, over the socket
    tid = await thread_with(served.app, tenant, f"hi there {tag}")
    dialogs: list[str] = []

    async def note(d: Dialog) -> None:
        dialogs.append(d.message)
        await d.dismiss()

    page.on("dialog", note)
    await page.goto(f"{served.base}/inbox/conversations/{tid}")
    await page.wait_for_selector("body[data-live=connected]", timeout=10_000)
    anonymous = await page.locator("#timeline .message .sender").first.inner_text()
    assert anonymous.startswith("Visitor ") and visitor.visitor_id not in await page.content()

    phone = f"+49151{uuid.uuid4().int % 10**7:07d}"
    await customers.whatsapp(tenant, phone, f"hey {tag}")
    await page.goto(
        f"{served.base}/inbox/conversations/{await thread_with(served.app, tenant, f'hey {tag}')}"
    )
    await page.wait_for_selector("body[data-live=connected]", timeout=10_000)
    await customers.whatsapp(tenant, phone, "again", name=HOSTILE)  # her profile name now
    sender = page.locator("#timeline .message .sender", has_text=HOSTILE)
    await expect(sender.first).to_be_visible(timeout=15_000)  # arrived live, as text
    assert await sender.last.inner_text() == HOSTILE
    assert await page.locator("img").count() == 0
    assert dialogs == []
