"""Issue 21's "done means", through the real edges only: Maria writes by DKIM-signed mail
(verified against our own DNS server), WhatsApp, SMS, Telegram (her shared contact), Slack (a
trusted workspace; her profile from the recorded users.info) and the widget in Chromium with
her site-signed identity. Nothing is published by the test itself; it reads the agent API."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import dkim
import jwt
import pytest
from playwright.async_api import async_playwright

from hotline_tools.devstack import persona as pe
from hotline_tools.devstack.broker import free_port
from hotline_tools.devstack.credentials import WIDGET_SECRET, Credentials
from hotline_tools.devstack.demo import widget_chat
from hotline_tools.devstack.providers import StandIn
from tests.browser import ARGS, CHROMIUM
from tests.dns_server import DkimKey, Nsd, Zone, new_dkim_key
from tests.e2e.identity.harness import Running, eventually, relay_sink, running_stack

pytestmark = pytest.mark.e2e
MARIA, NAMESAKE = pe.MARIA, pe.NAMESAKE
SELECTOR = "e2e"
CREDS = Credentials.current()  # the dev stack's secrets (what `make run` prints)


@pytest.fixture(scope="module")
def dkim_key() -> DkimKey:
    return new_dkim_key()


@pytest.fixture(scope="module")
def nsd(dkim_key: DkimKey) -> Iterator[Nsd]:
    zone = Zone(
        "example.test", {f"{SELECTOR}._domainkey": dkim_key.txt(), "_dmarc": "v=DMARC1; p=reject"}
    )
    server = Nsd([zone]).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def relay() -> Iterator[Any]:
    with relay_sink() as sink:
        yield sink


@pytest.fixture(scope="module")
async def hotline(nsd: Nsd, relay: Any) -> AsyncIterator[Running]:
    _, relay_port = relay
    env = {
        "HOTLINE_DNS_SERVER": nsd.address,
        "HOTLINE_RELAY_HOST": "127.0.0.1",
        "HOTLINE_RELAY_PORT": str(relay_port),
        "HOTLINE_PROFILES_ENABLED": "true",  # Messenger names from the Graph API stand-in
    }
    async with running_stack(env, providers=StandIn(free_port())) as running:
        yield running


def signed_mail(key: DkimKey, message_id: str, subject: str, text: str, **headers: str) -> bytes:
    msg = pe.email(MARIA, message_id, subject, text, "help@localhost")
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    raw = msg.as_bytes().replace(b"\n", b"\r\n").replace(b"\r\r\n", b"\r\n")
    include = [b"from", b"to", b"subject", b"date", b"message-id"]
    return (
        bytes(
            dkim.sign(
                raw, SELECTOR.encode(), b"example.test", key.private_pem, include_headers=include
            )
        )
        + raw
    )


async def widget_send(hotline: Running, token: str, text: str) -> None:
    """Maria on the shop's page: the widget signs her in with the site's token; she writes."""
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page()
            await page.goto(f"{hotline.url(2)}/chat/demo?site=demo&identity_token={token}")
            await page.wait_for_function(
                "document.getElementById('hotline-status').textContent === 'verified'"
            )
            await page.fill("#hotline-input", text)
            await page.click("#hotline-send")
            await page.locator("#hotline-log li[data-state=acked]").wait_for(timeout=15_000)
        finally:
            await browser.close()


def identity_token(who: pe.Persona, email: str | None = None) -> str:
    now = int(time.time())
    claims = {
        "sub": who.site_user,
        "email": email or who.email,
        "phone": who.phone,
        "name": who.name,
    }
    return jwt.encode({**claims, "iat": now, "exp": now + 600}, WIDGET_SECRET, algorithm="HS256")


async def thread_of(hotline: Running, provider_message_id: str) -> dict[str, Any]:
    """The conversation holding a message, found through the conversation list."""
    for conv in await hotline.get("/conversations?limit=500"):
        thread = await hotline.get(f"/conversations/{conv['thread_id']}")
        if any(m["provider_message_id"] == provider_message_id for m in thread["messages"]):
            return dict(thread)
    raise AssertionError(f"{provider_message_id} is in no conversation")


async def maria_writes_everywhere(hotline: Running, key: DkimKey) -> dict[str, str]:
    """Every channel once, through its real edge; returns channel -> provider message id."""
    now = int(time.time())
    await hotline.mail(
        signed_mail(key, "<m1@example.test>", "Order #123", "Where is it?"), MARIA.email
    )
    posts = {
        "whatsapp": (
            3,
            pe.whatsapp_text(MARIA, "wamid.M1", "Order #123 is late", CREDS.meta_app_secret, now),
        ),
        "sms": (
            3,
            pe.sms(
                MARIA,
                "SM0001",
                "It is #123",
                f"{hotline.url(3)}/webhooks/sms",
                CREDS.twilio_auth_token,
                "+15550001111",
            ),
        ),
        "telegram": (
            3,
            pe.telegram_shared_contact(MARIA, 700001, CREDS.telegram_secret_token, now),
        ),
        "slack": (
            2,
            pe.slack_message(
                MARIA, "TLOAD", f"{now}.000100", "Any news?", CREDS.slack_signing_secret, now
            ),
        ),
    }
    for n, post in posts.values():
        r = await hotline.post(n, post)
        assert r.status_code == 200, r.text
    await widget_send(hotline, identity_token(MARIA), "Writing from the shop now")
    return {
        "email": "<m1@example.test>",
        "whatsapp": "wamid.M1",
        "sms": "SM0001",
        "telegram": f"{MARIA.telegram_id}:700001",
        "slack": f"CSUPPORT:{now}.000100",  # Slack ids a message by channel and ts
    }


@pytest.fixture(scope="module")
async def maria(hotline: Running, dkim_key: DkimKey) -> dict[str, Any]:
    """Maria's one conversation, once she has written on all six channels."""
    sent = await maria_writes_everywhere(hotline, dkim_key)

    async def one_thread() -> dict[str, Any]:
        thread = await thread_of(hotline, "wamid.M1")
        kinds = {m["channel_kind"] for m in thread["messages"] if m["direction"] == "inbound"}
        assert len(kinds) == 6, await _overview(hotline)
        return thread

    thread: dict[str, Any] = await eventually(one_thread, 60)
    return {"sent": sent, "thread": thread}


