"""Conversation actions in a real Chromium, on the actions fragment's own page: labels,
close/reopen, snooze (in the browser's time zone) and the wake by the customer's next mail,
waiting on the customer (its conversation.waiting.v1 start and end on Kafka),
a canned response with placeholders inserted into the reply box, merge and split with their
refusals. Each action is checked in the store, not only on the page. Customer mail comes in
over SMTP through email_ingest."""

from __future__ import annotations

import asyncio
import contextlib
import json
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import sqlalchemy as sa
from axe_playwright_python.async_playwright import Axe  # type: ignore[import-untyped]
from fastapi import FastAPI
from playwright.async_api import Browser, Dialog, Page, async_playwright, expect
from pydantic import SecretStr

from hotline import unified as un
from hotline.topics import CONVERSATIONS
from tests.browser import ARGS, CHROMIUM
from tests.e2e.workspace.customers import Customers
from tests.integration.unifier.harness import eventually, read_unified, settings_for
from tests.integration.unifier.server import serving
from tests.workspace import sign_in
from unifier.entrypoints.app import create_app
from unifier.store import activity_rows
from unifier.store.schema import threads

HOSTILE = "Ali <img src=x onerror=alert(1)>{{agent.name}}"  # her display name
DIALOGS: weakref.WeakKeyDictionary[Page, list[str]] = weakref.WeakKeyDictionary()  # alerts seen
SHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"


@dataclass
class Stack:
    app: FastAPI
    base: str
    tenant: str
    other: str  # another tenant of the same app
    browser: Browser
    api: httpx.AsyncClient
    customers: Customers


@contextlib.asynccontextmanager
async def stack(kafka: str, customers: Customers, tmp_path: Path) -> AsyncIterator[Stack]:
    tenant, other = customers.tenant(), customers.tenant()
    tokens = {tenant: SecretStr("tok-" + tenant), other: SecretStr("tok-" + other)}
    app = create_app(settings_for(kafka, f"sqlite:///{tmp_path}/u.db", api_tokens=tokens))
    async with serving(app) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        api = httpx.AsyncClient(
            base_url=f"{base}/api/tenants/{tenant}",
            headers={"Authorization": f"Bearer tok-{tenant}"},
            timeout=10,
        )
        try:
            yield Stack(app, base, tenant, other, browser, api, customers)
        finally:
            await api.aclose()
            await browser.close()


async def alice(s: Stack, n: int, text: str, name: str | None = None) -> None:
    """Alice's n-th mail over SMTP, each answering the one before (one thread)."""
    mid = f"<a{n}.{s.tenant}@example.test>"
    before = f"<a{n - 1}.{s.tenant}@example.test>" if n > 1 else None
    await s.customers.mail(
        s.tenant, "alice@example.test", "My order", text, name=name, message_id=mid,
        in_reply_to=before, at=datetime.now(UTC) - timedelta(minutes=10 - n),
    )  # fmt: skip


async def conversations(s: Stack) -> list[dict[str, Any]]:
    res = await s.api.get("/conversations")
    assert res.status_code == 200, res.text
    out: list[dict[str, Any]] = res.json()
    return out


async def until_count(s: Stack, count: int, messages: int | None = None) -> list[dict[str, Any]]:
    async def ready() -> bool:
        found = await conversations(s)
        return len(found) == count and (
            messages is None or sum(c["message_count"] for c in found) == messages
        )

    await eventually(ready)
    return await conversations(s)


async def snoozed_until(s: Stack, tid: str) -> datetime | None:
    async with s.app.state.runtime.engine.connect() as conn:
        q = sa.select(threads.c.snoozed_until).where(threads.c.thread_id == tid)
        value = (await conn.execute(q)).scalar_one()
    return None if value is None else value.replace(tzinfo=UTC)


async def kinds(s: Stack, tid: str) -> list[str]:
    async with s.app.state.runtime.engine.connect() as conn:
        return [a["kind"] for a in await activity_rows.of_thread(conn, s.tenant, tid)]


