"""The content routes against the real app (real broker, SQLite, and the blob store on each
backend: a folder, and a bucket on the real S3 server of tests/s3.py): the HTML mail sanitized
under its own CSP, attachments inline only when their bytes are a raster image, a clear 404
for what is missing or not the agent's, and the workspace's CSP on every HTML page."""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import SecretStr

from hotline import events as ev
from hotline.blobs import BlobStore, blob_ref, open_blob_store
from tests.integration.unifier.harness import eventually, publish, settings_for
from tests.integration.unifier.server import serving
from tests.s3 import blob_settings, new_bucket
from tests.unit.unifier.factory import ident, message
from unifier.entrypoints.app import create_app

pytestmark = pytest.mark.integration
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
PAGE = b"<html><script>alert(1)</script></html>"
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 8
RAW = (  # a mail whose PDF was too large for the edge to store on its own: kept in the raw mail
    b"From: eve@example.test\r\nSubject: scan\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nsee the scan\r\n--b\r\n"
    b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    + base64.encodebytes(PDF).replace(b"\n", b"\r\n")
    + b"--b--\r\n"
)
HTML_MAIL = (
    b'<p onclick="alert(1)">Hi <a href="javascript:alert(1)">x</a></p><script>alert(2)</script>'
    b'<img src="https://track.example/p.gif"><img src="cid:logo@x">'
)


@dataclass
class Site:
    base: str
    app: FastAPI
    tenant: str
    thread: dict[str, Any]
    headers: dict[str, str]
    other: str = ""  # a second tenant with its own token

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.base, timeout=15) as client:
            return await client.get(path, headers=kw.pop("headers", self.headers), **kw)


def _mail(tenant: str, blobs: BlobStore) -> ev.MessageReceived:
    refs = {name: blobs.put(data) for name, data in [("png", PNG), ("svg", SVG), ("page", PAGE)]}
    event = message("hostile-1", tenant=tenant, ids=[ident("email", "eve@example.test")])
    attachments = [
        ev.AttachmentRef(ref=refs["png"], mime_type="application/pdf", filename="real.pdf"),
        ev.AttachmentRef(ref=refs["page"], mime_type="image/png", filename="\u202egnp.html"),
        ev.AttachmentRef(ref=refs["svg"], mime_type="image/svg+xml", filename="logo.svg"),
        ev.AttachmentRef(ref="blob:sha256/" + "0" * 64, mime_type="text/plain", filename="gone"),
        ev.AttachmentRef(ref="provider:whatsapp/MEDIA9", mime_type="image/jpeg"),
        ev.AttachmentRef(ref=refs["png"], mime_type="image/png", content_id="<logo@x>"),
        ev.AttachmentRef(
            ref="provider:whatsapp/M404", mime_type="video/mp4", fetch_error="http 404"
        ),
        ev.AttachmentRef(
            ref=blobs.put(RAW), mime_type="application/pdf", filename="scan.pdf", part="2"
        ),
        ev.AttachmentRef(ref=blob_ref(RAW), mime_type="application/pdf", part="9"),
    ]
    assert isinstance(event.content, ev.EmailContent)
    event.content.html_ref = blobs.put(HTML_MAIL)
    event.attachments = attachments
    return event


@pytest.fixture(scope="module", params=["file", "s3"])
async def site(
    request: pytest.FixtureRequest, kafka: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Site]:
    tmp = tmp_path_factory.mktemp("content")
    tenant, other = "c" + uuid.uuid4().hex[:8], "o" + uuid.uuid4().hex[:8]
    tokens = {tenant: SecretStr("tok-" + tenant), other: SecretStr("tok-" + other)}
    store: dict[str, Any] = {"blob_dir": tmp / "blobs"}
    if request.param == "s3":
        server = request.getfixturevalue("s3_server")
        store = blob_settings(server, new_bucket(server))
    settings = settings_for(kafka, f"sqlite:///{tmp}/u.db", api_tokens=tokens, **store)
    app = create_app(settings)
    async with serving(app) as base:  # the edge wrote the blobs to the same store
        await publish(kafka, [_mail(tenant, open_blob_store(settings, settings.blob_dir))])
        auth = {"Authorization": f"Bearer tok-{tenant}"}
        site = Site(base, app, tenant, {}, auth, other)

        async def stored() -> bool:
            r = await site.get(f"/api/tenants/{tenant}/conversations")
            return bool(r.json())

        await eventually(stored)
        convs = (await site.get(f"/api/tenants/{tenant}/conversations")).json()
        site.thread = (
            await site.get(f"/api/tenants/{tenant}/conversations/{convs[0]['thread_id']}")
        ).json()
        yield site


def _urls(site: Site) -> tuple[str, str]:
    m = site.thread["messages"][0]
    return f"/inbox/messages/{m['message_id']}", f"?c={m['thread_id']}"


async def test_api_describes_files_without_payload_or_refs(site: Site) -> None:
    m = site.thread["messages"][0]
    assert "payload" not in m and "blob:sha256" not in repr(site.thread)
    assert m["has_html"] is True
    stored = [a["stored"] for a in m["attachments"]]
    assert stored == [True, True, True, True, False, True, False, True, True]
    assert m["attachments"][4]["provider_id"] == "MEDIA9"
    failed = [(a["index"], a["provider_id"], a["fetch_error"]) for a in m["attachments"]]
    assert [f for f in failed if f[2]] == [(6, "M404", "http 404")]  # the failed copy, and why