async def test_one_customer_one_conversation(hotline: Running, maria: dict[str, Any]) -> None:
    sent, thread = maria["sent"], maria["thread"]
    inbound = [m for m in thread["messages"] if m["direction"] == "inbound"]
    assert {m["channel_kind"] for m in inbound} == {
        "email",
        "whatsapp",
        "sms",
        "telegram",
        "slack",
        "widget",
    }
    assert {m["provider_message_id"] for m in inbound} >= set(sent.values())
    open_threads = [c for c in await hotline.get("/conversations?limit=500") if c["open"]]
    assert [c["thread_id"] for c in open_threads] == [thread["thread_id"]], "one conversation"

    contact = await hotline.get(f"/contacts/{thread['contact_id']}")
    levels = {(i["kind"], i["value"], i["level"]) for i in _identities(contact)}
    assert ("email", MARIA.email, "dmarc_aligned") in levels  # our own DKIM + DMARC check
    assert ("email", MARIA.email, "provider_verified") in levels  # the trusted Slack profile
    assert ("email", MARIA.email, "site_signed") in levels  # the widget's signed identity
    assert ("phone", MARIA.phone, "provider_verified") in levels  # WhatsApp, Telegram
    assert ("phone", MARIA.phone, "carrier_asserted") in levels  # SMS
    assert all(i["evidence"] for i in _identities(contact)), "every link explained"


async def test_a_namesake_on_messenger_stays_separate(
    hotline: Running, maria: dict[str, Any]
) -> None:
    sent = iter(range(1, 100))

    async def named() -> dict[str, Any]:
        """Her profile name is looked up off the ack path: a later message carries it."""
        n = next(sent)
        at = int(time.time())
        post = pe.messenger_text(NAMESAKE, f"m_ns{n}", "Hola", CREDS.meta_app_secret, at)
        assert (await hotline.post(3, post)).status_code == 200
        await asyncio.sleep(0.5)
        thread = await thread_of(hotline, f"m_ns{n}")
        [msg] = [m for m in thread["messages"] if m["provider_message_id"] == f"m_ns{n}"]
        assert _payload_name(msg) == MARIA.name, msg  # the same display name as Maria's
        return dict(msg)

    msg = await eventually(named, 30)
    assert msg["contact_id"] != maria["thread"]["contact_id"]
    # the same display name, and still someone else
    maria_now = await hotline.get(f"/contacts/{maria['thread']['contact_id']}")
    assert msg["contact_id"] not in maria_now["merged_contacts"]


async def test_a_conflicting_verified_identifier_never_merges(
    hotline: Running, maria: dict[str, Any]
) -> None:
    """Another user of the shop (its own signed user id) whose token carries Maria's email:
    the site says they are two users, so the shared email links nobody."""
    url = hotline.url(2).replace("http://", "ws://") + "/chat/ws"
    token = identity_token(NAMESAKE, email=MARIA.email)
    frames = await widget_chat(url, token, "conflict-1", "Is this Maria's account?")
    assert frames[-1]["type"] == "ack", frames
    other = f"{NAMESAKE.site_user}"

    async def landed() -> dict[str, Any]:
        for conv in await hotline.get("/conversations?limit=500"):
            thread = await hotline.get(f"/conversations/{conv['thread_id']}")
            for m in thread["messages"]:
                if m["provider_message_id"].endswith(":conflict-1"):
                    return dict(m)
        raise AssertionError("not stored yet")

    msg = await eventually(landed, 30)
    maria_contact = maria["thread"]["contact_id"]
    assert msg["contact_id"] != maria_contact
    mine = await hotline.get(f"/contacts/{maria_contact}")
    assert not [i for i in _identities(mine) if other in i["value"]], "no widget_user of hers"
    assert msg["contact_id"] not in mine["merged_contacts"]


