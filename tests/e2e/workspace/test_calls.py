"""Issue 25, done means: phone calls through the real voice edge and broker into the agent's
thread. Only the edges are fed, as the telephony sources feed them: signed Twilio Voice
callbacks (shuffled, repeated) and a PBX's CTI events into the voice edge, which copies the
recording from a provider stand-in (a local HTTP server) into the blob store; a signed
WhatsApp webhook into social_ingest. The unifier folds them; the API and, in Chromium, the
thread page show one call record with everything on it, missed calls and voicemails flagged
for a call back, and "Call back" clearing the flag with an intent on the unified stream."""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect
from pydantic import SecretStr
from sqlalchemy import select

from hotline import unified as un
from hotline.blobs import FileBlobStore
from hotline.topics import CONVERSATIONS, INBOUND_VOICE
from tests.e2e.workspace.callers import AUDIO, Callback, Recordings, TwilioCall, recordings_app
from tests.e2e.workspace.customers import Customers
from tests.e2e.workspace.pane import Served, agent, browser, page
from tests.http_helpers import serve_app
from tests.integration.unifier.harness import eventually, read_unified, settings_for
from tests.integration.unifier.server import serving
from tests.kafka_helpers import end_offsets
from tests.workspace import SignedIn
from unifier.entrypoints.app import create_app
from unifier.store.schema import offsets

pytestmark = pytest.mark.e2e
__all__ = ["agent", "browser", "page"]  # fixtures
HOSTILE = "printer on fire <img src=x onerror=\"document.title='owned'\"> help"
Thread = dict[str, Any]


@pytest.fixture(scope="module")
async def recordings() -> AsyncIterator[Recordings]:
    r = Recordings()
    async with serve_app(recordings_app(r)) as r.base:
        yield r


@pytest.fixture(scope="module")
async def served(
    kafka: str, customers: Customers, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Served]:
    """The unifier reading the blob store the voice edge copies recordings into."""
    tenant, other = customers.tenant(), customers.tenant()
    db = tmp_path_factory.mktemp("calls") / "u.db"
    tokens = {t: SecretStr("tok-" + t) for t in (tenant, other)}
    settings = settings_for(
        kafka, f"sqlite:///{db}", api_tokens=tokens, blob_dir=customers.blob_dir
    )
    app = create_app(settings)
    async with serving(app) as base:
        yield Served(app, base, tenant, other)


def api(served: Served) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=f"{served.base}/api/tenants/{served.tenant}",
        headers={"Authorization": f"Bearer tok-{served.tenant}"},
        timeout=15,
    )


def _phone() -> str:
    return f"+49151{uuid.uuid4().int % 10**7:07d}"


async def all_consumed(served: Served, kafka: str) -> None:
    """The unifier stored everything on the voice topic so far (late duplicates included)."""
    ends = await end_offsets(kafka, INBOUND_VOICE)

    async def caught_up() -> bool:
        query = select(offsets.c.partition, offsets.c.next_offset)
        async with served.app.state.runtime.engine.connect() as conn:
            rows = await conn.execute(query.where(offsets.c.topic == INBOUND_VOICE))
        done = {p: n for p, n in rows}
        return all(done.get(tp.partition, 0) >= end for tp, end in ends.items())

    await eventually(caught_up, timeout=30)


async def thread_of(
    served: Served, call_sid: str, ready: Callable[[dict[str, Any]], bool] = lambda c: True
) -> Thread:
    """The one thread holding call ``call_sid``, once its call record is ``ready``; fails if
    the call is in more than one thread or more than once in it."""
    found: list[Thread] = []

    async def landed() -> bool:
        async with api(served) as c:
            rows = (await c.get("/conversations", params={"status": "any"})).json()
            threads = [(await c.get(f"/conversations/{r['thread_id']}")).json() for r in rows]
        found[:] = [t for t in threads if any(_ids(t, call_sid))]
        return any(ready(call_in(t, call_sid)) for t in found)

    await eventually(landed, timeout=30)
    [thread] = found
    return thread


def _ids(thread: Thread, call_sid: str) -> list[str]:
    calls = [m["call"] for m in thread["messages"] if m.get("call")]
    return [c["call_id"] for c in calls if c["call_id"] == call_sid]


def call_in(thread: Thread, call_sid: str) -> dict[str, Any]:
    [call] = [
        m["call"] for m in thread["messages"] if (m.get("call") or {}).get("call_id") == call_sid
    ]
    return dict(call)


