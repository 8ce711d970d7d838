"""Issue 26 §5's "done means": a CSAT round trip through the real edges only. The whole stack
(`make run`'s processes) with the provider stand-in and an SMTP sink as the outbound relay;
an agent resolves a conversation through the API and the customer answers natively: a signed
WhatsApp webhook tapping our interactive button, the widget's inline rating in Chromium, and
the email's signed link opened over HTTP. Nothing is published by the test itself."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Iterator
from email.message import Message
from typing import Any

import httpx
import pytest
from playwright.async_api import async_playwright

from hotline_tools.devstack import persona as pe
from hotline_tools.devstack.broker import free_port
from hotline_tools.devstack.credentials import Credentials
from hotline_tools.devstack.providers import StandIn
from tests.browser import ARGS, CHROMIUM
from tests.e2e.identity.harness import Running, eventually, relay_sink, running_stack

pytestmark = pytest.mark.e2e
CREDS = Credentials.current()
MARIA, OTHER = pe.MARIA, pe.NAMESAKE


@pytest.fixture(scope="module")
def relay() -> Iterator[Any]:
    with relay_sink() as sink:
        yield sink


@pytest.fixture(scope="module")
def standin() -> StandIn:
    return StandIn(free_port())


@pytest.fixture(scope="module")
async def hotline(relay: Any, standin: StandIn) -> AsyncIterator[Running]:
    _, relay_port = relay
    env = {
        "HOTLINE_RELAY_HOST": "127.0.0.1",
        "HOTLINE_RELAY_PORT": str(relay_port),
        "HOTLINE_SMTP_CHECK_DKIM": "false",  # no DNS here; the mail is unsigned anyway
    }
    async with running_stack(env, providers=standin) as running:
        yield running


async def thread_with(
    hotline: Running, provider_message_id: str, field: str = ""
) -> dict[str, Any]:
    """The conversation holding a message (by provider id, or by ``field``'s value)."""
    key = field or "provider_message_id"

    async def found() -> dict[str, Any] | None:
        for conv in await hotline.get("/conversations?limit=500"):
            thread: dict[str, Any] = await hotline.get(f"/conversations/{conv['thread_id']}")
            if any(m[key] == provider_message_id for m in thread["messages"]):
                return thread
        return None

    thread: dict[str, Any] = await eventually(found, 60)
    return thread


async def resolve(hotline: Running, tid: str) -> None:
    res = await hotline.api("POST", f"/conversations/{tid}/close")
    assert res.status_code == 200, res.text


async def rated(hotline: Running, tid: str) -> dict[str, Any]:
    async def answered() -> dict[str, Any] | None:
        thread: dict[str, Any] = await hotline.get(f"/conversations/{tid}")
        done = [s for s in thread["surveys"] if s["score"] is not None]
        return {"thread": thread, "survey": done[0]} if done else None

    result: dict[str, Any] = await eventually(answered, 60)
    return result


async def test_whatsapp_buttons_round_trip(hotline: Running, standin: StandIn) -> None:
    now = int(time.time())
    post = pe.whatsapp_text(
        MARIA, "wamid.CSAT1", "Parcel arrived, thanks", CREDS.meta_app_secret, now
    )
    assert (await hotline.post(3, post)).status_code == 200
    tid = (await thread_with(hotline, "wamid.CSAT1"))["thread_id"]
    await resolve(hotline, tid)

    async def buttons() -> dict[str, Any] | None:
        for path, body in list(standin.sent):
            ours = path.endswith("/messages") and isinstance(body, dict)
            if ours and body.get("to") == MARIA.wa_id and body.get("type") == "interactive":
                found: dict[str, Any] = body["interactive"]
                return found
        return None

    interactive = await eventually(buttons, 60)
    assert interactive["type"] == "button"
    choices = [b["reply"] for b in interactive["action"]["buttons"]]
    assert [c["title"] for c in choices] == ["😞 Poor", "😐 OK", "😀 Great"]
    tap = pe.whatsapp_button_reply(
        MARIA, "wamid.CSAT2", choices[2]["id"], choices[2]["title"], CREDS.meta_app_secret, now + 5
    )
    assert (await hotline.post(3, tap)).status_code == 200
    answer = await rated(hotline, tid)
    survey, thread = answer["survey"], answer["thread"]
    assert (survey["score"], survey["scale"], survey["channel_kind"]) == (3, 3, "whatsapp")
    assert survey["agent"] == "token:config" and survey["cycle"] == 1
    assert thread["open"] is False, "an answer never reopens the conversation"


async def test_email_signed_link_round_trip(hotline: Running, relay: Any) -> None:
    inbox, _ = relay
    msg = pe.email(
        OTHER, "<csat1@elsewhere.test>", "Invoice question", "Is it paid?", "help@localhost"
    )
    await hotline.mail(msg.as_bytes(), OTHER.email)
    tid = (await thread_with(hotline, "<csat1@elsewhere.test>"))["thread_id"]
    await resolve(hotline, tid)

    async def survey_mail() -> str | None:
        for mail in list(inbox.mails):
            if mail["To"] and OTHER.email in mail["To"]:
                found = re.search(r"http://\S+/csat/[\w.-]+", _text(mail))
                if found:
                    return found.group(0)
        return None

    link = await eventually(survey_mail, 60)
    assert link.startswith(hotline.url(4))
    async with httpx.AsyncClient(timeout=15) as web:
        page = await web.get(link)
        assert page.status_code == 200 and "How did we do?" in page.text
        nonce = re.search(r'name="nonce" value="([^"]+)"', page.text)
        assert nonce is not None
        form = {"nonce": nonce.group(1), "score": "4", "comment": "Fast <i>and</i> kind"}
        done = await web.post(link, data=form)
        assert done.status_code == 200 and "Thank you" in done.text
        tampered = await web.get(link[:-4] + "AAAA")
        assert tampered.status_code == 404
    survey = (await rated(hotline, tid))["survey"]
    assert (survey["score"], survey["comment"], survey["channel_kind"]) == (
        4, "Fast <i>and</i> kind", "email",
    )  # fmt: skip


async def test_widget_inline_rating_round_trip(hotline: Running) -> None:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page()
            await page.goto(f"{hotline.url(2)}/chat/demo?site=demo")
            await page.wait_for_function(
                "document.getElementById('hotline-status').textContent === 'online'"
            )
            await page.fill("#hotline-input", "Did my refund go through?")
            await page.click("#hotline-send")
            await page.locator("#hotline-log li[data-state=acked]").wait_for(timeout=15_000)
            visitor = await page.evaluate("window.HotlineWidget.state.visitor_id")
            tid = (await thread_with(hotline, visitor, "sender_handle"))["thread_id"]
            await resolve(hotline, tid)
            stars = page.locator(".hotline-reply .hotline-rating button")
            await stars.nth(4).wait_for(timeout=30_000)
            assert await stars.all_text_contents() == [
                "1 ★ Very poor", "2 ★ Poor", "3 ★ OK", "4 ★ Good", "5 ★ Excellent",
            ]  # fmt: skip
            await stars.nth(4).click()
            assert await stars.nth(4).get_attribute("aria-pressed") == "true"
            await page.locator("#hotline-log li[data-state=acked]").nth(1).wait_for(timeout=15_000)
        finally:
            await browser.close()
    answer = await rated(hotline, tid)
    survey, thread = answer["survey"], answer["thread"]
    assert (survey["score"], survey["scale"], survey["channel_kind"]) == (5, 5, "widget")
    assert thread["open"] is False
    customer = [m for m in thread["messages"] if m["role"] == "customer"]
    assert [m["text"] for m in customer] == ["Did my refund go through?"]


def _text(mail: Message) -> str:
    parts = mail.walk() if mail.is_multipart() else [mail]
    out = []
    for part in parts:
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            out.append(payload.decode() if isinstance(payload, bytes) else str(payload))
    return "\n".join(out)