async def test_an_agent_reply_moves_sent_delivered_read(
    hotline: Running, maria: dict[str, Any]
) -> None:
    tid = maria["thread"]["thread_id"]
    r = await hotline.api("POST", f"/conversations/{tid}/replies",
                          json={"text": "It ships today", "channel": "whatsapp"})  # fmt: skip
    assert r.status_code == 202, r.text
    reply_id = r.json()["reply_id"]
    sent = await eventually(lambda: _reply_in(hotline, tid, reply_id, "sent"), 30)
    wamid = sent["provider_message_id"]
    assert wamid.startswith("wamid.")  # the provider's id, from the (stand-in) WhatsApp API
    now = int(time.time())
    for status in ("delivered", "read"):
        post = pe.whatsapp_status(MARIA, wamid, status, CREDS.meta_app_secret, now)
        assert (await hotline.post(3, post)).status_code == 200
        await eventually(lambda s=status: _reply_in(hotline, tid, reply_id, s), 30)  # type: ignore[misc]


async def test_a_bounce_marks_the_email_reply_failed_in_the_same_thread(
    hotline: Running, maria: dict[str, Any], relay: Any
) -> None:
    inbox, _ = relay
    tid = maria["thread"]["thread_id"]
    r = await hotline.api("POST", f"/conversations/{tid}/replies",
                          json={"text": "Tracking: 123", "channel": "email"})  # fmt: skip
    assert r.status_code == 202, r.text
    reply_id = r.json()["reply_id"]
    await eventually(lambda: _reply_in(hotline, tid, reply_id, "sent"), 30)
    [mail] = [m for m in inbox.mails if m["To"] and MARIA.email in m["To"]]
    await hotline.mail(dsn(mail["Message-ID"]), "")
    failed = await eventually(lambda: _reply_in(hotline, tid, reply_id, "failed"), 30)
    assert "5.1.1" in (failed["status_detail"] or "")
    open_threads = [c for c in await hotline.get("/conversations?limit=500") if c["open"]]
    assert tid in [c["thread_id"] for c in open_threads]
    bounce = await thread_of(hotline, "<dsn-1@mx.example.test>")
    assert bounce["thread_id"] == tid, "the bounce joins the reply's thread, never its own"


async def test_split_then_the_answer_joins_the_new_thread(
    hotline: Running, maria: dict[str, Any], dkim_key: DkimKey
) -> None:
    tid = maria["thread"]["thread_id"]
    thread = await hotline.get(f"/conversations/{tid}")
    [first] = [m for m in thread["messages"] if m["provider_message_id"] == "<m1@example.test>"]
    r = await hotline.api("POST", f"/conversations/{tid}/split",
                          json={"message_ids": [first["message_id"]]})  # fmt: skip
    assert r.status_code == 200, r.text
    new = r.json()["conversation_id"]
    first_id = "<m1@example.test>"
    answer = signed_mail(dkim_key, "<m2@example.test>", "Re: Order #123", "Still waiting",
                         In_Reply_To=first_id, References=first_id)  # fmt: skip
    await hotline.mail(answer, MARIA.email)
    joined = await eventually(lambda: thread_of(hotline, "<m2@example.test>"), 30)
    assert joined["thread_id"] == new


async def _reply_in(hotline: Running, tid: str, reply_id: str, status: str) -> dict[str, Any]:
    thread = await hotline.get(f"/conversations/{tid}")
    [reply] = [m for m in thread["messages"] if m.get("reply_id") == reply_id]
    assert reply["status"] == status, reply
    return dict(reply)


def _payload_name(msg: dict[str, Any]) -> str | None:
    name = msg.get("sender_name")
    return str(name) if name else None


def dsn(original_message_id: str) -> bytes:
    """A delivery-status notification (RFC 3464) for one of our replies, as an MTA sends it."""
    text = f"""From: Mail Delivery System <MAILER-DAEMON@mx.example.test>
To: support@localhost
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn-1@mx.example.test>
Date: Sun, 06 Dec 2026 12:30:00 +0000
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B0UND"

--B0UND
Content-Type: text/plain

Your message could not be delivered to one or more recipients.

--B0UND
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.test

Final-Recipient: rfc822; {MARIA.email}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <{MARIA.email}>: Recipient address rejected

--B0UND
Content-Type: text/rfc822-headers

From: support@localhost
To: {MARIA.email}
Subject: Re: Order #123
Message-ID: {original_message_id}

--B0UND--
"""
    return text.replace("\n", "\r\n").encode()


def _identities(contact: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = contact["identities"]
    return found


async def _overview(hotline: Running) -> list[tuple[str, str, list[str]]]:
    """Each conversation's contact and channels: what a failed wait reports."""
    out = []
    for conv in await hotline.get("/conversations?limit=500"):
        thread = await hotline.get(f"/conversations/{conv['thread_id']}")
        kinds = [f"{m['channel_kind']}:{m['contact_id'][-4:]}" for m in thread["messages"]]
        out.append((conv["thread_id"][-6:], conv["contact_id"][-4:], kinds))
    return out
