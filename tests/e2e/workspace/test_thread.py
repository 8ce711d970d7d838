"""The thread pane in a real Chromium: the timeline (inbound, outbound, internal note, activity,
edits, deletes, reactions — all from the customer through the real edges: signed WhatsApp
webhooks, mail over SMTP), a reply sent once when clicked twice, a note never delivered, bad
replies refused with a clear message and nothing published, keyboard shortcuts, 404s."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from axe_playwright_python.async_playwright import Axe  # type: ignore[import-untyped]
from playwright.async_api import Page, expect

from hotline import events as ev
from hotline import unified as un
from hotline.topics import CONVERSATIONS
from tests.e2e.workspace.customers import Customers
from tests.e2e.workspace.pane import (
    SCREENSHOTS,
    Served,
    agent,
    browser,
    page,
    replies_after,
    reply_offsets,
    served,
    thread_with,
)
from tests.integration.unifier.harness import eventually, read_unified
from tests.workspace import SignedIn
from unifier.store.read_marks import seen_count
from unifier.store.schema_workspace import activity

pytestmark = pytest.mark.e2e
__all__ = ["agent", "browser", "page", "served"]  # fixtures


def _phone() -> str:
    return f"+49151{uuid.uuid4().int % 10**7:07d}"


def ago(hours: float) -> datetime:
    return datetime.now(UTC) - timedelta(hours=hours)


async def _open(page: Page, served: Served, tid: str) -> None:
    await page.goto(f"{served.base}/inbox/conversations/{tid}")
    await page.wait_for_selector("body[data-live=connected]", timeout=10_000)


async def _assigned(served: Served, tid: str) -> None:
    """An activity row as the assignment service writes one (any kind renders generically): the
    system's own state, not customer input, so it is written here rather than fed in."""
    row = {
        "tenant": served.tenant,
        "activity_id": uuid.uuid4().hex,
        "thread_id": tid,
        "at": datetime.now(UTC),
        "kind": "assigned",
        "actor": "Rui",
        "detail": json.dumps({"to": "Ana", "reason": "round robin, capacity 3/10"}),
    }
    async with served.app.state.runtime.engine.begin() as conn:
        await conn.execute(activity.insert().values(**row))


