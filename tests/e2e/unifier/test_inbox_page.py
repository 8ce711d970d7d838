"""The agent inbox in a real Chromium: live updates over SSE, a double-submitted reply is one."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path

from playwright.async_api import async_playwright
from pydantic import SecretStr

from hotline import events as ev
from hotline.topics import REPLIES_EMAIL
from tests.browser import ARGS, CHROMIUM
from tests.integration.unifier.harness import eventually, publish, settings_for
from tests.integration.unifier.server import serving
from tests.integration.unifier.test_api import end_offsets, replies_since
from tests.unit.unifier.factory import ident, message
from unifier.entrypoints.app import create_app

ALICE = [ident("email", "alice@example.test")]


async def test_live_message_and_one_reply_for_a_double_submit(kafka: str, tmp_path: Path) -> None:
    tenant = "p" + uuid.uuid4().hex[:8]
    settings = settings_for(
        kafka, f"sqlite:///{tmp_path}/u.db", api_tokens={tenant: SecretStr("tok-" + tenant)}
    )
    app = create_app(settings)
    async with serving(app) as base, async_playwright() as pw:
        await publish(kafka, [message("m1", tenant=tenant, ids=ALICE, text="first question")])

        async def stored() -> bool:
            return bool(await _count(app, tenant))

        await eventually(stored)
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page()
            await page.goto(f"{base}/inbox/{tenant}?token=tok-{tenant}")
            await page.wait_for_selector("body[data-live=connected]", timeout=10_000)
            assert await page.locator(".message .text").first.inner_text() == "first question"

            reply = message(
                "m2",
                tenant=tenant,
                ids=ALICE,
                text="anyone there?",
                at=timedelta(hours=1),
                hints=ev.ThreadHints(message_id="<m2@x>", in_reply_to=["<m1@x>"]),
            )
            await publish(kafka, [reply])
            await page.wait_for_selector("text=anyone there?", timeout=15_000)  # no reload
            assert await page.locator(".decision summary").last.inner_text() == "email.in_reply_to"

            before = await end_offsets(kafka, REPLIES_EMAIL)
            await page.fill("#reply textarea", "We are on it")
            await page.locator("#reply button").dblclick()  # submitted twice
            await page.wait_for_selector("#reply-status[data-status]", timeout=10_000)
            await page.locator("#reply button").click()  # and once more, after the answer
            await asyncio.sleep(0.5)

            async def published() -> bool:
                return len(await replies_since(kafka, before, tenant)) >= 1

            await eventually(published)
            await asyncio.sleep(1.0)  # give a duplicate every chance to show up
            sent = await replies_since(kafka, before, tenant)
            assert len(sent) == 1 and isinstance(sent[0], ev.ReplyRequested)
            assert sent[0].content.text == "We are on it"  # type: ignore[union-attr]
            assert await page.locator("#reply-status").inner_text() == "sent"
            # the reply is a message of the thread, after the customer's, with author and status
            ours = page.locator(".message.outbound")
            await ours.wait_for(timeout=10_000)
            assert await ours.count() == 1
            assert await ours.get_attribute("data-status") == "requested"
            assert await ours.locator(".sender").inner_text() == "agent"
            assert await ours.locator(".text").inner_text() == "We are on it"
            assert await page.locator(".message").last.get_attribute("data-id") == sent[0].reply_id
        finally:
            await browser.close()


async def _count(app: object, tenant: str) -> int:
    from unifier.store.queries import list_conversations

    runtime = app.state.runtime  # type: ignore[attr-defined]
    async with runtime.engine.connect() as conn:
        return len(await list_conversations(conn, tenant))