async def agent_page(s: Stack, name: str = "Ana Lima", tz: str = "Asia/Tokyo") -> Page:
    context = await s.browser.new_context(timezone_id=tz)
    await sign_in(context, s.base, s.app, s.tenant, name=name)
    page = await context.new_page()

    def accept(dialog: Dialog) -> None:  # hx-confirm's; any other dialog is recorded
        if dialog.type != "confirm":
            DIALOGS[page].append(dialog.message)
        asyncio.get_running_loop().create_task(dialog.accept())

    DIALOGS[page] = []

    page.on("dialog", accept)
    return page


async def csrf_of(page: Page) -> str:
    """The session's CSRF token, as the page hands it to htmx."""
    headers = await page.locator("body").get_attribute("hx-headers")
    token: str = json.loads(headers or "{}")["X-CSRF-Token"]
    return token


async def open_actions(page: Page, s: Stack, tid: str) -> None:
    await page.goto(f"{s.base}/inbox/conversations/{tid}/actions")
    await page.wait_for_selector(f".thread-actions[data-conversation-id='{tid}']")


async def test_labels_close_snooze_wake_and_canned(
    kafka: str, customers: Customers, tmp_path: Path
) -> None:
    async with stack(kafka, customers, tmp_path) as s:
        await alice(s, 1, "my order is late", HOSTILE)
        [conv] = await until_count(s, 1)
        tid = conv["thread_id"]
        page = await agent_page(s)
        await open_actions(page, s, tid)

        # labels: added (normalised, new to the catalogue), removed
        for name in ("VIP", "Billing  Issue"):
            await page.click("summary[data-shortcut=l]")
            await page.fill("input[name=add]", name)
            await page.click("[data-menu=labels] button[type=submit]")
            await page.wait_for_selector(".actions-notice")
        await page.wait_for_selector(".label[data-label=billing-issue]")
        await page.click(".label[data-label=vip] button")
        await page.wait_for_selector(".label[data-label=vip]", state="detached")
        assert await page.locator(".label").all_inner_texts() == ["billing-issue ×"]
        labels = (await s.api.get("/labels")).json()
        assert [x["label"] for x in labels] == ["billing-issue", "vip"]

        # close and reopen by the same marked button
        await page.click("[data-shortcut=e]")
        await page.wait_for_selector(".state[data-state=closed]")
        await page.click("[data-shortcut=e]")
        await page.wait_for_selector(".state[data-state=open]")

        # snooze: tomorrow 9:00 in the browser's zone (Tokyo), then wake it early
        await page.click("summary[data-shortcut=s]")
        await page.click("button[value=tomorrow]")
        await page.wait_for_selector("[data-snoozed-until]")
        tokyo = datetime.now(ZoneInfo("Asia/Tokyo")).date() + timedelta(days=1)
        expected = datetime(tokyo.year, tokyo.month, tokyo.day, 9, tzinfo=ZoneInfo("Asia/Tokyo"))
        assert await snoozed_until(s, tid) == expected.astimezone(UTC)
        await page.click(".act-unsnooze")
        await page.wait_for_selector("[data-snoozed-until]", state="detached")
        assert await snoozed_until(s, tid) is None

        # a past time is refused in the alert slot, nothing changes
        await page.click("summary[data-shortcut=s]")
        await page.fill("input[name=until]", "2020-01-01T09:00")
        await page.click(".snooze-at")
        alert = page.locator("[data-actions-alert]")
        await alert.filter(has_text="future").wait_for()
        assert await snoozed_until(s, tid) is None

        # snoozed for an hour, woken by Alice's next mail
        await page.click("button[value='1h']")
        await page.wait_for_selector("[data-snoozed-until]")
        assert await snoozed_until(s, tid) is not None
        await alice(s, 2, "any news?")

        async def woken() -> bool:
            return await snoozed_until(s, tid) is None

        await eventually(woken)
        await open_actions(page, s, tid)
        assert await page.locator("[data-snoozed-until]").count() == 0
        assert await page.locator(".activity-item[data-kind=woken]").count() == 1
        assert await kinds(s, tid) == [
            "labels", "labels", "labels", "closed", "reopened",
            "snoozed", "unsnoozed", "snoozed", "woken",
        ]  # fmt: skip

        # waiting on the customer: a pressed toggle, ended by Alice's next mail
        await page.click(".act-waiting")
        await expect(page.locator(".act-waiting")).to_have_attribute("aria-pressed", "true")
        await alice(s, 3, "here is the order number")

        async def answered() -> bool:  # the mail's own time is older: ends just after the start
            return (await kinds(s, tid))[-2:] == ["waiting", "waiting_ended"]

        await eventually(answered)
        await open_actions(page, s, tid)
        await expect(page.locator(".act-waiting")).to_have_attribute("aria-pressed", "false")
        waits = await waiting_events(kafka, s.tenant, tid, 2)  # what integrators see
        assert [(w.waiting, w.reason, w.by is None) for w in waits] == [
            (True, "manual", False),
            (False, "customer_message", True),
        ]
        assert waits[0].since == waits[1].since < waits[1].at

        # a canned response, placeholders filled by the server, inserted into the reply box
        body = "Hi {{contact.first_name}} ({{contact.name}}), {{agent.name}} here"
        body += " (#{{conversation.id}}) {{order.no}}"
        made = await page.request.post(  # by the signed-in admin (integrations may not)
            f"{s.base}/api/tenants/{s.tenant}/canned",
            data={"shortcut": "late", "title": "Late order", "body": body},
            headers={"X-CSRF-Token": await csrf_of(page)},
        )
        assert made.status == 201, await made.text()
        await open_actions(page, s, tid)
        await page.fill("#reply textarea", "> ")
        await page.click("summary[data-shortcut=c]")
        await page.click(".canned-pick[data-canned-shortcut=late]")
        box = page.locator("#reply textarea")
        want = f"> Hi Ali ({HOSTILE}), Ana Lima here (#{tid}) {{{{order.no}}}}"  # inert text
        await expect(box).to_have_value(want)
        assert await box.input_value() == want
        status = await page.locator("[data-canned-status]").inner_text()
        assert "{{order.no}}" in status
        assert DIALOGS[page] == [] and await page.locator("img").count() == 0  # nothing ran
        SHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SHOTS / "thread-actions.png"), full_page=True)
        for menu in ("snooze", "merge"):  # the menus open too
            await page.click(f"[data-menu={menu}] summary")
        assert await serious_violations(page) == []


