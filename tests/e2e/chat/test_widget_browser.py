"""The widget in a real browser (Debian chromium via Playwright) against the running gateway
and the real broker: send, see the agent's reply, and survive a socket drop mid-send."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import jwt
import pytest
from fastapi import FastAPI
from playwright.async_api import Browser, Page, async_playwright

from hotline import events as ev
from hotline.kafka import EventProducer, ProducerSettings
from tests.browser import ARGS, CHROMIUM
from tests.integration.chat.harness import Offsets, gateway_app, read_new
from tests.unit.chat.gateway import SITE, SITE_SECRET, identifier_hash, settings_for

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        await b.close()


@pytest.fixture(scope="module")
async def gw_app(kafka: str) -> AsyncIterator[tuple[str, FastAPI]]:
    async with gateway_app(settings_for(kafka)) as running:
        yield running


@pytest.fixture(scope="module")
def gw(gw_app: tuple[str, FastAPI]) -> str:
    return gw_app[0]


@pytest.fixture(scope="module")
async def offsets(kafka: str) -> AsyncIterator[Offsets]:
    probe = Offsets(kafka)
    await probe.start()
    yield probe
    await probe.stop()


@pytest.fixture(scope="module")
async def producer(kafka: str) -> AsyncIterator[EventProducer]:
    p = EventProducer(ProducerSettings(bootstrap=kafka, client_id="chat-e2e"))
    await p.start()
    yield p
    await p.stop()


@pytest.fixture
async def page(browser: Browser, gw: str) -> AsyncIterator[Page]:
    context = await browser.new_context()
    pg = await context.new_page()
    await pg.goto(f"{gw}/chat/demo?site={SITE}")
    await pg.wait_for_function("document.getElementById('hotline-status').textContent === 'online'")
    yield pg
    await context.close()


async def messages_for(kafka: str, before: object, offsets: Offsets, pid: str) -> list[ev.Event]:
    records = await read_new(kafka, before, await offsets.now())  # type: ignore[arg-type]
    found = [ev.decode(r.value) for r in records]
    return [e for e in found if getattr(e, "provider_message_id", "") == pid]


async def test_send_and_see_the_agent_reply(
    page: Page, producer: EventProducer, offsets: Offsets, kafka: str
) -> None:
    before = await offsets.now()
    await page.fill("#hotline-input", "My parcel is late")
    await page.click("#hotline-send")
    acked = page.locator("#hotline-log li[data-state=acked]")
    await acked.wait_for()
    client_id = (await acked.get_attribute("id") or "").removeprefix("hotline-")
    visitor = await page.evaluate("HotlineWidget.state.visitor_id")
    [event] = await messages_for(kafka, before, offsets, f"{visitor}:{client_id}")
    assert isinstance(event, ev.MessageReceived)
    assert event.content == ev.TextContent(text="My parcel is late")

    reply_id = "r_" + uuid.uuid4().hex[:8]
    await producer.publish(
        [
            ev.ReplyRequested(
                event_id=ev.event_id_for("acme", "widget", reply_id, "reply"),
                reply_id=reply_id,
                tenant="acme",
                channel=ev.ChannelRef(kind="widget", account_id=SITE),
                conversation_id="conv-1",
                recipient=visitor,
                content=ev.TextContent(text="Sorry! A new one ships today."),
                requested_at=datetime.now(UTC),
                requested_by="agent-1",
            )
        ]
    )
    reply = page.locator(f"#hotline-{reply_id}")
    await reply.wait_for(timeout=15_000)
    assert await reply.text_content() == "Sorry! A new one ships today."
    assert await reply.get_attribute("class") == "hotline-reply"


@pytest.mark.parametrize(
    "script",
    [
        # the frame leaves, then the socket drops before the ack can come back
        "() => { const id = HotlineWidget.send('mid-send'); HotlineWidget.socket().close();"
        " return id; }",
        # the socket drops first: the message waits in localStorage for the reconnect
        "() => { HotlineWidget.socket().close(); return HotlineWidget.send('mid-send'); }",
    ],
    ids=["dropped-after-send", "dropped-before-send"],
)
async def test_socket_drop_mid_send_arrives_exactly_once(
    page: Page, offsets: Offsets, kafka: str, script: str
) -> None:
    before = await offsets.now()
    client_id = await page.evaluate(script)
    await page.locator(f"#hotline-{client_id}[data-state=acked]").wait_for(timeout=15_000)
    assert await page.evaluate("HotlineWidget.state.pending.length") == 0
    visitor = await page.evaluate("HotlineWidget.state.visitor_id")
    await asyncio.sleep(0.3)  # give a stray second copy time to land if there were one
    found = await messages_for(kafka, before, offsets, f"{visitor}:{client_id}")
    assert len(found) == 1


async def test_reload_keeps_the_visitor_and_resends_unacked(browser: Browser, gw: str) -> None:
    context = await browser.new_context()
    pg = await context.new_page()
    await pg.goto(f"{gw}/chat/demo?site={SITE}")
    await pg.wait_for_function("HotlineWidget.state.visitor_id")
    first = await pg.evaluate("HotlineWidget.state.visitor_id")
    await pg.reload()
    await pg.wait_for_function("document.getElementById('hotline-status').textContent === 'online'")
    assert await pg.evaluate("HotlineWidget.state.visitor_id") == first
    await context.close()


async def test_verified_identity_and_refused_wrong_hash(browser: Browser, gw: str) -> None:
    context = await browser.new_context()
    pg = await context.new_page()
    good = identifier_hash("ann@example.com")
    await pg.goto(f"{gw}/chat/demo?site={SITE}&identifier=ann@example.com&identifier_hash={good}")
    await pg.wait_for_function(
        "document.getElementById('hotline-status').textContent === 'verified'"
    )
    bad = await context.new_page()
    await bad.goto(f"{gw}/chat/demo?site={SITE}&identifier=ann@example.com&identifier_hash=00")
    await bad.wait_for_function(
        "document.getElementById('hotline-status').textContent.startsWith('refused')"
    )
    assert await bad.text_content("#hotline-status") == "refused: bad_identifier_hash"
    await context.close()


async def test_agent_typing_is_shown_and_cleared(page: Page, gw_app: tuple[str, FastAPI]) -> None:
    hub = gw_app[1].state.hub
    visitor = await page.evaluate("HotlineWidget.state.visitor_id")
    typing = page.locator("#hotline-typing")
    assert await typing.is_hidden()
    assert await hub.typing((SITE, visitor), True) is True
    await typing.wait_for(state="visible", timeout=5_000)
    await hub.typing((SITE, visitor), False)
    await typing.wait_for(state="hidden", timeout=5_000)


async def test_a_stale_visitor_token_starts_a_new_visitor_instead_of_hanging(
    browser: Browser, gw: str
) -> None:
    context = await browser.new_context()
    pg = await context.new_page()
    await pg.goto(f"{gw}/healthz")  # same origin: plant a forged visitor before the widget loads
    await pg.evaluate(
        "localStorage.setItem('hotline.widget." + SITE + "', JSON.stringify("
        "{visitor_id: 'v_forged', visitor_token: 'f00', pending: [], seen: []}))"
    )
    await pg.goto(f"{gw}/chat/demo?site={SITE}")
    await pg.wait_for_function("document.getElementById('hotline-status').textContent === 'online'")
    visitor = await pg.evaluate("HotlineWidget.state.visitor_id")
    assert visitor.startswith("v_") and visitor != "v_forged"
    await context.close()


async def send_and_read(pg: Page, kafka: str, offsets: Offsets, text: str) -> ev.MessageReceived:
    before = await offsets.now()
    await pg.fill("#hotline-input", text)
    await pg.click("#hotline-send")
    acked = pg.locator("#hotline-log li[data-state=acked]")
    await acked.wait_for(timeout=15_000)
    client_id = (await acked.get_attribute("id") or "").removeprefix("hotline-")
    visitor = await pg.evaluate("HotlineWidget.state.visitor_id")
    [event] = await messages_for(kafka, before, offsets, f"{visitor}:{client_id}")
    assert isinstance(event, ev.MessageReceived)
    return event


async def test_dev_demo_signs_the_demo_user_in(
    browser: Browser, kafka: str, offsets: Offsets
) -> None:
    dev = settings_for(kafka).model_copy(update={"env": "dev"})
    async with gateway_app(dev) as (url, _):
        context = await browser.new_context()
        pg = await context.new_page()
        await pg.goto(f"{url}/chat/demo?site={SITE}&demo_user=1")
        assert "DEMO ONLY" in (await pg.text_content("#demo-identity") or "")
        await pg.wait_for_function(
            "document.getElementById('hotline-status').textContent === 'verified'"
        )
        event = await send_and_read(pg, kafka, offsets, "Hi, Maria here")
        await context.close()
    assert event.sender.display_name == "Maria Demo"
    signed = {(i.kind, i.value) for i in event.sender.identifiers if i.level == "site_signed"}
    assert signed == {
        ("widget_user", f"{SITE}:demo-maria"),
        ("email", "maria@example.com"),
        ("phone", "+14155550123"),
    }


async def test_expired_identity_token_chats_on_as_anonymous(
    browser: Browser, gw: str, kafka: str, offsets: Offsets
) -> None:
    now = int(time.time())
    claims = {"sub": "u-1", "email": "maria@example.com", "iat": now - 7200, "exp": now - 3600}
    token = jwt.encode(claims, SITE_SECRET, algorithm="HS256")
    context = await browser.new_context()
    pg = await context.new_page()
    await pg.goto(f"{gw}/chat/demo?site={SITE}&identity_token={token}")
    await pg.wait_for_function(
        "document.getElementById('hotline-status').textContent === 'anonymous (identity expired)'"
    )
    event = await send_and_read(pg, kafka, offsets, "still me")
    await context.close()
    assert [(i.kind, i.level) for i in event.sender.identifiers] == [
        ("widget_visitor", "unverified")
    ]
