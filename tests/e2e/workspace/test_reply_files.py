"""Files on a reply, in a real Chromium: the customer writes in over SMTP (the real email edge),
the agent attaches a file in the composer (uploaded at once, CSRF header, no inline script),
sends, and the reply in the thread shows the file, served from the blob store to her session;
reply.requested.v1 carries it. A file past the size cap is refused in the page with the reason
and nothing is attached or published."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import FilePayload, Page, expect
from pydantic import SecretStr

from hotline import events as ev
from hotline.blobs import FileBlobStore, blob_ref
from tests.e2e.workspace.customers import Customers
from tests.e2e.workspace.pane import (
    Served,
    agent,
    browser,
    page,
    replies_after,
    reply_offsets,
    thread_with,
)
from tests.integration.unifier.harness import eventually, settings_for
from tests.integration.unifier.server import serving
from unifier.entrypoints.app import create_app

pytestmark = pytest.mark.e2e
__all__ = ["agent", "browser", "page", "served"]  # fixtures
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200))
CAP = 64 * 1024


@pytest.fixture(scope="module")
async def served(
    kafka: str, customers: Customers, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Served]:
    """The unifier on the blob store the edges write to, with a small upload cap."""
    tenant, other = customers.tenant(), customers.tenant()
    db = tmp_path_factory.mktemp("reply-files") / "u.db"
    tokens = {tenant: SecretStr("tok-" + tenant), other: SecretStr("tok-" + other)}
    settings = settings_for(
        kafka,
        f"sqlite:///{db}",
        api_tokens=tokens,
        blob_dir=customers.blob_dir,
        reply_attachment_max_bytes=CAP,
    )
    app = create_app(settings)
    async with serving(app) as base:
        yield Served(app, base, tenant, other)


async def _open_thread(page: Page, served: Served, customers: Customers, tag: str) -> str:
    addr = f"rita-{tag}@example.test"
    await customers.mail(served.tenant, addr, "Broken screen", f"photo please {tag}")
    tid = await thread_with(served.app, served.tenant, f"photo please {tag}")
    await page.goto(f"{served.base}/inbox/conversations/{tid}")
    await page.wait_for_selector("body[data-live=connected]", timeout=10_000)
    return tid


async def test_a_reply_with_an_attached_file_shows_it_in_the_thread(
    kafka: str, customers: Customers, served: Served, page: Page
) -> None:
    await _open_thread(page, served, customers, uuid.uuid4().hex[:6])
    before = await reply_offsets(kafka)
    await page.fill("#reply-text", "Here is the label to print")
    file = FilePayload(name="label.png", mimeType="image/png", buffer=PNG)
    await page.set_input_files("#reply-file-input", files=[file])
    chosen = page.locator(".reply-file-list li[data-ref]")
    await expect(chosen).to_have_count(1, timeout=10_000)
    assert await chosen.get_attribute("data-ref") == blob_ref(PNG)
    await page.locator("#reply button[type=submit]").click()
    await expect(page.locator("#reply-status")).to_have_text("Sent on email.", timeout=10_000)
    await expect(page.locator(".reply-file-list li")).to_have_count(0)  # sent: the list empties

    async def published() -> bool:
        return bool(await replies_after(kafka, before, served.tenant))

    await eventually(published)
    [sent] = await replies_after(kafka, before, served.tenant)
    assert isinstance(sent, ev.ReplyRequested)
    assert [(a.ref, a.filename, a.mime_type) for a in sent.attachments] == [
        (blob_ref(PNG), "label.png", "image/png")
    ]
    ours = page.locator(f'.message.outbound[data-message-id="{sent.reply_id}"]')
    link = ours.locator(".attachments a.download")
    await expect(link).to_have_text("label.png", timeout=10_000)
    href = await link.get_attribute("href")
    served_bytes = await page.evaluate(
        "async (u) => Array.from(new Uint8Array(await (await fetch(u)).arrayBuffer()))", href
    )
    assert bytes(served_bytes) == PNG  # from the blob store, to the signed-in agent


async def test_a_file_past_the_cap_is_refused_in_the_page_and_nothing_is_sent(
    kafka: str, customers: Customers, served: Served, page: Page
) -> None:
    tid = await _open_thread(page, served, customers, uuid.uuid4().hex[:6])
    before = await reply_offsets(kafka)
    big = FilePayload(name="huge.bin", mimeType="application/octet-stream", buffer=b"x" * (CAP + 1))
    await page.set_input_files("#reply-file-input", files=[big])
    status = page.locator(".reply-file-status")
    await expect(status).to_contain_text("Not attached: huge.bin", timeout=10_000)
    await expect(status).to_contain_text(str(CAP))
    assert await page.locator(".reply-file-list li").count() == 0
    assert not FileBlobStore(customers.blob_dir).exists(blob_ref(b"x" * (CAP + 1)))
    refused = await page.evaluate(  # the form posting a ref nobody uploaded here
        """async ([tid, ref]) => {
             const r = await fetch(`/inbox/conversations/${tid}/reply`, {
               method: "POST", headers: JSON.parse(document.body.getAttribute("hx-headers")),
               body: new URLSearchParams({text: "see file", channel: "email", attachments: ref})});
             return [r.status, await r.text()]; }""",
        [tid, blob_ref(b"nobody uploaded this")],
    )
    assert refused[0] == 422 and "Not sent: no uploaded file" in refused[1]
    assert await replies_after(kafka, before, served.tenant) == []