async def test_html_body_sanitized_under_its_own_policy(site: Site) -> None:
    base, c = _urls(site)
    for query in (c, ""):  # with the thread hint and without
        r = await site.get(f"{base}/html{query}")
        assert r.status_code == 200
        csp = r.headers["content-security-policy"]
        assert csp.startswith("default-src 'none'; img-src data: 'self'; style-src 'unsafe-inline'")
        assert "frame-ancestors 'self'" in csp and "sandbox" in csp and "script" not in csp
        assert r.headers["x-frame-options"] == "SAMEORIGIN"
        body = r.text
        assert "<script" not in body and "onclick" not in body and "javascript:" not in body
        assert "track.example" not in body and "remote image blocked" in body
        assert "data:image/png;base64," in body  # the cid: image, embedded from the blob store


async def test_attachments_inline_only_for_raster_bytes(site: Site) -> None:
    base, c = _urls(site)
    png = await site.get(f"{base}/attachments/0{c}")  # a PNG declared as PDF: its bytes decide
    assert png.status_code == 200 and png.content == PNG
    assert png.headers["content-type"] == "image/png"
    assert png.headers["content-disposition"].startswith("inline; ")
    assert png.headers["content-security-policy"].startswith("default-src 'none'")
    for index in (1, 2):  # HTML declared as image/png, and SVG: downloads, never rendered
        r = await site.get(f"{base}/attachments/{index}{c}")
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/octet-stream"
        assert r.headers["content-disposition"].startswith("attachment; ")
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "\u202e" not in r.headers["content-disposition"]
    assert (
        "filename*=UTF-8''gnp.html"
        in (await site.get(f"{base}/attachments/1")).headers["content-disposition"]
    )


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/attachments/3", "not in the blob store"),
        ("/attachments/4", "Not stored: the provider keeps it as MEDIA9"),
        ("/attachments/6", "copying it from the provider failed (http 404)"),
        ("/attachments/8", "The original message has no part 9."),
        ("/attachments/9", "has no attachment 9"),
        ("/attachments/-1", "has no attachment -1"),
    ],
)
async def test_missing_files_are_a_clear_404(site: Site, path: str, reason: str) -> None:
    base, c = _urls(site)
    r = await site.get(f"{base}{path}{c}")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert reason in r.text


async def test_a_part_kept_in_the_raw_message_is_served_from_it(site: Site) -> None:
    base, c = _urls(site)
    r = await site.get(f"{base}/attachments/7{c}")
    assert r.status_code == 200 and r.content == PDF
    assert r.headers["content-type"] == "application/octet-stream"
    assert r.headers["content-disposition"].startswith("attachment; ")


async def test_another_tenants_message_is_not_found(site: Site) -> None:
    base, c = _urls(site)
    others = {"Authorization": f"Bearer tok-{site.other}"}
    for path in ("/html", "/attachments/0", ""):
        r = await site.get(f"{base}{path}", headers=others)
        assert r.status_code == 404, path
        assert "There is no message" in r.text
    r = await site.get(f"{base}/attachments/0{c}", headers={})  # signed out: to the sign-in
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


async def test_message_page_renders_content_inert(site: Site) -> None:
    base, c = _urls(site)
    r = await site.get(base + c)
    assert r.status_code == 200
    assert r.text.count("<img ") == 2  # the two PNGs by their bytes, not the HTML or the SVG
    assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in r.text
    assert "not stored" in r.text and "MEDIA9" in r.text
    failed = re.findall(
        r'<li class="attachment not-stored fetch-failed"[^>]*>(.*?)</li>', r.text, re.S
    )
    assert len(failed) == 1 and "could not be copied from the provider" in failed[0]
    assert "http 404" in failed[0] and "M404" in failed[0]
    pane = await site.get(base, headers={**site.headers, "HX-Request": "true"})
    assert pane.status_code == 200 and "<html" not in pane.text and "<article" in pane.text


def _get_routes(routes: list[Any], prefix: str = "") -> list[tuple[str, set[str]]]:
    """Every (path, methods), through included routers (FastAPI keeps them as references)."""
    out = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            out += _get_routes(inner.routes, prefix + route.include_context.prefix)
        elif isinstance(route, APIRoute):
            out.append((prefix + route.path, set(route.methods or ())))
    return out


def _script_sources(csp: str) -> str:
    directives = dict([*d.strip().split(" ", 1), ""][:2] for d in csp.split(";") if d.strip())
    return directives.get("script-src", directives.get("default-src", ""))


async def test_every_workspace_html_response_has_a_csp_without_inline_scripts(site: Site) -> None:
    base, _ = _urls(site)
    ids = {
        "message_id": base.rsplit("/", 1)[1],
        "index": "0",
        "conversation_id": site.thread["thread_id"],
        "thread_id": site.thread["thread_id"],
        "contact_id": site.thread["contact_id"],
    }
    checked = []
    for template, methods in _get_routes(site.app.routes):
        if "GET" not in methods or not template.startswith("/inbox"):
            continue
        path = re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), "unknown"), template)
        async with (
            httpx.AsyncClient(base_url=site.base, timeout=15) as client,
            client.stream("GET", path, headers=site.headers) as r,
        ):
            csp = r.headers.get("content-security-policy", "")
            kind = r.headers.get("content-type", "")
        scripts = _script_sources(csp)
        assert csp and "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, path
        checked.append((path, kind.split(";")[0]))
    assert len(checked) >= 4, checked
    html = [p for p, kind in checked if kind == "text/html"]
    assert any(p.endswith("/html") for p in html), checked
