"""Names on the inbox page in a real Chromium: a hostile display name shows as text and runs
nothing, live updates included; an anonymous visitor shows as "Visitor <tag>"."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

from playwright.async_api import Dialog, async_playwright
from pydantic import SecretStr

from tests.browser import ARGS, CHROMIUM
from tests.e2e.unifier.test_inbox_page import _count
from tests.integration.unifier.harness import eventually, publish, settings_for
from tests.integration.unifier.server import serving
from tests.unit.unifier.factory import message
from unifier.entrypoints.app import create_app

HOSTILE = "<img src=x onerror=alert(1)>"
VISITOR = "v_0123456789abcdef01234567"


async def test_a_hostile_name_is_text_and_runs_nothing(kafka: str, tmp_path: Path) -> None:
    tenant = "p" + uuid.uuid4().hex[:8]
    settings = settings_for(
        kafka, f"sqlite:///{tmp_path}/u.db", api_tokens={tenant: SecretStr("tok-" + tenant)}
    )
    app = create_app(settings)
    visitor = message("w1", "widget", tenant=tenant, handle=VISITOR, text="hi")
    async with serving(app) as base, async_playwright() as pw:
        await publish(kafka, [visitor])

        async def stored() -> bool:
            return bool(await _count(app, tenant))

        await eventually(stored)
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page()
            dialogs: list[str] = []

            async def note(d: Dialog) -> None:
                dialogs.append(d.message)
                await d.dismiss()

            page.on("dialog", note)
            await page.goto(f"{base}/inbox/{tenant}?token=tok-{tenant}")
            await page.wait_for_selector("body[data-live=connected]", timeout=10_000)
            anonymous = await page.locator(".message .sender").first.inner_text()
            assert anonymous.startswith("Visitor ") and VISITOR not in await page.content()

            evil = message("w2", "widget", tenant=tenant, handle="v_evil", at=timedelta(hours=1))
            evil.sender.display_name = HOSTILE
            await publish(kafka, [evil])
            contact = page.locator("#conversations .contact", has_text=HOSTILE)
            await contact.wait_for(timeout=15_000)  # arrived live, in the list, as text
            await page.locator("#conversations a").first.click()
            sender = page.locator(".message .sender", has_text=HOSTILE)
            await sender.wait_for(timeout=10_000)
            assert await sender.inner_text() == HOSTILE
            assert await page.locator("img").count() == 0
            assert dialogs == []
        finally:
            await browser.close()