async def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now."""
    results = await Axe().run(page)
    found = results.response["violations"]
    return [v["id"] for v in found if v["impact"] in ("serious", "critical")]


async def waiting_events(kafka: str, tenant: str, tid: str, n: int) -> list[un.ConversationWaiting]:
    found: list[un.ConversationWaiting] = []

    async def enough() -> bool:
        events = await read_unified(kafka, CONVERSATIONS, tenant)
        found[:] = [
            e for e in events if isinstance(e, un.ConversationWaiting) and e.conversation_id == tid
        ]
        return len(found) >= n

    await eventually(enough, timeout=15)
    assert len(found) == n
    return found


async def test_canned_admin_page(kafka: str, customers: Customers, tmp_path: Path) -> None:
    async with stack(kafka, customers, tmp_path) as s:
        page = await agent_page(s)
        await page.goto(f"{s.base}/admin/canned")
        await page.fill("#canned-shortcut", "hello")
        await page.fill("#canned-title", "Greeting")
        await page.fill("#canned-body", "Hello {{contact.name}} <b>hi</b>")
        await page.click(".canned-form button[type=submit]")
        row = page.locator(".canned-row")
        await row.wait_for()
        assert await row.locator("textarea").input_value() == "Hello {{contact.name}} <b>hi</b>"
        await page.click(".canned-form button[type=submit]")  # the same shortcut again
        await page.locator("[data-actions-alert]").filter(has_text="in use").wait_for()
        assert await row.count() == 1
        await row.locator("input[name=title]").fill("Hi there")
        await row.locator("button[type=submit]").click()
        await page.locator(".actions-notice").filter(has_text="Saved").wait_for()
        [saved] = (await s.api.get("/canned")).json()
        assert saved["title"] == "Hi there"
        await page.locator(".canned-row button[hx-post$='/delete']").click()
        await row.wait_for(state="detached")
        assert (await s.api.get("/canned")).json() == []


async def test_split_and_merge_with_refusals(
    kafka: str, customers: Customers, tmp_path: Path
) -> None:
    async with stack(kafka, customers, tmp_path) as s:
        for n, text in enumerate(["first", "second", "third"]):
            await alice(s, n + 1, text)
        await customers.mail(s.tenant, "bob@x.test", "Help", "hello")
        await customers.mail(s.other, "alice@example.test", "Help", "hello")  # elsewhere
        found = await until_count(s, 2, messages=4)
        tid = next(c["thread_id"] for c in found if c["message_count"] == 3)
        page = await agent_page(s)
        await open_actions(page, s, tid)

        # split: tick the third message, move it into a new conversation
        await page.click("[data-shortcut=x]")
        picks = page.locator("[data-message-id] input.split-pick")
        assert await picks.count() == 3
        await page.locator("[data-message-id]", has_text="third").locator("input").check()
        assert await page.locator("[data-split-count]").inner_text() == "1 selected"
        await page.click("[data-split-submit]")
        await expect(page.locator("[data-message-id]")).to_have_count(2)
        assert await page.locator(".activity-item[data-kind=split]").count() == 1
        after = await until_count(s, 3)
        new = next(
            c["thread_id"]
            for c in after
            if c["message_count"] == 1
            and c["contact_id"] == next(x for x in after if x["thread_id"] == tid)["contact_id"]
        )

        # splitting every message is refused, nothing moves
        await page.click("[data-shortcut=x]")
        for box in await picks.all():
            await box.check()
        await page.click("[data-split-submit]")
        await page.locator("[data-actions-alert]").filter(has_text="at least one").wait_for()
        assert await page.locator("[data-message-id]").count() == 2

        # merge: the contact's other conversation is offered (Bob's is not)
        await page.click("summary[data-shortcut=m]")
        choices = page.locator("input[name=into]")
        assert [await c.get_attribute("value") for c in await choices.all()] == [new]
        for pasted, refusal in ((tid, "itself"), (await other_tenants(s), "not_found")):
            await page.fill("input[name=pasted]", pasted)
            await page.click("[data-menu=merge] button[type=submit]")
            alert = page.locator("[data-actions-alert]")
            await (
                alert.filter(has_text=refusal)
                .or_(page.locator(f"[data-actions-alert][data-reason={refusal}]"))
                .wait_for()
            )
            assert len(await conversations(s)) == 3
            await page.fill("input[name=pasted]", "")
        await choices.first.check()
        await page.click("[data-menu=merge] button[type=submit]")
        await page.wait_for_url(f"**/inbox/conversations/{new}/actions")
        await expect(page.locator("[data-message-id]")).to_have_count(3)
        assert await page.locator(".activity-item[data-kind=merged_from]").count() == 1
        assert await kinds(s, tid) == ["split", "merged_into"]
        assert len(await until_count(s, 2)) == 2


async def other_tenants(s: Stack) -> str:
    async with httpx.AsyncClient(
        base_url=f"{s.base}/api/tenants/{s.other}",
        headers={"Authorization": f"Bearer tok-{s.other}"},
    ) as other:

        async def there() -> bool:  # the other tenant's mail may still be on its way
            return bool((await other.get("/conversations")).json())

        await eventually(there)
        [conv] = (await other.get("/conversations")).json()
        return str(conv["thread_id"])
