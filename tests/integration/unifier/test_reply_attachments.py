"""Files attached to replies over the agent API, with the real broker and both databases:
upload (size cap, type from the bytes), a reply naming the refs puts them on
reply.requested.v1, and bad input (too big, unknown ref, another tenant's ref, a channel that
cannot carry files) is a clear status with nothing published."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from pydantic import SecretStr

from hotline import events as ev
from hotline.blobs import blob_ref, open_blob_store
from hotline.topics import REPLIES_EMAIL, REPLIES_SOCIAL
from tests.integration.unifier.harness import eventually, publish, settings_for
from tests.integration.unifier.server import serving
from tests.integration.unifier.test_api import end_offsets, replies_since
from tests.unit.unifier.factory import message
from unifier.entrypoints.app import create_app
from unifier.settings import UnifierSettings

pytestmark = pytest.mark.integration
# Each test runs on one database, alternating between them: the SQL itself is tested on both
# by the store-level files.
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
PAGE = b"<html><script>alert(1)</script></html>"
CAP = 4096


@dataclass
class Desk:
    client: httpx.AsyncClient
    other: httpx.AsyncClient  # a second tenant's client
    tenant: str
    settings: UnifierSettings
    kafka: str

    async def thread_of(self, pmid: str, kind: ev.ChannelKind = "email") -> str:
        handle = "+15550001111" if kind != "email" else "eve@example.test"
        event = message(pmid, kind, handle=handle, tenant=self.tenant)
        now = datetime.now(UTC) - timedelta(minutes=5)  # inside WhatsApp's 24-hour window
        await publish(self.kafka, [msgspec.structs.replace(event, received_at=now)])

        async def there() -> bool:
            convs = (await self.client.get("/conversations")).json()
            return any(c["channel_kind"] == kind for c in convs)

        await eventually(there)
        convs = (await self.client.get("/conversations")).json()
        return str(next(c["thread_id"] for c in convs if c["channel_kind"] == kind))


async def _upload(client: httpx.AsyncClient, name: str, data: bytes, mime: str) -> httpx.Response:
    return await client.post("/uploads", files={"file": (name, data, mime)})


@pytest.fixture
async def desk(kafka: str, dsn: str, tmp_path: Path) -> AsyncIterator[Desk]:
    tenant, other = "r" + uuid.uuid4().hex[:8], "q" + uuid.uuid4().hex[:8]
    tokens = {tenant: SecretStr("tok-" + tenant), other: SecretStr("tok-" + other)}
    settings = settings_for(
        kafka,
        dsn,
        api_tokens=tokens,
        blob_dir=tmp_path / "blobs",
        reply_attachment_max_bytes=CAP,
    )
    async with serving(create_app(settings)) as base:
        clients = [
            httpx.AsyncClient(
                base_url=f"{base}/api/tenants/{t}",
                headers={"Authorization": f"Bearer tok-{t}"},
                timeout=10,
            )
            for t in (tenant, other)
        ]
        async with clients[0] as client, clients[1] as other_client:
            yield Desk(client, other_client, tenant, settings, kafka)


@pytest.mark.parametrize("dsn", ["sqlite"], indirect=True)
async def test_upload_answers_the_ref_and_a_type_from_the_bytes(desk: Desk) -> None:
    res = await _upload(desk.client, "../../pic\u202egnp.exe", PNG, "text/html")
    assert res.status_code == 201, res.text
    got = res.json()
    assert got == {
        "ref": blob_ref(PNG),
        "filename": "pic\u202egnp.exe".replace("\u202e", ""),
        "mime_type": "image/png",
        "size": len(PNG),
        "sha256": blob_ref(PNG).rsplit("/", 1)[-1],
    }
    store = open_blob_store(desk.settings, desk.settings.blob_dir)
    assert store.get(got["ref"]) == PNG
    page = (await _upload(desk.client, "a.html", PAGE, "text/html")).json()
    assert page["mime_type"] == "application/octet-stream"  # never rendered as declared
    note = (await _upload(desk.client, "n.txt", "héllo".encode(), "text/plain")).json()
    assert note["mime_type"] == "text/plain"


@pytest.mark.parametrize("dsn", ["postgresql"], indirect=True)
async def test_too_big_or_empty_or_unauthenticated_uploads_store_nothing(desk: Desk) -> None:
    big = b"x" * (CAP + 1)
    res = await _upload(desk.client, "big.bin", big, "application/octet-stream")
    assert res.status_code == 413 and str(CAP) in res.json()["detail"]
    store = open_blob_store(desk.settings, desk.settings.blob_dir)
    assert not store.exists(blob_ref(big))
    assert (await _upload(desk.client, "e.txt", b"", "text/plain")).status_code == 422
    anon = await desk.client.post(
        "/uploads", files={"file": ("a", PNG, "image/png")}, headers={"Authorization": ""}
    )
    assert anon.status_code == 401


@pytest.mark.parametrize("dsn", ["sqlite"], indirect=True)
async def test_a_reply_carries_its_uploads_and_the_timeline_shows_them(desk: Desk) -> None:
    tid = await desk.thread_of("mail-1")
    up = (await _upload(desk.client, "shot.png", PNG, "image/png")).json()
    before = await end_offsets(desk.kafka, REPLIES_EMAIL)
    body = {"text": "see attached", "attachments": [up["ref"]]}
    res = await desk.client.post(f"/conversations/{tid}/replies", json=body)
    assert res.status_code == 202, res.text

    async def published() -> bool:
        return bool(await replies_since(desk.kafka, before, desk.tenant))

    await eventually(published)
    [req] = await replies_since(desk.kafka, before, desk.tenant)
    assert isinstance(req, ev.ReplyRequested)
    assert req.attachments == [
        ev.AttachmentRef(
            ref=up["ref"],
            mime_type="image/png",
            size=len(PNG),
            sha256=up["sha256"],
            filename="shot.png",
        )
    ]
    thread = (await desk.client.get(f"/conversations/{tid}")).json()
    [reply] = [m for m in thread["messages"] if m["message_id"] == req.reply_id]
    assert [(a["index"], a["filename"], a["stored"]) for a in reply["attachments"]] == [
        (0, "shot.png", True)
    ]
    root = str(desk.client.base_url).split("/api/")[0]
    served = await desk.client.get(f"{root}/inbox/messages/{req.reply_id}/attachments/0?c={tid}")
    assert served.status_code == 200 and served.content == PNG
    assert served.headers["content-type"] == "image/png"


async def _refused(desk: Desk, tid: str, topic: str, body: dict[str, Any]) -> dict[str, Any]:
    before = await end_offsets(desk.kafka, topic)
    res = await desk.client.post(f"/conversations/{tid}/replies", json=body)
    assert res.status_code == 422, res.text
    thread = (await desk.client.get(f"/conversations/{tid}")).json()
    assert [m for m in thread["messages"] if m.get("role") == "agent"] == []
    assert await replies_since(desk.kafka, before, desk.tenant) == []
    answer: dict[str, Any] = res.json()
    return answer


@pytest.mark.parametrize("dsn", ["postgresql"], indirect=True)
async def test_unknown_foreign_or_unsupported_attachments_publish_nothing(desk: Desk) -> None:
    tid = await desk.thread_of("mail-2")
    unknown = "blob:sha256/" + "1" * 64
    got = await _refused(desk, tid, REPLIES_EMAIL, {"text": "x", "attachments": [unknown]})
    assert unknown in got["detail"]
    got = await _refused(desk, tid, REPLIES_EMAIL, {"text": "x", "attachments": ["../etc"]})
    assert "../etc" in got["detail"]
    theirs = (await _upload(desk.other, "t.png", PNG + b"theirs", "image/png")).json()
    got = await _refused(desk, tid, REPLIES_EMAIL, {"text": "x", "attachments": [theirs["ref"]]})
    assert got["error"] == "unknown_attachment" and theirs["ref"] in got["detail"]
    sms = await desk.thread_of("sms-1", "sms")
    mine = (await _upload(desk.client, "m.png", PNG, "image/png")).json()
    got = await _refused(desk, sms, REPLIES_SOCIAL, {"text": "x", "attachments": [mine["ref"]]})
    assert got["error"] == "attachments_unsupported" and "sms" in got["detail"]


@pytest.mark.parametrize("dsn", ["sqlite"], indirect=True)
async def test_whatsapp_replies_may_carry_files(desk: Desk) -> None:
    tid = await desk.thread_of("wa-1", "whatsapp")
    up = (await _upload(desk.client, "doc.pdf", b"%PDF-1.4 x", "application/pdf")).json()
    before = await end_offsets(desk.kafka, REPLIES_SOCIAL)
    res = await desk.client.post(f"/conversations/{tid}/replies", json={"attachments": [up["ref"]]})
    assert res.status_code == 202, res.text

    async def published() -> bool:
        return bool(await replies_since(desk.kafka, before, desk.tenant))

    await eventually(published)
    [req] = await replies_since(desk.kafka, before, desk.tenant)
    assert isinstance(req, ev.ReplyRequested) and req.channel.kind == "whatsapp"
    assert [(a.ref, a.mime_type) for a in req.attachments] == [(up["ref"], "application/pdf")]
