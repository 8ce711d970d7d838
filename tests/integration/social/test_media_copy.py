"""WhatsApp media copied into the blob store before the event is published, on the real
broker and the real S3 server (tests/s3.py), from a local stand-in of the Graph API that
answers in its recorded formats: the file lands in the bucket and the event carries its blob
ref; a media id the provider no longer knows (404), a download that hangs past the budget,
and a refused host each leave the provider's ref with a ``fetch_error``; a 503 is retried."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from hotline import events as ev
from hotline.blobs import PREFIX, open_blob_store
from hotline.topics import INBOUND_SOCIAL
from hotline_tools.devstack.broker import free_port
from hotline_tools.devstack.s3 import S3Server
from tests.http_helpers import serve_app
from tests.integration.social.conftest import Running, serve
from tests.kafka_helpers import read_all
from tests.s3 import blob_settings, new_bucket
from tests.unit.social.edges import settings_for
from tests.unit.social.test_whatsapp_edge import PATH, sign

pytestmark = pytest.mark.integration
GRAPH_404 = {  # Graph API's answer for a media id it does not (or no longer) know
    "error": {
        "message": "Unsupported get request. Object with ID does not exist.",
        "type": "GraphMethodException",
        "code": 100,
        "error_subcode": 33,
    }
}


@dataclass
class Graph:
    """Media ids -> bytes; ``hang`` never answers in time; ``flaky`` fails once with 503."""

    base: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    hang: set[str] = field(default_factory=set)
    flaky: set[str] = field(default_factory=set)
    seen: list[tuple[str, str]] = field(default_factory=list)  # (path, authorization)
    elsewhere: str = ""  # a media id whose URL points at a host not allowed


def graph_app(g: Graph) -> FastAPI:
    app = FastAPI()

    @app.get("/v21.0/{media_id}")
    async def media_url(media_id: str, request: Request) -> JSONResponse:
        g.seen.append((request.url.path, request.headers.get("authorization", "")))
        if media_id not in g.files and media_id not in g.hang:
            return JSONResponse(GRAPH_404, status_code=404)
        host = "files.example.invalid" if media_id == g.elsewhere else g.base.split("//")[1]
        data = g.files.get(media_id, b"")
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "url": f"http://{host}/whatsapp_business/attachments/?mid={media_id}&ext=1",
                "mime_type": "image/jpeg",
                "sha256": hashlib.sha256(data).hexdigest(),
                "file_size": len(data),
                "id": media_id,
            }
        )

    @app.get("/whatsapp_business/attachments/")
    async def download(mid: str, request: Request) -> Response:
        g.seen.append((request.url.path, request.headers.get("authorization", "")))
        if mid in g.hang:
            await asyncio.sleep(5)  # past the 2 s budget
        if mid in g.flaky:
            g.flaky.discard(mid)
            return Response(status_code=503)
        return Response(g.files.get(mid, b""), media_type="application/octet-stream")

    return app


@pytest.fixture
async def graph() -> AsyncIterator[Graph]:
    g = Graph()
    async with serve_app(graph_app(g)) as base:
        g.base = base
        yield g


def webhook(corpora: Path, case: str, wamid: str, media_id: str) -> bytes:
    """A real WhatsApp Cloud webhook of the corpus, with this test's message and media ids."""
    root = corpora / "david-lev-pywa" / "tests" / "data" / "updates" / "message.json"
    body = json.loads(root.read_bytes())[case]
    message = body["entry"][0]["changes"][0]["value"]["messages"][0]
    message["id"] = wamid
    message[message["type"]]["id"] = media_id
    return json.dumps(body).encode()


async def published(kafka: str, wamids: list[str]) -> dict[str, ev.MessageReceived]:
    ids = {ev.event_id_for("acme", "whatsapp", w, "message"): w for w in wamids}
    out: dict[str, ev.MessageReceived] = {}
    for record in await read_all(kafka, INBOUND_SOCIAL):
        event = ev.decode(record.value)
        if event.event_id in ids and isinstance(event, ev.MessageReceived):
            out[ids[event.event_id]] = event
    return out


