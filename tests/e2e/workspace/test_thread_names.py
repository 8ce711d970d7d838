"""Names in the thread pane in a real Chromium (port of the legacy inbox page's test): an
anonymous visitor shows as "Visitor <tag>", never her raw id; a hostile display name arriving
live shows as text and runs nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from playwright.async_api import Dialog, Page, expect

from tests.e2e.workspace.pane import Served, agent, browser, page, served, thread_with
from tests.integration.unifier.harness import publish
from tests.unit.unifier.factory import ident, message

pytestmark = pytest.mark.e2e
__all__ = ["agent", "browser", "page", "served"]  # fixtures
HOSTILE = "<img src=x onerror=alert(1)>"


async def test_a_hostile_name_is_text_and_runs_nothing(
    kafka: str, served: Served, page: Page
) -> None:
    tenant, visitor = served.tenant, "v_" + uuid.uuid4().hex[:24]
    await publish(
        kafka, [message(f"{visitor}-1", "widget", tenant=tenant, handle=visitor, text="hi there")]
    )
    tid = await thread_with(served.app, tenant, "hi there")
    dialogs: list[str] = []

    async def note(d: Dialog) -> None:
        dialogs.append(d.message)
        await d.dismiss()

    page.on("dialog", note)
    await page.goto(f"{served.base}/inbox/conversations/{tid}")
    await page.wait_for_selector("body[data-live=connected]", timeout=10_000)
    anonymous = await page.locator("#timeline .message .sender").first.inner_text()
    assert anonymous.startswith("Visitor ") and visitor not in await page.content()

    phone = f"49151{uuid.uuid4().int % 10**7:07d}"
    wa = [ident("wa_id", phone)]
    calm = message(f"{phone}-1", "whatsapp", tenant=tenant, handle="+" + phone, ids=wa, text="hey")
    await publish(kafka, [calm])
    await page.goto(
        f"{served.base}/inbox/conversations/{await thread_with(served.app, tenant, 'hey')}"
    )
    await page.wait_for_selector("body[data-live=connected]", timeout=10_000)
    evil = message(
        f"{phone}-2",
        "whatsapp",
        tenant=tenant,
        handle="+" + phone,
        ids=wa,
        text="again",
        at=timedelta(minutes=5),
    )
    evil.sender.display_name = HOSTILE
    await publish(kafka, [evil])
    sender = page.locator("#timeline .message .sender", has_text=HOSTILE)
    await expect(sender.first).to_be_visible(timeout=15_000)  # arrived live, as text
    assert await sender.last.inner_text() == HOSTILE
    assert await page.locator("img").count() == 0
    assert dialogs == []
