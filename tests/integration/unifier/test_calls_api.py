"""Calls in the agent API and the thread page (real app, broker and SQLite; PostgreSQL serves
the other API files): the call in the thread with its outcome, durations, recording and
transcript; the needs-callback flag and filter; "Call back" over the API and from the page
(an outbound call intent on the unified stream, the flag cleared); recordings played only to
the tenant's signed-in agents, as audio by their bytes; hostile transcripts shown inert."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from hotline import events as ev
from hotline import unified as un
from hotline.blobs import open_blob_store
from hotline.topics import CONVERSATIONS
from tests.integration.unifier.harness import eventually, publish, read_unified, settings_for
from tests.integration.unifier.server import serving
from tests.integration.unifier.test_accounts_api import signed_in
from tests.unit.unifier.call_factory import Call
from tests.workspace import create_agent
from unifier.entrypoints.app import create_app

pytestmark = pytest.mark.integration
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(64)
HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'


@dataclass
class Desk:
    base: str
    app: FastAPI
    tenant: str
    other: str
    answered: str  # thread ids
    missed: str

    def api(self, tenant: str | None = None) -> httpx.AsyncClient:
        t = tenant or self.tenant
        return httpx.AsyncClient(
            base_url=f"{self.base}/api/tenants/{t}",
            headers={"Authorization": f"Bearer tok-{t}"},
            timeout=15,
        )


def _events(tenant: str, wav_ref: str) -> list[ev.CallEvent]:
    answered = Call("CA1", "+4915100000001", tenant=tenant)
    stored = answered.recording()
    stored.recording.ref = wav_ref
    failed = answered.recording("RE2", error="http 404")
    said = answered.transcript(text=HOSTILE)
    missed = Call("CA2", "+4915100000002", tenant=tenant)
    return [
        *answered.whole()[:3],
        stored,
        failed,
        said,
        missed.started(0),
        missed.ended(35, "abandoned", talk=None),
    ]


@pytest.fixture(scope="module")
async def desk(kafka: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Desk]:
    tmp = tmp_path_factory.mktemp("calls")
    tenant, other = "k" + uuid.uuid4().hex[:8], "o" + uuid.uuid4().hex[:8]
    tokens = {tenant: SecretStr("tok-" + tenant), other: SecretStr("tok-" + other)}
    settings = settings_for(
        kafka, f"sqlite:///{tmp}/u.db", api_tokens=tokens, blob_dir=tmp / "blobs"
    )
    app = create_app(settings)
    async with serving(app) as base:
        wav_ref = open_blob_store(settings, settings.blob_dir).put(WAV)  # as the edge stored it
        await publish(kafka, _events(tenant, wav_ref))
        site = Desk(base, app, tenant, other, "", "")
        async with site.api() as api:

            async def both() -> bool:
                rows = (await api.get("/conversations")).json()
                return len(rows) == 2 and all(r["preview"]["text"] != "" for r in rows)

            await eventually(both)
            rows = {r["preview"]["text"]: r for r in (await api.get("/conversations")).json()}
        site.missed = rows["Missed call (abandoned in the queue)"]["thread_id"]
        site.answered = next(r["thread_id"] for r in rows.values() if r["thread_id"] != site.missed)
        yield site


async def _thread(desk: Desk, tid: str) -> dict[str, Any]:
    async with desk.api() as api:

        async def complete() -> bool:
            call = (await api.get(f"/conversations/{tid}")).json()["messages"][0]["call"]
            return len(call["recordings"]) == 2 and len(call["transcripts"]) == 1

        await eventually(complete)
        found: dict[str, Any] = (await api.get(f"/conversations/{tid}")).json()
        return found


async def test_the_thread_api_shows_the_call(desk: Desk) -> None:
    thread = await _thread(desk, desk.answered)
    [item] = thread["messages"]
    assert (item["channel_kind"], item["provider_message_id"]) == ("voice", "CA1")
    c = item["call"]
    assert (c["direction"], c["outcome"], c["duration_s"], c["talk_s"], c["wait_s"]) == (
        "inbound",
        "completed",
        60,
        50,
        10,
    )
    refs = [
        (r["recording_id"], r["ref"].startswith("blob:"), r["fetch_error"]) for r in c["recordings"]
    ]
    assert refs == [("RE1", True, None), ("RE2", False, "http 404")]
    assert c["transcripts"][0]["text"] == HOSTILE  # data in the API; the page escapes it
    assert thread["needs_callback"] is False
    async with desk.api() as api:  # a call is nothing to write a reply to
        r = await api.post(f"/conversations/{desk.answered}/replies", json={"text": "hi"})
        assert r.status_code == 422 and r.json()["error"] == "no_recipient", r.text


async def test_missed_call_is_flagged_filtered_and_called_back(desk: Desk, kafka: str) -> None:
    eva = await create_agent(desk.app, desk.tenant, name="Eva")
    async with httpx.AsyncClient(base_url=desk.base, timeout=15) as page:
        await signed_in(page, eva)
        listed = await page.get("/inbox/list", params={"needs_callback": "true", "status": "any"})
        assert f'data-id="{desk.missed}"' in listed.text and "☎ call back" in listed.text
        assert f'data-id="{desk.answered}"' not in listed.text
    async with desk.api() as api:
        flagged = (await api.get("/conversations", params={"needs_callback": "true"})).json()
        assert [r["thread_id"] for r in flagged] == [desk.missed] and flagged[0]["needs_callback"]
        assert (await api.get(f"/conversations/{desk.missed}")).json()["needs_callback"] is True
        r = await api.post(f"/conversations/{desk.missed}/callbacks", json={"note": "after 5"})
        assert r.status_code == 201, r.text
        answer = r.json()
        assert (answer["number"], answer["call_id"], answer["needs_callback"]) == (
            "+4915100000002",
            "CA2",
            False,
        )
        assert (await api.get("/conversations", params={"needs_callback": "true"})).json() == []
        view = (await api.get(f"/conversations/{desk.missed}")).json()
        assert view["needs_callback"] is False
        assert (await api.post("/conversations/nope/callbacks")).status_code == 404
    async with desk.api(desk.other) as theirs:  # another tenant's conversation: unknown there
        assert (await theirs.post(f"/conversations/{desk.missed}/callbacks")).status_code == 404

    async def published() -> bool:
        found = await read_unified(kafka, CONVERSATIONS, desk.tenant)
        return any(isinstance(e, un.ConversationCallbackRequested) for e in found)

    await eventually(published)
    [event] = [
        e
        for e in await read_unified(kafka, CONVERSATIONS, desk.tenant)
        if isinstance(e, un.ConversationCallbackRequested)
    ]
    assert (event.conversation_id, event.number, event.note) == (
        desk.missed,
        "+4915100000002",
        "after 5",
    )
    assert event.channel == ev.ChannelRef(kind="voice", account_id="AC0123")


async def test_the_page_plays_the_recording_and_shows_the_transcript_inert(desk: Desk) -> None:
    await _thread(desk, desk.answered)
    ana = await create_agent(desk.app, desk.tenant, name="Ana")
    async with httpx.AsyncClient(base_url=desk.base, timeout=15) as page:
        csrf = await signed_in(page, ana)
        html = (await page.get(f"/inbox/conversations/{desk.answered}")).text
        message_id = ev.event_id_for(desk.tenant, "voice", "CA1", "call")
        assert (
            f'<audio controls preload="none" src="/inbox/calls/{message_id}/recordings/0">' in html
        )
        assert "Recording not stored: copying it from the provider failed (http 404)" in html
        assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "Incoming call (completed, 50 s)" in html and "talked 0:50" in html
        played = await page.get(f"/inbox/calls/{message_id}/recordings/0")
        assert played.status_code == 200 and played.content == WAV
        assert played.headers["content-type"] == "audio/wav"
        assert played.headers["x-content-type-options"] == "nosniff"
        gone = await page.get(f"/inbox/calls/{message_id}/recordings/1")
        assert gone.status_code == 404 and "http 404" in gone.text
        assert (await page.get(f"/inbox/calls/{message_id}/recordings/7")).status_code == 404
        back = await page.post(
            f"/inbox/conversations/{desk.answered}/callback", headers={"X-CSRF-Token": csrf}
        )
        assert back.status_code == 200 and "Call back requested" in back.text
        assert "+4915100000001" in back.text
        refused = await page.post(f"/inbox/conversations/{desk.answered}/callback")
        assert refused.status_code == 403  # no CSRF token: nothing recorded
    bob = await create_agent(desk.app, desk.other, name="Bob")
    async with httpx.AsyncClient(base_url=desk.base, timeout=15) as theirs:
        await signed_in(theirs, bob)
        assert (await theirs.get(f"/inbox/calls/{message_id}/recordings/0")).status_code == 404