@pytest.fixture
async def social_s3(
    kafka: str, graph: Graph, s3_server: S3Server
) -> AsyncIterator[tuple[Running, dict[str, Any]]]:
    store = blob_settings(s3_server, new_bucket(s3_server))
    settings = settings_for(
        kafka,
        free_port(),
        media_copy=True,
        media_budget=2.0,
        media_hosts=["127.0.0.1"],
        whatsapp_api_base=graph.base + "/v21.0",
        **store,
    )
    async with serve(settings) as running:
        yield running, store


async def test_media_lands_in_the_bucket_or_says_why_not(
    social_s3: tuple[Running, dict[str, Any]], graph: Graph, kafka: str, corpora: Path
) -> None:
    social, _ = social_s3
    tag = hashlib.sha256(str(free_port()).encode()).hexdigest()[:8]
    photo, clip = b"\xff\xd8\xff\xe0 a receipt " + tag.encode(), b"\x00\x00\x00\x18ftypmp42" * 99
    graph.files = {f"img-{tag}": photo, f"vid-{tag}": clip, f"away-{tag}": b"x"}
    graph.flaky, graph.hang, graph.elsewhere = {f"vid-{tag}"}, {f"doc-{tag}"}, f"away-{tag}"
    cases = {  # wamid -> (corpus case, media id)
        f"wamid.img-{tag}": ("image", f"img-{tag}"),
        f"wamid.vid-{tag}": ("video", f"vid-{tag}"),  # 503 once, then the file
        f"wamid.gone-{tag}": ("document", f"gone-{tag}"),  # the provider answers 404
        f"wamid.doc-{tag}": ("document", f"doc-{tag}"),  # the download hangs
        f"wamid.away-{tag}": ("audio", f"away-{tag}"),  # a URL on a host not allowed
    }
    for wamid, (case, media_id) in cases.items():
        body = webhook(corpora, case, wamid, media_id)
        r = await social.client.post(PATH, content=body, headers=sign(body))
        assert r.status_code == 200, r.text
    events = await published(kafka, list(cases))
    refs = {w: events[w].attachments[0] for w in cases}
    store = open_blob_store(social.settings, None)
    for wamid, data in ((f"wamid.img-{tag}", photo), (f"wamid.vid-{tag}", clip)):
        a = refs[wamid]
        assert a.ref == PREFIX + hashlib.sha256(data).hexdigest() and a.fetch_error is None
        assert (a.size, a.sha256) == (len(data), hashlib.sha256(data).hexdigest())
        assert store.get(a.ref) == data  # in the bucket, read back through the S3 API
    failed = {w: (a.ref, a.fetch_error) for w, a in refs.items() if a.fetch_error}
    refused = "host not allowed: files.example.invalid"
    assert failed == {
        f"wamid.gone-{tag}": (f"provider:whatsapp/gone-{tag}", "http 404"),
        f"wamid.doc-{tag}": (f"provider:whatsapp/doc-{tag}", "timeout"),
        f"wamid.away-{tag}": (f"provider:whatsapp/away-{tag}", refused),
    }
    assert {auth for _, auth in graph.seen} == {"Bearer it-wa-token"}  # lookups and downloads
    downloads = [p for p, _ in graph.seen if p.startswith("/whatsapp_business")]
    assert len(downloads) == 4  # image once, video twice (503 retried), the hanging one once
    metrics = (await social.client.get("/metrics")).text
    assert 'hotline_media_copies_total{outcome="stored"} 2.0' in metrics
    assert 'hotline_media_copies_total{outcome="failed"} 3.0' in metrics


async def test_copy_off_keeps_the_provider_ref(
    social: Running, graph: Graph, kafka: str, corpora: Path
) -> None:
    """The default (media_copy off): as before, nothing is fetched, nothing marked failed."""
    wamid = f"wamid.off-{free_port()}"
    body = webhook(corpora, "image", wamid, "65463453")
    assert (await social.client.post(PATH, content=body, headers=sign(body))).status_code == 200
    a = (await published(kafka, [wamid]))[wamid].attachments[0]
    assert (a.ref, a.fetch_error) == ("provider:whatsapp/65463453", None)
    assert graph.seen == []