async def shuffled(customers: Customers, callbacks: list[Callback], seed: int) -> None:
    """Every callback once, some twice, in an order Twilio's retries could make."""
    rng = random.Random(seed)
    sent = [*callbacks, *rng.sample(callbacks, k=len(callbacks) // 2 + 1)]
    rng.shuffle(sent)
    for cb in sent:
        await customers.twilio_voice(cb)


async def answered_call(
    customers: Customers, served: Served, recordings: Recordings, phone: str, text: str
) -> TwilioCall:
    call = TwilioCall(customers.slot(served.tenant), phone)
    rid = "RE" + uuid.uuid4().hex
    await shuffled(
        customers,
        [
            call.status("initiated"),
            call.status("ringing"),
            call.status("in-progress"),
            call.status("completed", CallDuration="42"),
            call.recording(rid, recordings.url(call.slot.twilio_sid, rid), 40),
            call.transcription(rid, text),
        ],
        seed=25,
    )
    return call


def complete(c: dict[str, Any]) -> bool:
    return c["outcome"] is not None and bool(c["recordings"]) and bool(c["transcripts"])


async def test_shuffled_repeated_callbacks_are_one_call_record(
    customers: Customers, served: Served, recordings: Recordings, kafka: str
) -> None:
    call = await answered_call(customers, served, recordings, _phone(), HOSTILE)
    await all_consumed(served, kafka)
    thread = await thread_of(served, call.call_sid, complete)
    assert [m["provider_message_id"] for m in thread["messages"]] == [call.call_sid]
    c = call_in(thread, call.call_sid)
    assert (c["direction"], c["status"], c["outcome"], c["caller"]) == (
        "inbound", "ended", "completed", call.caller,
    )  # fmt: skip
    assert (c["duration_s"], c["talk_s"], c["wait_s"]) == (42, 42, None)
    assert c["started_at"] and c["answered_at"] and c["ended_at"]
    [rec] = c["recordings"]
    assert rec["fetch_error"] is None and rec["ref"].startswith("blob:"), rec
    assert rec["duration_s"] == 40
    assert FileBlobStore(customers.blob_dir).get(rec["ref"]) == AUDIO  # copied, byte for byte
    assert [t["text"] for t in c["transcripts"]] == [HOSTILE]
    assert c["needs_callback"] is False and thread["needs_callback"] is False


async def flagged(served: Served) -> set[str]:
    async with api(served) as c:
        rows = (await c.get("/conversations", params={"needs_callback": "true"})).json()
    return {r["thread_id"] for r in rows}


async def test_abandoned_call_and_voicemail_need_a_call_back(
    customers: Customers, served: Served, recordings: Recordings
) -> None:
    slot = customers.slot(served.tenant)
    queued = TwilioCall(slot, _phone())
    await shuffled(
        customers,
        [
            queued.status("ringing", QueueSid="QU1"),
            queued.status("completed", QueueSid="QU1", QueueResult="hangup", QueueTime="35"),
        ],
        seed=1,
    )
    left = TwilioCall(slot, _phone())
    rid = "RE" + uuid.uuid4().hex
    await shuffled(
        customers,
        [
            left.status("ringing"),
            left.status("in-progress"),
            left.status("completed", "voicemail=1", CallDuration="20"),
            left.recording(rid, recordings.url(slot.twilio_sid, rid), 15, "voicemail=1"),
        ],
        seed=2,
    )
    abandoned = await thread_of(served, queued.call_sid, lambda c: c["outcome"] is not None)
    voicemail = await thread_of(served, left.call_sid, lambda c: c["voicemail"] is not None)
    assert call_in(abandoned, queued.call_sid)["outcome"] == "abandoned"
    vm = call_in(voicemail, left.call_sid)
    assert vm["outcome"] == "voicemail" and vm["voicemail"]["ref"].startswith("blob:"), vm
    assert abandoned["needs_callback"] and voicemail["needs_callback"]
    assert {abandoned["thread_id"], voicemail["thread_id"]} <= await flagged(served)


async def test_whatsapp_message_and_phone_call_share_one_thread(
    customers: Customers, served: Served
) -> None:
    phone, tag = _phone(), uuid.uuid4().hex[:8]
    await customers.whatsapp(served.tenant, phone, f"I will call you {tag}", name="Mei")
    call = TwilioCall(customers.slot(served.tenant), phone)
    await shuffled(customers, [call.status("ringing"), call.status("no-answer")], seed=3)
    thread = await thread_of(served, call.call_sid, lambda c: c["outcome"] is not None)
    kinds = sorted(m["channel_kind"] for m in thread["messages"])
    texts = [m["text"] for m in thread["messages"]]
    assert kinds == ["voice", "whatsapp"] and f"I will call you {tag}" in texts, thread
    assert thread["needs_callback"]  # nobody answered her call


async def test_pbx_call_nobody_answered_needs_a_call_back(
    customers: Customers, served: Served
) -> None:
    call_id = uuid.uuid4().hex
    caller = "0151 " + "/".join([f"{uuid.uuid4().int % 1000:03d}", "4567"])
    call = {"callId": call_id, "direction": "in", "from": caller, "to": "+4930555000111"}
    await customers.pbx(served.tenant, {"event": "newCall", **call, "queue": "support"})
    await customers.pbx(served.tenant, {"event": "hangup", **call, "cause": "noAnswer"})
    thread = await thread_of(served, call_id, lambda c: c["outcome"] is not None)
    c = call_in(thread, call_id)
    assert (c["outcome"], c["cause"], c["needs_callback"]) == ("no_answer", "noAnswer", True)
    assert c["caller"].startswith("+49151") and "/" not in c["caller"]  # E.164, region DE
    assert thread["thread_id"] in await flagged(served)


async def _served_audio(page: Page, src: str) -> tuple[int, str, bytes]:
    """The player's source, fetched as the page fetches it (the agent's session cookie)."""
    got = await page.request.get(src)
    return got.status, got.headers.get("content-type", ""), await got.body()


async def test_thread_page_plays_shows_and_calls_back(
    customers: Customers,
    served: Served,
    recordings: Recordings,
    page: Page,
    agent: SignedIn,
    kafka: str,
) -> None:
    phone = _phone()
    answered = await answered_call(customers, served, recordings, phone, HOSTILE)
    missed = TwilioCall(customers.slot(served.tenant), phone)
    await shuffled(customers, [missed.status("ringing"), missed.status("busy")], seed=4)
    thread = await thread_of(served, missed.call_sid, lambda c: c["outcome"] is not None)
    tid = thread["thread_id"]
    assert (await thread_of(served, answered.call_sid, complete))["thread_id"] == tid
    await page.goto(f"{served.base}/inbox/conversations/{tid}")
    done = page.locator("li.call.inbound", has=page.locator("audio"))
    await expect(done).to_have_count(1, timeout=10_000)
    await expect(done.locator(".call-outcome")).to_contain_text("completed")
    await expect(done.locator(".badge-voice")).to_have_text("☎ in")
    await expect(done.locator(".call-facts")).to_contain_text("total 0:42")
    src = await done.locator("audio").evaluate("a => a.src")  # as the player resolves it
    assert await _served_audio(page, src) == (200, "audio/wav", AUDIO)
    text = done.locator(".transcript .text")
    await expect(text).to_have_text(HOSTILE)  # shown as text, never as markup
    assert await done.locator(".transcript img").count() == 0
    assert await page.title() != "owned"
    await expect(page.locator(".call.needs-callback")).to_have_count(1)
    await page.locator("button.callback").click()
    await expect(page.locator(".callback-status")).to_contain_text(f"Call back requested: {phone}")
    await _callback_recorded(served, kafka, tid, phone, agent.agent_id)


async def _callback_recorded(
    served: Served, kafka: str, tid: str, phone: str, agent_id: str
) -> None:
    """The flag is cleared (API, filter) and the intent is on the unified stream, by her."""
    async with api(served) as c:
        assert (await c.get(f"/conversations/{tid}")).json()["needs_callback"] is False
    assert tid not in await flagged(served)
    intents: list[un.ConversationCallbackRequested] = []

    async def published() -> bool:
        found = await read_unified(kafka, CONVERSATIONS, served.tenant)
        intents[:] = [e for e in found if isinstance(e, un.ConversationCallbackRequested)]
        return any(e.conversation_id == tid for e in intents)

    await eventually(published, timeout=15)
    [intent] = [e for e in intents if e.conversation_id == tid]
    assert intent.channel is not None and intent.channel.kind == "voice"
    assert (intent.number, intent.requested_by) == (phone, agent_id)
