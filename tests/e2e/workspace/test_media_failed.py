"""Issue 24 §6, done means: a customer's WhatsApp media reaches the agent from the blob store,
and a provider media URL that 404s or times out leaves a failed attachment, visible in the API
and the page. Everything real but the provider: signed webhooks (real corpus format) into
social_ingest with the media copy on, the session's broker, the unifier consuming it, both on a
bucket of the real S3 server (tests/s3.py), a Graph API stand-in answering in its recorded
formats (the image; a 404 for a media id it no longer knows; a download that hangs), and the
thread opened in Chromium by a signed-in agent."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, async_playwright
from pydantic import SecretStr

from hotline_tools.devstack.broker import free_port
from hotline_tools.devstack.s3 import S3Server
from tests.browser import ARGS, CHROMIUM
from tests.e2e.identity.harness import eventually
from tests.e2e.workspace.a11y import screenshot
from tests.e2e.workspace.test_hostile_content import png
from tests.http_helpers import serve_app
from tests.integration.social.conftest import serve
from tests.integration.social.test_media_copy import Graph, graph_app, webhook
from tests.integration.unifier.harness import settings_for as unifier_settings
from tests.integration.unifier.server import serving
from tests.s3 import blob_settings, new_bucket
from tests.unit.social.edges import settings_for as social_settings
from tests.unit.social.test_whatsapp_edge import PATH, sign
from tests.workspace import sign_in
from unifier.entrypoints.app import create_app

pytestmark = pytest.mark.e2e
# a tenant of its own: the session's broker also carries other tests' WhatsApp messages from
# the same corpus sender (tenant acme), which would thread into this test's conversation
TENANT, TOKEN = "media-e2e", "media-agent-token"


async def conversation(base: str, wanted: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {TOKEN}"}

    async def landed() -> dict[str, Any] | None:
        async with httpx.AsyncClient(base_url=base + f"/api/tenants/{TENANT}", timeout=15) as c:
            for conv in (await c.get("/conversations", headers=headers)).json():
                thread = (
                    await c.get(f"/conversations/{conv['thread_id']}", headers=headers)
                ).json()
                if len(thread["messages"]) >= wanted:
                    return dict(thread)
        return None

    found: dict[str, Any] = await eventually(landed, timeout=60)
    return found


async def thread_page(page: Page, base: str, thread_id: str) -> None:
    await page.goto(f"{base}/inbox/conversations/{thread_id}")
    await page.wait_for_selector(".attachment img", timeout=15_000)
    await page.wait_for_function(
        "[...document.querySelectorAll('.attachment img')].every(i => i.complete)"
    )


@pytest.fixture
async def graph() -> AsyncIterator[Graph]:
    g = Graph()
    async with serve_app(graph_app(g)) as base:
        g.base = base
        yield g


async def test_media_from_the_bucket_and_failed_copies_shown(
    kafka: str, s3_server: S3Server, graph: Graph, corpora: Path
) -> None:
    tag = uuid.uuid4().hex[:8]
    graph.files, graph.hang = {f"img-{tag}": png()}, {f"doc-{tag}"}
    store = blob_settings(s3_server, new_bucket(s3_server))
    edge = social_settings(
        kafka,
        free_port(),
        media_copy=True,
        media_budget=2.0,
        media_hosts=["127.0.0.1"],
        whatsapp_api_base=graph.base + "/v21.0",
        default_tenant=TENANT,
        **store,
    )
    var = Path(tempfile.mkdtemp(prefix="hotline-media-"))
    workspace = unifier_settings(
        kafka, f"sqlite:///{var}/u.db", api_tokens={TENANT: SecretStr(TOKEN)}, **store
    )
    app = create_app(workspace)
    async with serve(edge) as social, serving(app) as base:
        for case, media_id in (("image", "img"), ("video", "gone"), ("document", "doc")):
            body = webhook(corpora, case, f"wamid.{media_id}-{tag}", f"{media_id}-{tag}")
            r = await social.client.post(PATH, content=body, headers=sign(body))
            assert r.status_code == 200, r.text
        thread = await conversation(base, 3)
        files = [a for m in thread["messages"] for a in m["attachments"]]
        got = sorted((a["stored"], a["fetch_error"] or "") for a in files)
        assert got == [(False, "http 404"), (False, "timeout"), (True, "")]
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                context = await browser.new_context()
                await sign_in(context, base, app, TENANT, name="Ana")
                page = await context.new_page()
                await thread_page(page, base, thread["thread_id"])
                width = await page.eval_on_selector(".attachment img", "i => i.naturalWidth")
                assert width == 2  # the PNG, served from the bucket through the unifier
                failed = page.locator(".attachment.fetch-failed")
                assert await failed.count() == 2
                texts = " | ".join([await failed.nth(i).inner_text() for i in range(2)])
                assert "could not be copied from the provider (http 404)" in texts
                assert "could not be copied from the provider (timeout)" in texts
                await screenshot(page, "media-copy-failed")
            finally:
                await browser.close()