async def test_timeline_with_every_kind_of_item(
    customers: Customers, served: Served, page: Page
) -> None:
    tenant, phone = served.tenant, _phone()
    tag = uuid.uuid4().hex[:6]
    hello = await customers.whatsapp(tenant, phone, f"hello {tag}", at=ago(2))
    card = await customers.whatsapp(tenant, phone, "my card is 4111 1111 1111 1111", at=ago(1.5))
    tid = await thread_with(served.app, tenant, f"hello {tag}")
    await _open(page, served, tid)
    await customers.whatsapp_edit(tenant, phone, hello, f"hello {tag}, edited")
    await customers.whatsapp_delete(tenant, phone, card)
    await customers.whatsapp_reaction(tenant, phone, hello, "👍")
    timeline = page.locator("#timeline")
    await expect(timeline.locator(".message.deleted .deleted-note")).to_have_text(
        "message deleted", timeout=15_000
    )  # arrived live
    await expect(timeline.locator(".reaction")).to_contain_text("👍 1", timeout=15_000)
    edited = timeline.locator(".message", has_text=f"hello {tag}, edited")
    await expect(edited.locator(".edited")).to_have_text("edited")
    await edited.locator("details.history summary").click()
    await expect(edited.locator("details.history .old-text")).to_have_text(f"hello {tag}")
    assert "4111" not in await page.content()

    await _assigned(served, tid)
    await page.locator("#tab-note").click()
    await page.fill("#note-text", "VIP: refund approved by finance")
    await page.locator("#note button[type=submit]").click()
    await expect(page.locator("#note-status")).to_have_text(
        "Note added (agents only, not sent to the customer)."
    )
    await page.locator("#tab-reply").click()
    await page.fill("#reply-text", "Refund is on its way")
    await page.locator("#reply button[type=submit]").click()
    await expect(page.locator("#reply-status")).to_have_text("Sent on whatsapp.")

    ours = timeline.locator(".message.outbound")
    await expect(ours).to_have_count(1, timeout=10_000)
    await expect(ours.locator(".ticks")).to_contain_text("requested")
    await expect(ours.locator(".sender")).to_have_text("Ana")
    kinds = await timeline.locator("> li").evaluate_all(
        "els => els.map(e => e.classList.contains('note') ? 'note'"
        " : e.classList.contains('activity') ? 'activity' : e.classList[2])"
    )
    assert kinds == ["inbound", "inbound", "activity", "note", "outbound"]
    note = timeline.locator(".note")
    await expect(note.locator(".note-label")).to_have_text("Internal note")
    await expect(note.locator(".sender")).to_have_text("Ana")
    act = timeline.locator(".activity")
    await expect(act).to_contain_text("Rui assigned")
    await expect(act.locator(".reason")).to_have_text("— round robin, capacity 3/10")
    first_msg = timeline.locator(".message").first
    await expect(first_msg.locator(".badge")).to_have_text("whatsapp")
    await first_msg.locator("details.decision summary").click()
    await expect(first_msg.locator("details.decision")).to_have_attribute("open", "")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "thread.png"), full_page=True)
    checked = await Axe().run(page)
    bad = [
        (v["id"], [n["html"] for n in v["nodes"]])
        for v in checked.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == []


async def test_live_arrival_and_one_reply_when_clicked_twice(
    kafka: str, customers: Customers, served: Served, page: Page
) -> None:
    """Port of the legacy inbox page test: a message arrives without reload; a double-clicked
    reply, and a retry with its Idempotency-Key, publish one reply; the draft survives."""
    tenant, tag = served.tenant, uuid.uuid4().hex[:6]
    addr = f"alice-{tag}@example.test"
    first = await customers.mail(tenant, addr, "Help", f"first {tag}", at=ago(1))
    tid = await thread_with(served.app, tenant, f"first {tag}")
    await _open(page, served, tid)
    await page.fill("#reply-text", "a draft in progress")
    key = await page.locator("#reply input[name=idempotency_key]").input_value()
    await customers.mail(tenant, addr, "Re: Help", "anyone there?", in_reply_to=first)
    await page.wait_for_selector("#timeline >> text=anyone there?", timeout=15_000)  # no reload
    assert await page.locator(".decision code").last.inner_text() == "email.in_reply_to"
    assert await page.input_value("#reply-text") == "a draft in progress"  # composer untouched
    assert await page.locator("#reply input[name=idempotency_key]").input_value() == key

    before = await reply_offsets(kafka)
    await page.fill("#reply-text", "We are on it")
    await page.locator("#reply button[type=submit]").dblclick()
    await expect(page.locator("#reply-status")).to_have_text("Sent on email.", timeout=10_000)
    retried = await page.evaluate(  # a retry of the same composed reply (same key)
        """async ([tid, key]) => (await fetch(`/inbox/conversations/${tid}/reply`, {
             method: "POST", headers: JSON.parse(document.body.getAttribute("hx-headers")),
             body: new URLSearchParams({text: "We are on it", channel: "email",
                                        idempotency_key: key})})).status""",
        [tid, key],
    )
    assert retried == 200

    async def published() -> bool:
        return len(await replies_after(kafka, before, tenant)) >= 1

    await eventually(published)
    await asyncio.sleep(1.0)  # give a duplicate every chance to show up
    sent = await replies_after(kafka, before, tenant)
    assert len(sent) == 1 and isinstance(sent[0], ev.ReplyRequested)
    assert sent[0].content.text == "We are on it"  # type: ignore[union-attr]
    assert sent[0].recipient == addr
    ours = page.locator(".message.outbound")
    await expect(ours).to_have_count(1, timeout=10_000)
    assert await ours.get_attribute("data-status") == "requested"
    assert await ours.get_attribute("data-message-id") == sent[0].reply_id
    assert (
        await page.locator("#timeline > li").last.get_attribute("data-message-id")
        == sent[0].reply_id
    )
    assert await page.input_value("#reply-text") == ""  # sent: the composer is cleared
    await page.fill("#reply-text", "a new reply")  # new input: a new key
    assert await page.locator("#reply input[name=idempotency_key]").input_value() != key
    await page.fill("#reply-text", "")
    await page.locator("#reply-text").evaluate("(box) => { box.value = 'inserted'; }")  # no input
    await page.locator("#reply button[type=submit]").click()  # (e.g. a canned response)
    await expect(page.locator("#reply-status")).to_have_text("Sent on email.")
    await expect(page.locator("#reply-text")).to_have_value("")  # answered (the status was)
    await page.locator("#reply-text").evaluate("(box) => { box.value = 'inserted 2'; }")
    await page.locator("#reply button[type=submit]").click()
    await expect(ours).to_have_count(3, timeout=10_000)  # each new text, its own key: sent
    texts = await ours.locator(".text").all_inner_texts()
    assert texts == ["We are on it", "inserted", "inserted 2"]


async def test_a_note_is_never_delivered(
    kafka: str, customers: Customers, served: Served, page: Page, agent: SignedIn
) -> None:
    tenant, tag = served.tenant, uuid.uuid4().hex[:6]
    await customers.mail(tenant, f"bob-{tag}@example.test", "Help", f"note me {tag}")
    tid = await thread_with(served.app, tenant, f"note me {tag}")
    await _open(page, served, tid)
    before = await reply_offsets(kafka)
    await page.keyboard.press("n")
    await expect(page.locator("#note-text")).to_be_focused()
    await page.keyboard.type(f"internal only {tag}")
    await page.locator("#note button[type=submit]").click()
    await expect(page.locator("#timeline .note .text")).to_have_text(f"internal only {tag}")

    async def noted() -> list[un.ConversationNoteAdded]:
        return [
            e
            for e in await read_unified(kafka, CONVERSATIONS, tenant)
            if isinstance(e, un.ConversationNoteAdded) and e.conversation_id == tid
        ]

    async def published() -> bool:
        return bool(await noted())

    await eventually(published)
    [added] = await noted()
    assert added.text == f"internal only {tag}" and added.author == agent.agent_id
    assert await replies_after(kafka, before, tenant) == []  # no channel got it
    assert await page.locator(".message.outbound").count() == 0


async def test_bad_replies_are_refused_and_nothing_is_published(
    kafka: str, customers: Customers, served: Served, page: Page
) -> None:
    tenant, phone, tag = served.tenant, _phone(), uuid.uuid4().hex[:6]
    # three days ago by WhatsApp's own timestamp: the 24-hour window is closed
    await customers.whatsapp(tenant, phone, f"old news {tag}", at=ago(72))
    tid = await thread_with(served.app, tenant, f"old news {tag}")
    await _open(page, served, tid)
    before = await reply_offsets(kafka)
    await expect(page.locator("#reply-channel option")).to_contain_text(["cannot reply"])
    await page.fill("#reply-text", "can you hear me?")
    await page.locator("#reply button[type=submit]").click()
    status = page.locator("#reply-status")
    await expect(status).to_contain_text("24-hour reply window closed")
    await expect(status).to_have_attribute("data-outcome", "error")

    await page.fill("#reply-text", "x" * 20_001)
    await page.locator("#reply button[type=submit]").click()
    await expect(status).to_have_text(
        "Too long: a reply has at most 20,000 characters (this one has 20,001). Nothing was sent."
    )
    empty = await page.evaluate(  # the form requires text; the server refuses it too
        """async (tid) => { const r = await fetch(`/inbox/conversations/${tid}/reply`, {
             method: "POST", headers: JSON.parse(document.body.getAttribute("hx-headers")),
             body: new URLSearchParams({text: "  ", channel: "whatsapp"})});
           return [r.status, await r.text()]; }""",
        tid,
    )
    assert empty[0] == 422 and "Nothing to send: write the reply first." in empty[1]
    await asyncio.sleep(1.0)
    assert await replies_after(kafka, before, tenant) == []
    assert await page.locator(".message.outbound").count() == 0
    assert await page.input_value("#reply-text") == "x" * 20_001  # refused: the draft stays


async def test_keyboard_shortcuts(
    customers: Customers, served: Served, page: Page, agent: SignedIn
) -> None:
    tenant, tag = served.tenant, uuid.uuid4().hex[:6]
    for i in range(2):
        await customers.mail(tenant, f"k{i}-{tag}@example.test", "Keys", f"keys {i} {tag}")
    tids = [await thread_with(served.app, tenant, f"keys {i} {tag}") for i in range(2)]
    await _open(page, served, tids[0])
    await page.evaluate(  # the list pane's rows, as the list helper renders them
        """ids => { const nav = document.createElement("nav"); nav.id = "list";
            for (const id of ids) { const row = document.createElement("div"); row.dataset.id = id;
              const a = document.createElement("a"); a.href = `/inbox/conversations/${id}`;
              a.textContent = id; row.append(a); nav.append(row); }
            document.body.prepend(nav); }""",
        tids,
    )
    pane = await page.request.get(
        f"{served.base}/inbox/conversations/{tids[1]}", headers={"HX-Request": "true"}
    )
    body = await pane.text()
    assert pane.status == 200 and body.lstrip().startswith('<section class="thread-pane"')
    assert f"keys 1 {tag}" in body and "<html" not in body
    async with served.app.state.runtime.engine.connect() as conn:  # viewing marked it read
        assert await seen_count(conn, tenant, tids[1], agent.agent_id) == 1
        assert await seen_count(conn, tenant, tids[1], "Rui") == 0
    await page.keyboard.press("?")
    help_ = page.locator("dialog#shortcuts-help")
    await expect(help_).to_be_visible()
    await expect(help_).to_contain_text("Reply to the customer")
    await expect(help_).to_contain_text("Write an internal note")
    await page.keyboard.press("Escape")
    await expect(help_).to_be_hidden()
    await page.keyboard.press("r")
    await expect(page.locator("#reply-text")).to_be_focused()
    await page.keyboard.type("jk")  # typed into the reply: no navigation
    assert await page.input_value("#reply-text") == "jk"
    await page.locator("#thread-title").click()
    await page.keyboard.press("n")
    await expect(page.locator("#note-text")).to_be_focused()
    await page.locator("#thread-title").click()
    await page.keyboard.press("j")
    await page.wait_for_url(f"**/inbox/conversations/{tids[1]}")
    await page.wait_for_selector("body[data-live=connected]")
    await page.evaluate(
        """ids => { const nav = document.createElement("nav"); nav.id = "list";
            for (const id of ids) { const row = document.createElement("div"); row.dataset.id = id;
              const a = document.createElement("a"); a.href = `/inbox/conversations/${id}`;
              row.append(a); nav.append(row); } document.body.prepend(nav); }""",
        tids,
    )
    await page.keyboard.press("k")
    await page.wait_for_url(f"**/inbox/conversations/{tids[0]}")


async def test_unknown_and_foreign_ids_are_not_found(
    customers: Customers, served: Served, page: Page
) -> None:
    tag = uuid.uuid4().hex[:6]
    await customers.mail(served.other, f"eve-{tag}@example.test", "Hi", f"foreign {tag}")
    foreign = await thread_with(served.app, served.other, f"foreign {tag}")
    for tid in (foreign, "no-such-conversation"):
        res = await page.goto(f"{served.base}/inbox/conversations/{tid}")
        assert res is not None and res.status == 404
        await expect(page.locator("#thread [role=alert] h1")).to_have_text("Conversation not found")
        pane = await page.request.get(
            f"{served.base}/inbox/conversations/{tid}", headers={"HX-Request": "true"}
        )
        assert pane.status == 404 and "Conversation not found" in await pane.text()
        assert "<html" not in await pane.text()
        assert f"foreign {tag}" not in await pane.text()
