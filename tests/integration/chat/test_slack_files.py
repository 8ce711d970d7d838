"""file_share with a blob store configured: files are fetched with the bot token over real HTTP
from a local stand-in of files.slack.com and the event references the stored blob."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from hotline import events as ev
from hotline.blobs import LocalBlobStore, blob_ref, sha256_hex
from tests.integration.chat.harness import Offsets, gateway, read_new, serve
from tests.unit.chat.gateway import settings_for
from tests.unit.chat.slack_fixtures import load, signed_headers

pytestmark = pytest.mark.integration
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


def file_server() -> FastAPI:
    app = FastAPI()

    @app.get("/files-pri/{name}")
    async def download(name: str, request: Request) -> Response:
        if request.headers.get("authorization") != "Bearer xoxb-hotline-1":
            return Response(status_code=403)
        if name == "receipt.png":
            return Response(PNG, media_type="image/png")
        return Response(status_code=404)

    return app


@pytest.fixture(scope="module")
async def files_url() -> AsyncIterator[str]:
    async with serve(file_server()) as url:
        yield url


def body_with_urls(files_url: str, ts: str) -> bytes:
    doc = json.loads(load("file_share"))
    doc["event"]["ts"] = ts
    first, second = doc["event"]["files"]
    first["url_private_download"] = f"{files_url}/files-pri/receipt.png"
    second["url_private_download"] = f"{files_url}/files-pri/missing.pdf"
    return json.dumps(doc).encode()


async def test_files_land_in_the_blob_store_and_missing_ones_keep_the_provider_ref(
    kafka: str, files_url: str, tmp_path: Path, offsets: Offsets
) -> None:
    settings = settings_for(kafka)
    settings.blob_dir = tmp_path / "blobs"
    settings.slack_file_hosts = [files_url.removeprefix("http://")]
    body = body_with_urls(files_url, f"{int(time.time())}.000777")
    async with gateway(settings) as url:
        before = await offsets.now()
        async with httpx.AsyncClient() as client:
            now = int(time.time())
            response = await client.post(
                f"{url}/slack/events", content=body, headers=signed_headers(body, now)
            )
        assert response.status_code == 200
        [record] = await read_new(kafka, before, await offsets.now())
    event = ev.decode(record.value)
    assert isinstance(event, ev.MessageReceived)
    receipt, invoice = event.attachments
    assert (receipt.ref, receipt.sha256) == (blob_ref(PNG), sha256_hex(PNG))
    assert (receipt.mime_type, receipt.filename) == ("image/png", "receipt.png")
    assert LocalBlobStore(tmp_path / "blobs").get(receipt.ref) == PNG
    assert (invoice.ref, invoice.sha256) == ("provider:slack/F0INVOICE2", None)


async def test_hosts_outside_the_allow_list_are_never_fetched(
    kafka: str, files_url: str, tmp_path: Path, offsets: Offsets
) -> None:
    settings = settings_for(kafka)
    settings.blob_dir = tmp_path / "blobs"  # allow-list left at files.slack.com
    body = body_with_urls(files_url, f"{int(time.time())}.000778")
    async with gateway(settings) as url:
        before = await offsets.now()
        async with httpx.AsyncClient() as client:
            response = await client.post(
                f"{url}/slack/events", content=body, headers=signed_headers(body, int(time.time()))
            )
        assert response.status_code == 200
        [record] = await read_new(kafka, before, await offsets.now())
    event = ev.decode(record.value)
    assert isinstance(event, ev.MessageReceived)
    assert [a.ref for a in event.attachments] == [
        "provider:slack/F0RECEIPT1",
        "provider:slack/F0INVOICE2",
    ]
    assert not (tmp_path / "blobs").exists()
